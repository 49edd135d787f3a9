import type { Logger } from '../core/logger.js';

const REDACTED = '[redacted]';

/**
 * Removes secrets from text bound for logs or error messages: the given secrets (the bot token) wherever they
 * appear, the token part of interaction and webhook URLs (`/interactions/<id>/<token>/callback`,
 * `/webhooks/<app>/<token>`), `Bot <token>` authorisation headers, and anything shaped like a bot token.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(/(\/interactions\/\d+\/)[^/\s?"'#]+/g, `$1${REDACTED}`)
    .replace(/(\/webhooks\/\d+\/)[^/\s?"'#]+/g, `$1${REDACTED}`)
    .replace(/(Bot\s+)[\w.-]{20,}/g, `$1${REDACTED}`)
    .replace(/[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}/g, REDACTED);
}

/** Redacts every string (and error message/stack) in `value`, deeply. */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 6) return value;
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactSecrets(value.message, secrets),
      code: (value as { code?: unknown }).code,
      stack: value.stack === undefined ? undefined : redactSecrets(value.stack, secrets),
      ...(value.cause !== undefined ? { cause: redactValue(value.cause, secrets, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth + 1)]));
  }
  return value;
}

/** A logger that redacts the message and every field before passing them on. */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void =>
      logger[level](redactSecrets(message, secrets), fields === undefined ? undefined : (redactValue(fields, secrets) as Record<string, unknown>));
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
