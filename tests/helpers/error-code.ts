import { isAppError, type AppErrorCode } from '../../src/core/app-error.js';

/** The AppError code a promise rejects with, `resolved` when it does not reject, or `other: …` for any other error. */
export async function codeOf(promise: Promise<unknown>): Promise<AppErrorCode | 'resolved' | `other: ${string}`> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isAppError(error) ? error.code : `other: ${String(error)}`;
  }
}
