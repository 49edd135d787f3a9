/** Structured logger passed into the core; the front doors decide where lines go. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Writes one JSON line per entry through `write` (stderr in the CLI), dropping entries below `level`. */
export function createLogger(level: LogLevel, write: (line: string) => void, redact: (s: string) => string = (s) => s): Logger {
  const emit = (entryLevel: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[entryLevel] < ORDER[level]) return;
    const entry = { time: new Date().toISOString(), level: entryLevel, msg: message, ...fields };
    write(redact(JSON.stringify(entry, errorReplacer)));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  }
  return value;
}

/** A logger that drops everything; the default for library use and tests. */
export const silentLogger: Logger = createLogger('silent', () => {});
