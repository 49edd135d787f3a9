/**
 * The one error type Sourcier throws on purpose. `code` is for programs (tests, the Discord layer that maps it to a
 * French sentence); `message` is for people and always says what was found and what to do.
 */
export type AppErrorCode =
  | 'CONFIG_INVALID'
  | 'CORPUS_MISSING'
  | 'CORPUS_EMPTY'
  | 'ARTICLE_INVALID'
  | 'INDEX_MISSING'
  | 'INDEX_INCOMPATIBLE'
  | 'INDEX_CORRUPT'
  | 'INDEX_WRITE_FAILED'
  | 'INDEX_LOCKED'
  | 'MODEL_UNAVAILABLE'
  | 'QUESTION_INVALID'
  | 'EVAL_FILE_INVALID'
  | 'BRIEF_STATE_INVALID'
  | 'BUSY'
  | 'TIMEOUT'
  | 'RATE_LIMITED'
  | 'FORBIDDEN'
  | 'DISCORD_FATAL'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
