import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '../core/app-error.js';
import type { Logger } from '../core/logger.js';
import type { StoreFs } from './store-fs.js';

/** What `index/.lock` holds. */
export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Random id of this holder, so a holder only ever removes its own lock. */
  token: string;
}

/** Frees the lock; safe to call twice. Never removes a lock another holder has taken since. */
export type Release = () => Promise<void>;

export interface LockDeps {
  fs: StoreFs;
  logger: Logger;
  now: () => Date;
  pid: number;
  hostname: string;
  isProcessAlive: (pid: number) => boolean;
  /** Time this host booted: a lock from before it belongs to a process that no longer exists. */
  bootTime: Date;
  /** A lock older than this is stale whatever its pid (milliseconds). */
  staleLockMs: number;
}

export const LOCK_FILE = '.lock';
const LOCK_TEMP_PREFIX = '.lock.';

/** Why a lock is stale, or undefined when its holder may still be writing. */
export function staleReason(info: LockInfo | undefined, deps: LockDeps): string | undefined {
  if (!info) return 'the lock file is unreadable';
  const started = Date.parse(info.startedAt);
  if (!Number.isFinite(started)) return 'the lock file has no valid start time';
  const age = deps.now().getTime() - started;
  if (age > deps.staleLockMs) return `it was taken ${Math.round(age / 60_000)} minutes ago`;
  if (info.host === deps.hostname) {
    if (!deps.isProcessAlive(info.pid)) return `process ${info.pid} is gone`;
    if (started < deps.bootTime.getTime()) return 'it was taken before this machine started';
  }
  return undefined;
}

export async function readLock(fs: StoreFs, path: string): Promise<LockInfo | undefined | 'absent'> {
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string' && typeof v.token === 'string') {
      return v as LockInfo;
    }
  } catch {
    // fall through: damaged
  }
  return undefined;
}

/**
 * Takes `indexDir/.lock` for one writer. The lock file appears with its full content in one step (written to a
 * temporary name, then hard-linked, which fails if the lock exists), so a reader never sees a half-written lock.
 * A stale lock is moved aside and taken; a live one is INDEX_LOCKED.
 */
export async function acquireIndexLock(indexDir: string, deps: LockDeps): Promise<{ release: Release; info: LockInfo }> {
  const { fs, logger } = deps;
  const lockPath = join(indexDir, LOCK_FILE);
  const info: LockInfo = { pid: deps.pid, host: deps.hostname, startedAt: deps.now().toISOString(), token: randomBytes(8).toString('hex') };
  const temp = join(indexDir, `${LOCK_TEMP_PREFIX}${info.token}`);
  const failed = (step: string, error: unknown) =>
    new AppError('INDEX_WRITE_FAILED', `Could not ${step} ${lockPath} (${errorCode(error)}); check that the index folder is writable and has free space.`, { cause: error });

  try {
    await fs.mkdir(indexDir, { recursive: true });
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.rm(temp, { recursive: false, force: true }).catch(() => {});
    throw failed('create', error);
  }

  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await createExclusive(fs, temp, lockPath, info);
        logger.debug('index lock taken', { lock: lockPath, pid: info.pid });
        let released = false;
        const release: Release = async () => {
          if (released) return;
          released = true;
          const current = await readLock(fs, lockPath);
          if (current !== 'absent' && current?.token === info.token) await fs.unlink(lockPath).catch(() => {});
        };
        return { release, info };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw failed('create', error);
      }
      const holder = await readLock(fs, lockPath);
      if (holder === 'absent') continue; // released meanwhile
      const reason = staleReason(holder, deps);
      if (!reason || attempt >= 3) throw lockedError(indexDir, lockPath, holder);
      // Move the stale lock aside, then make sure what we moved is the lock we judged stale: another process may
      // have recovered it and taken a fresh one in between, which must be put back untouched.
      const aside = `${lockPath}.stale-${info.token}`;
      try {
        await fs.rename(lockPath, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw failed('recover the stale lock', error);
      }
      const moved = await readLock(fs, aside);
      const sameHolder = moved !== 'absent' && (moved === undefined ? holder === undefined : moved.token === holder?.token);
      if (!sameHolder) {
        await fs.link(aside, lockPath).catch(() => {});
        await fs.unlink(aside).catch(() => {});
        throw lockedError(indexDir, lockPath, moved === 'absent' ? undefined : moved);
      }
      await fs.unlink(aside).catch(() => {});
      logger.warn('stale index lock recovered', { lock: lockPath, reason, previousHolder: holder });
    }
  } finally {
    await fs.unlink(temp).catch(() => {});
  }
}

/**
 * Creates the lock with its content in one step: a hard link of the fully written temp file (fails with EEXIST if a
 * lock exists). File systems without hard links get an exclusive create and write instead (a crash in between leaves
 * an unreadable lock, which the next locker treats as stale).
 */
async function createExclusive(fs: StoreFs, temp: string, lockPath: string, info: LockInfo): Promise<void> {
  try {
    await fs.link(temp, lockPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTSUP' && code !== 'EPERM' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    const handle = await fs.open(lockPath, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Is `name` (an entry of the index folder) a lock staging file left by a crash? */
export function isLockTemp(name: string): boolean {
  return name.startsWith(LOCK_TEMP_PREFIX) && name !== LOCK_FILE;
}

function lockedError(indexDir: string, lockPath: string, holder: LockInfo | undefined): AppError {
  const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.startedAt})` : 'another process';
  return new AppError(
    'INDEX_LOCKED',
    `The index in ${indexDir} is being written by ${who}; wait for that build to finish, or, if that process is gone, delete ${lockPath} and retry.`,
  );
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
