/**
 * `Sourcier` over HTTP: what a bot shard uses when one retrieval service (src/service/http-service.ts) holds the
 * index for every shard. `stats()` and `passage()` are synchronous in the interface, so this client keeps a copy:
 * stats are fetched on connect and after a reindex, and refreshed in the background once older than
 * `statsMaxAgeMs`; the passages of every citation are fetched with the answer (Discord's "Passage complet" button
 * then finds them), in a bounded LRU cache. A passage not cached returns undefined and is fetched for next time.
 */
import { AppError, type AppErrorCode } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Answer, Article, AskOptions, Chunk, IndexProgress, IndexStats, IndexSummary, Sourcier } from '../core/types.js';

export interface HttpSourcierOptions {
  /** Per-request time limit for ask, quote, stats and passage, in milliseconds (default 15,000). */
  timeoutMs?: number;
  /** Time limit of POST /reindex, in milliseconds (default 3,600,000: a full build of a large corpus). */
  reindexTimeoutMs?: number;
  /** Passages kept for `passage()` (default 5,000; an entry is one article text, a few kB). */
  passageCacheSize?: number;
  /** Age after which `stats()` triggers a background refresh, in milliseconds (default 30,000). */
  statsMaxAgeMs?: number;
  /** Bearer token the service was started with (default: none). */
  token?: string;
  logger?: Logger;
  /** HTTP client (default: the global fetch); a test may pass its own. */
  fetch?: typeof fetch;
}

type Passage = { chunk: Chunk; article: Article };

/** Codes a service may send that this client rethrows as they are; anything else becomes INTERNAL. */
const KNOWN_CODES = new Set<AppErrorCode>([
  'QUESTION_INVALID',
  'CONFIG_INVALID',
  'INDEX_MISSING',
  'INDEX_INCOMPATIBLE',
  'INDEX_CORRUPT',
  'INDEX_WRITE_FAILED',
  'INDEX_LOCKED',
  'CORPUS_MISSING',
  'CORPUS_EMPTY',
  'MODEL_UNAVAILABLE',
  'BUSY',
  'TIMEOUT',
  'RATE_LIMITED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
]);

/**
 * Connects to a retrieval service (fetches its stats once, so a wrong URL fails at start-up, not at the first
 * question). Rejects with SERVICE_UNAVAILABLE when the service cannot be reached.
 */
export async function connectHttpSourcier(baseUrl: string, options: HttpSourcierOptions = {}): Promise<HttpSourcier> {
  const client = new HttpSourcier(baseUrl, options);
  await client.refreshStats();
  return client;
}

export class HttpSourcier implements Sourcier {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly logger: Logger;
  private readonly passages = new Map<string, Passage>();
  private lastStats: IndexStats | undefined;
  private statsAt = 0;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  /** Prefer {@link connectHttpSourcier}: `stats()` throws until stats have been fetched once. */
  constructor(
    baseUrl: string,
    private readonly options: HttpSourcierOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.logger = options.logger ?? silentLogger;
  }

  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    const answer = await this.call<Answer>('POST', '/ask', { question, options: wireOptions(options) });
    await this.prefetch(answer);
    return answer;
  }

  async quote(text: string, options: AskOptions = {}): Promise<Answer> {
    const answer = await this.call<Answer>('POST', '/quote', { text, options: wireOptions(options) });
    await this.prefetch(answer);
    return answer;
  }

  stats(): IndexStats {
    if (!this.lastStats) {
      throw new AppError('SERVICE_UNAVAILABLE', `No stats from the retrieval service at ${this.base} yet; create the client with connectHttpSourcier.`);
    }
    if (Date.now() - this.statsAt > (this.options.statsMaxAgeMs ?? 30_000)) void this.refreshStats().catch(() => {});
    return this.lastStats;
  }

  passage(chunkId: string): Passage | undefined {
    const hit = this.passages.get(chunkId);
    if (hit) {
      // LRU: a Map iterates in insertion order, so re-inserting marks the entry as recent.
      this.passages.delete(chunkId);
      this.passages.set(chunkId, hit);
      return hit;
    }
    void this.fetchPassage(chunkId).catch((error: unknown) => this.logger.warn('passage fetch failed', { chunkId, error }));
    return undefined;
  }

  /**
   * Asks the service to rebuild its index. Progress is not streamed over HTTP: `onProgress` gets one final
   * `verify` step when the service answers.
   */
  async reindex(onProgress?: (progress: IndexProgress) => void): Promise<IndexSummary> {
    const summary = await this.call<IndexSummary>('POST', '/reindex', {}, this.options.reindexTimeoutMs ?? 3_600_000);
    onProgress?.({ stage: 'verify', done: 1, total: 1 });
    this.passages.clear(); // chunk ids may now point at other text
    await this.refreshStats().catch(() => {});
    return summary;
  }

  /** The service keeps running: closing a client only stops it from starting new background refreshes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.refreshing?.catch(() => {});
  }

  /** Fetches the service's stats now (also done in the background by `stats()`). */
  refreshStats(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.refreshing ??= this.call<IndexStats>('GET', '/stats')
      .then((stats) => {
        if (this.lastStats && this.lastStats.generation !== stats.generation) this.passages.clear();
        this.lastStats = stats;
        this.statsAt = Date.now();
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async prefetch(answer: Answer): Promise<void> {
    const missing = [...new Set(answer.citations.map((c) => c.chunkId))].filter((id) => !this.passages.has(id));
    await Promise.all(missing.map((id) => this.fetchPassage(id).catch((error: unknown) => this.logger.warn('passage fetch failed', { chunkId: id, error }))));
  }

  private async fetchPassage(chunkId: string): Promise<void> {
    const passage = await this.call<Passage | undefined>('GET', `/passage/${encodeURIComponent(chunkId)}`, undefined, undefined, true);
    if (!passage) return;
    this.passages.set(chunkId, passage);
    const limit = Math.max(1, this.options.passageCacheSize ?? 5000);
    while (this.passages.size > limit) this.passages.delete(this.passages.keys().next().value!);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs?: number, notFoundIsUndefined = false): Promise<T> {
    const url = `${this.base}${path}`;
    const limit = timeoutMs ?? this.options.timeoutMs ?? 15_000;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(limit),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new AppError('TIMEOUT', `The retrieval service did not answer ${method} ${path} within ${limit} ms; check its load and log.`, { cause: error });
      }
      throw new AppError('SERVICE_UNAVAILABLE', `Cannot reach the retrieval service at ${this.base} (${(error as Error).message}); start it with "sourcier serve" or unset SOURCIER_SERVICE_URL.`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (response.status === 404 && notFoundIsUndefined) return undefined as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new AppError('SERVICE_UNAVAILABLE', `The service at ${this.base} answered ${method} ${path} with ${response.status} and no JSON; is SOURCIER_SERVICE_URL a Sourcier service?`, { cause });
    }
    if (!response.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } }).error ?? {};
      const code = KNOWN_CODES.has(err.code as AppErrorCode) ? (err.code as AppErrorCode) : 'INTERNAL';
      throw new AppError(code, err.message ?? `The retrieval service answered ${method} ${path} with status ${response.status}.`);
    }
    return parsed as T;
  }
}

function wireOptions(options: AskOptions): Record<string, unknown> {
  const { now, ...rest } = options;
  return { ...rest, ...(now ? { now: now.toISOString() } : {}) };
}
