import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FeedbackEntry {
  /** ISO time of the click. */
  time: string;
  verdict: 'up' | 'down';
  command: string;
  question: string;
  chunkIds: string[];
  /** sha256 of the Discord user id (first 16 hex chars): counts repeat voters without storing who they are. */
  userHash: string;
  guildId?: string;
}

/** Hashes a Discord user id for the feedback file. */
export function hashUserId(userId: string): string {
  return createHash('sha256').update(`sourcier-feedback:${userId}`).digest('hex').slice(0, 16);
}

/** Appends one JSON line to the feedback file, creating its folder. Appends of one short line are atomic on POSIX. */
export async function appendFeedback(file: string, entry: FeedbackEntry): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(entry)}\n`, 'utf8');
}
