import { z } from 'zod';
import { AppError } from '../core/app-error.js';
import { configError, emptyToUndefined } from '../core/config.js';

/** A sliding-window limit: at most `count` requests per `windowMs` milliseconds. */
export interface RateLimit {
  count: number;
  windowMs: number;
}

/**
 * Discord settings, separate from the core settings so the CLI runs without a token.
 * Every list is a set of Discord ids (snowflakes); an empty list means "no restriction".
 */
export interface DiscordConfig {
  /** Bot token (DISCORD_TOKEN). Required to start the bot or deploy commands. */
  token: string;
  /** Application id (DISCORD_APPLICATION_ID), needed to deploy commands. */
  applicationId?: string;
  /** Development guild (DISCORD_GUILD_ID): commands are deployed there instead of globally. */
  guildId?: string;
  allowedGuilds: string[];
  allowedChannels: string[];
  allowedRoles: string[];
  /** Users allowed to run /reindex (on top of the Manage Server permission). */
  adminUsers: string[];
  adminRoles: string[];
  /** Per user, default 5 per 60 s. */
  userRate: RateLimit;
  /** Per channel, default 20 per 60 s. */
  channelRate: RateLimit;
  /** Longest question accepted, in characters (default 500). */
  maxQuestionChars: number;
  /** REST base URL without version (default https://discord.com/api); the gateway URL is asked from it. */
  apiUrl?: string;
  /** Open a thread under each /ask answer (default false). */
  askThreads: boolean;
  /** Answer messages that mention the bot; adds the (non-privileged) GuildMessages intent (default false). */
  mentions: boolean;
  /** JSONL file the 👍/👎 buttons append to (default data/feedback.jsonl). */
  feedbackFile: string;
  /** Questions answered at once (default 2). */
  queueConcurrency: number;
  /** Questions waiting or running before users are told the bot is busy (default 20). */
  queueMax: number;
  /** Milliseconds before a question gets the timeout message (default 20000). */
  answerTimeoutMs: number;
}

const idList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
  .refine((ids) => ids.every((id) => /^\d{5,25}$/.test(id)), 'expected a comma-separated list of Discord ids (digits)');

const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const parsed = parseRate(s);
      if (!parsed) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected COUNT/WINDOW such as "5/60s", "20/1m" or "100/1h"' });
        return z.NEVER;
      }
      return parsed;
    });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  DISCORD_TOKEN: z.string({ required_error: 'is required to connect to Discord' }).min(1),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{5,25}$/, 'expected a Discord id (digits)').optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d{5,25}$/, 'expected a Discord id (digits)').optional(),
  DISCORD_ALLOWED_GUILDS: idList,
  DISCORD_ALLOWED_CHANNELS: idList,
  DISCORD_ALLOWED_ROLES: idList,
  DISCORD_ADMIN_USERS: idList,
  DISCORD_ADMIN_ROLES: idList,
  DISCORD_USER_RATE: rate('5/60s'),
  DISCORD_CHANNEL_RATE: rate('20/60s'),
  DISCORD_MAX_QUESTION_CHARS: positiveInt(500).refine((n) => n <= 4000, 'must be at most 4000'),
  DISCORD_API_URL: z.string().url('expected an http(s) URL such as http://127.0.0.1:8080/api').optional(),
  DISCORD_ASK_THREADS: bool,
  DISCORD_MENTIONS: bool,
  FEEDBACK_FILE: z.string().min(1).default('data/feedback.jsonl'),
  DISCORD_QUEUE_CONCURRENCY: positiveInt(2),
  DISCORD_QUEUE_MAX: positiveInt(20),
  DISCORD_ANSWER_TIMEOUT_MS: positiveInt(20_000),
});

/** Names of every setting this module reads, for .env.example and error messages. */
export const DISCORD_SETTINGS = Object.keys(schema.shape) as Array<keyof typeof schema.shape>;

/**
 * Parses the Discord settings from a plain record (the entry point passes process.env).
 * Throws CONFIG_INVALID naming each bad variable. The token never appears in the message.
 */
export function parseDiscordConfig(env: Record<string, string | undefined>): DiscordConfig {
  const raw: Record<string, string | undefined> = {};
  for (const name of DISCORD_SETTINGS) {
    const value = emptyToUndefined(env[name]);
    raw[name] = name === 'DISCORD_ASK_THREADS' || name === 'DISCORD_MENTIONS' ? value?.toLowerCase() : value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { DISCORD_TOKEN: _secret, ...shown } = raw;
    throw configError(parsed.error, shown);
  }
  const c = parsed.data;
  if (c.DISCORD_QUEUE_CONCURRENCY > c.DISCORD_QUEUE_MAX) {
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid setting. DISCORD_QUEUE_CONCURRENCY (${c.DISCORD_QUEUE_CONCURRENCY}) is larger than DISCORD_QUEUE_MAX (${c.DISCORD_QUEUE_MAX}); lower it or raise DISCORD_QUEUE_MAX.`,
    );
  }
  return {
    token: c.DISCORD_TOKEN,
    applicationId: c.DISCORD_APPLICATION_ID,
    guildId: c.DISCORD_GUILD_ID,
    allowedGuilds: c.DISCORD_ALLOWED_GUILDS,
    allowedChannels: c.DISCORD_ALLOWED_CHANNELS,
    allowedRoles: c.DISCORD_ALLOWED_ROLES,
    adminUsers: c.DISCORD_ADMIN_USERS,
    adminRoles: c.DISCORD_ADMIN_ROLES,
    userRate: c.DISCORD_USER_RATE,
    channelRate: c.DISCORD_CHANNEL_RATE,
    maxQuestionChars: c.DISCORD_MAX_QUESTION_CHARS,
    apiUrl: c.DISCORD_API_URL?.replace(/\/+$/, ''),
    askThreads: c.DISCORD_ASK_THREADS,
    mentions: c.DISCORD_MENTIONS,
    feedbackFile: c.FEEDBACK_FILE,
    queueConcurrency: c.DISCORD_QUEUE_CONCURRENCY,
    queueMax: c.DISCORD_QUEUE_MAX,
    answerTimeoutMs: c.DISCORD_ANSWER_TIMEOUT_MS,
  };
}

/** "5/60s", "20/1m", "100/1h", "3/500ms" -> { count, windowMs }; undefined when malformed. */
export function parseRate(text: string): RateLimit | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)?\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!m) return undefined;
  const count = Number(m[1]);
  const amount = m[2] === undefined ? 1 : Number(m[2]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[3]!.toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  if (count < 1 || amount < 1) return undefined;
  return { count, windowMs: amount * unit };
}
