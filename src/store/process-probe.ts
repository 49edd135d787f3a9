// The one place the store reads the process: the lock file must name its owner, and recovering a stale lock means
// asking whether another pid is still alive. Both are defaults that callers and tests can replace (StoreDeps).
import { kill, pid } from 'node:process';

/** This process's id. */
export const currentPid: number = pid;

/** True when a process with this id exists on this host (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(target: number): boolean {
  if (!Number.isSafeInteger(target) || target <= 0) return false;
  try {
    kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
