/**
 * What each briefing covered, so "nouveau:oui" / `--new` can show only what is new since the last briefing on the same
 * topic in the same channel. A small JSON file, written atomically (temp file, fsync, rename), read leniently: a
 * missing file is an empty state, an unreadable one is reported (BRIEF_STATE_INVALID) rather than silently reset.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../core/app-error.js';

/** One briefing as recorded. */
export interface BriefRecord {
  topicKey: string;
  /** Discord channel id or "cli". */
  channel: string;
  /** ISO time of the briefing. */
  at: string;
  /** Articles covered, wire copies included. */
  articleIds: string[];
}

/** Records kept per topic and channel; older ones are dropped. */
const KEEP_PER_TOPIC = 5;
/** Most records in the file; the oldest go first. */
const MAX_RECORDS = 2000;

const fileSchema = z.object({
  version: z.literal(1),
  briefings: z.array(z.object({ topicKey: z.string(), channel: z.string(), at: z.string(), articleIds: z.array(z.string()) })),
});

export interface BriefStateStore {
  /** The last briefing on this topic in this channel, if any. */
  last(topicKey: string, channel: string): Promise<BriefRecord | undefined>;
  /** Appends a briefing (and prunes old ones). Concurrent calls in one process are serialised. */
  record(entry: BriefRecord): Promise<void>;
}

/** A state store over one JSON file (default `data/briefings.json`, setting BRIEF_STATE_FILE). */
export function openBriefState(file: string): BriefStateStore {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = chain.then(task, task);
    chain = next.catch(() => {});
    return next;
  };
  return {
    last: (topicKey, channel) =>
      serial(async () => {
        const records = await readRecords(file);
        let found: BriefRecord | undefined;
        for (const r of records) if (r.topicKey === topicKey && r.channel === channel && (!found || r.at >= found.at)) found = r;
        return found;
      }),
    record: (entry) =>
      serial(async () => {
        const records = await readRecords(file);
        records.push(entry);
        const same = records.filter((r) => r.topicKey === entry.topicKey && r.channel === entry.channel);
        const drop = new Set(same.sort((a, b) => (a.at < b.at ? 1 : -1)).slice(KEEP_PER_TOPIC));
        const kept = records.filter((r) => !drop.has(r)).slice(-MAX_RECORDS);
        await writeAtomically(file, `${JSON.stringify({ version: 1, briefings: kept }, null, 1)}\n`);
      }),
  };
}

async function readRecords(file: string): Promise<BriefRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('BRIEF_STATE_INVALID', `Cannot read the briefing state ${file}; check its permissions (setting BRIEF_STATE_FILE).`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AppError('BRIEF_STATE_INVALID', `The briefing state ${file} is not JSON; delete it to start afresh (it only remembers what past briefings covered).`, { cause });
  }
  const checked = fileSchema.safeParse(parsed);
  if (!checked.success) {
    throw new AppError('BRIEF_STATE_INVALID', `The briefing state ${file} has an unknown shape; delete it to start afresh.`);
  }
  return checked.data.briefings;
}

/** Writes `text` to a temp file beside `file`, flushes it, then renames it over `file` (atomic on one file system). */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => {});
    throw new AppError('BRIEF_STATE_INVALID', `Cannot write the briefing state ${file}; check that its folder is writable (setting BRIEF_STATE_FILE).`, { cause });
  }
}
