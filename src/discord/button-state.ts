import { randomBytes } from 'node:crypto';
import type { Answer, AskOptions } from '../core/types.js';

/** What a button needs to act on the answer it sits under. */
export interface AnswerState {
  command: 'ask' | 'quote' | 'verify';
  question: string;
  filters: Pick<AskOptions, 'source' | 'since' | 'until'>;
  /** Passages already shown before this message (options.offset of the next page is offset + chunkIds.length). */
  offset: number;
  chunkIds: string[];
  ephemeral: boolean;
  /** The page itself, so "Publier" can post it again in public. */
  answer?: Answer;
}

export type ButtonAction =
  | { action: 'more'; key: string }
  | { action: 'full'; key: string; index: number }
  | { action: 'feedback'; key: string; verdict: 'up' | 'down' }
  | { action: 'publish'; key: string };

const PREFIX = 'src';

/** Custom ids are `src:<action>:<key>[:<arg>]`, at most 30 characters (Discord allows 100). */
export function encodeButton(b: ButtonAction): string {
  switch (b.action) {
    case 'more':
      return `${PREFIX}:more:${b.key}`;
    case 'full':
      return `${PREFIX}:full:${b.key}:${b.index}`;
    case 'feedback':
      return `${PREFIX}:fb:${b.key}:${b.verdict}`;
    case 'publish':
      return `${PREFIX}:pub:${b.key}`;
  }
}

export function decodeButton(customId: string): ButtonAction | undefined {
  const [prefix, action, key, arg] = customId.split(':');
  if (prefix !== PREFIX || !key || !/^[a-z0-9]{1,16}$/.test(key)) return undefined;
  if (action === 'more') return { action, key };
  if (action === 'pub') return { action: 'publish', key };
  if (action === 'full' && arg && /^\d{1,2}$/.test(arg)) return { action, key, index: Number(arg) };
  if (action === 'fb' && (arg === 'up' || arg === 'down')) return { action: 'feedback', key, verdict: arg };
  return undefined;
}

export interface ButtonStateStoreOptions {
  /** How long buttons keep working, in milliseconds (default 6 hours). */
  ttlMs?: number;
  /** Most answers remembered; the oldest are dropped first (default 1000). */
  maxEntries?: number;
  now?: () => number;
}

/** Short-lived in-memory state behind button custom ids, keyed by a random 10-character id. */
export class ButtonStateStore {
  #entries = new Map<string, { state: AnswerState; expires: number }>();
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: ButtonStateStoreOptions = {}) {
    this.#ttl = options.ttlMs ?? 6 * 3_600_000;
    this.#max = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  put(state: AnswerState): string {
    const key = randomBytes(8).readBigUInt64BE().toString(36).slice(0, 10);
    this.#entries.set(key, { state, expires: this.#now() + this.#ttl });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return key;
  }

  get(key: string): AnswerState | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.state;
  }
}
