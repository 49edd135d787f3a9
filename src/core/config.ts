import { z } from 'zod';
import { AppError } from './app-error.js';
import type { LogLevel } from './logger.js';
import { ABSTENTION_MODEL } from '../answer/abstention-model.js';

const booleanString = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

/** Core settings: everything the CLI needs. Discord settings live in src/discord and are parsed separately. */
export const coreConfigSchema = z.object({
  CORPUS_DIR: z.string().min(1).default('corpus'),
  INDEX_DIR: z.string().min(1).default('index'),
  EMBEDDING_MODEL: z.string().min(1).default('Xenova/multilingual-e5-small'),
  MODEL_CACHE_DIR: z.string().min(1).default('models'),
  ALLOW_REMOTE_MODELS: booleanString.default('true'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ABSTENTION_THRESHOLD: z.coerce
    .number({ invalid_type_error: 'must be a number between 0 and 1' })
    .min(0, 'must be a number between 0 and 1')
    .max(1, 'must be a number between 0 and 1')
    .default(ABSTENTION_MODEL.threshold),
});

export interface CoreConfig {
  corpusDir: string;
  indexDir: string;
  /** Hub id (`Xenova/multilingual-e5-small`) or a local folder holding `config.json`, tokenizer and `onnx/`. */
  embeddingModel: string;
  /** Where downloaded models are cached (never inside node_modules). */
  modelCacheDir: string;
  /** false: never touch the network; only local folders and the cache are used. */
  allowRemoteModels: boolean;
  logLevel: LogLevel;
  /**
   * Abstain when the abstention model's probability that the corpus answers is below this (0..1). Default: the
   * threshold fitted on PIAF (`ABSTENTION_MODEL.threshold`, also used when absent); 0 never abstains, higher values
   * abstain more often.
   */
  abstentionThreshold?: number;
}

/** Flags that override environment variables (`--corpus`, `--index`). */
export interface ConfigFlags {
  corpus?: string;
  index?: string;
  model?: string;
}

/**
 * Parses settings once. `env` is a plain record (the entry point passes process.env); flags win over env.
 * Throws CONFIG_INVALID naming the setting and what it accepts.
 */
export function parseCoreConfig(env: Record<string, string | undefined>, flags: ConfigFlags = {}): CoreConfig {
  const raw = {
    CORPUS_DIR: flags.corpus ?? emptyToUndefined(env.CORPUS_DIR),
    INDEX_DIR: flags.index ?? emptyToUndefined(env.INDEX_DIR),
    EMBEDDING_MODEL: flags.model ?? emptyToUndefined(env.EMBEDDING_MODEL),
    MODEL_CACHE_DIR: emptyToUndefined(env.MODEL_CACHE_DIR),
    ALLOW_REMOTE_MODELS: emptyToUndefined(env.ALLOW_REMOTE_MODELS)?.toLowerCase(),
    LOG_LEVEL: emptyToUndefined(env.LOG_LEVEL)?.toLowerCase(),
    ABSTENTION_THRESHOLD: emptyToUndefined(env.ABSTENTION_THRESHOLD),
  };
  const parsed = coreConfigSchema.safeParse(raw);
  if (!parsed.success) throw configError(parsed.error, raw);
  const c = parsed.data;
  return {
    corpusDir: c.CORPUS_DIR,
    indexDir: c.INDEX_DIR,
    embeddingModel: c.EMBEDDING_MODEL,
    modelCacheDir: c.MODEL_CACHE_DIR,
    allowRemoteModels: c.ALLOW_REMOTE_MODELS,
    logLevel: c.LOG_LEVEL,
    abstentionThreshold: c.ABSTENTION_THRESHOLD,
  };
}

/** Builds a CONFIG_INVALID error whose message names each bad setting and the value it got. */
export function configError(error: z.ZodError, source: Record<string, unknown> = {}): AppError {
  const lines = error.issues.map((issue) => {
    const name = issue.path.join('.') || '(settings)';
    const got = source[name] === undefined ? '' : ` (got ${JSON.stringify(source[name])})`;
    return `${name}: ${issue.message}${got}`;
  });
  return new AppError('CONFIG_INVALID', `Invalid setting. ${lines.join('; ')}. Fix it in .env or the environment (see .env.example).`);
}

export function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
