/**
 * The embedder adapter: the only file that imports @xenova/transformers. It loads a feature-extraction model
 * (a hub id such as `Xenova/multilingual-e5-small`, or a local folder) and turns texts into unit-length vectors by
 * mean pooling over the model's last hidden state.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { AutoModel, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@xenova/transformers';
import { AppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Embedder, TokenCounter } from '../core/types.js';
import { wordCachedTokenCounter } from './word-cached-token-counter.js';

export interface TransformersEmbedderOptions {
  /**
   * Hub id (`Xenova/multilingual-e5-small`) or a local folder holding `config.json`, the tokenizer files and
   * `onnx/model_quantized.onnx` (or `onnx/model.onnx` with `quantized: false`). See {@link isLocalModelPath}.
   */
  model: string;
  /** Folder where hub models are downloaded and looked up (never inside node_modules). Unused for local folders. */
  cacheDir: string;
  /** false: never touch the network; a hub id must already be in `cacheDir`. */
  allowRemote: boolean;
  /** Load `onnx/model_quantized.onnx` (true, default) or `onnx/model.onnx`. */
  quantized?: boolean;
  /** Texts per model call in `embedPassages` (default 16). */
  batchSize?: number;
  /**
   * Longest input in tokens, prefix and special tokens included; longer inputs are truncated.
   * Default and ceiling: min(512, the model's `max_position_embeddings`, the tokenizer's `model_max_length`).
   */
  maxTokens?: number;
  /** Prefixes put before queries and passages (default `'query: '` / `'passage: '`, the e5 convention). */
  prefixes?: { query: string; passage: string };
  logger?: Logger;
  /** onnxruntime intra-op threads per session (default min(2, available cores)); inter-op is always 1. */
  threads?: number;
}

const DEFAULT_BATCH_SIZE = 16;
const DEFAULT_MAX_TOKENS = 512;
const E5_PREFIXES = { query: 'query: ', passage: 'passage: ' };

/**
 * Whether `model` is written as a file-system path rather than a hub id: absolute, starting with `.`/`~`, a
 * Windows drive or backslash, or more than two segments (hub ids are `name` or `owner/name`). Pure: it does not
 * look at the disk. The loader also treats a one- or two-segment name as local when that folder holds config.json.
 */
export function isLocalModelPath(model: string): boolean {
  const name = model.trim();
  if (name === '') return false;
  if (path.isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name) || name.includes('\\')) return true;
  if (name === '.' || name === '..' || name.startsWith('./') || name.startsWith('../') || name.startsWith('~')) return true;
  return name.split('/').filter((s) => s !== '').length > 2;
}

/**
 * Loads the model and tokenizer and returns an {@link Embedder}. Rejects with `MODEL_UNAVAILABLE` (naming the
 * model, the cause and what to do) when anything fails; with `allowRemote: false` it never touches the network
 * and fails fast when the model is not on disk.
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<Embedder> {
  const logger = options.logger ?? silentLogger;
  // transformers.js keeps its settings in one module-level `env`; loads are serialised so that two loads with
  // different folders or network settings cannot see each other's settings.
  const load = loadQueue.then(() => loadUnlocked(options, logger));
  loadQueue = load.then(
    () => undefined,
    () => undefined,
  );
  return load;
}

let loadQueue: Promise<void> = Promise.resolve();

async function loadUnlocked(options: TransformersEmbedderOptions, logger: Logger): Promise<Embedder> {
  const started = Date.now();
  const quantized = options.quantized ?? true;
  const source = resolveSource(options);
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));

  env.allowLocalModels = true;
  env.useBrowserCache = false;
  if (source.kind === 'local') {
    env.localModelPath = source.parent;
    env.allowRemoteModels = false;
    // Nothing to cache for a folder already on disk, and a cache entry must not shadow the folder's files.
    env.useFSCache = false;
  } else {
    // The cache folder doubles as the local model path: a model downloaded once is found there offline.
    env.cacheDir = source.cacheDir;
    env.localModelPath = source.cacheDir;
    env.allowRemoteModels = options.allowRemote;
    env.useFSCache = true;
  }

  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  try {
    const fromPretrained = { quantized, local_files_only: source.kind === 'local' || !options.allowRemote };
    tokenizer = await AutoTokenizer.from_pretrained(source.name, fromPretrained);
    model = await withSessionThreads(threads, () => AutoModel.from_pretrained(source.name, fromPretrained));
  } catch (error) {
    throw unavailable(options, source, error);
  }

  const config = model.config as { hidden_size?: unknown; max_position_embeddings?: unknown };
  const dimensions = config.hidden_size;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions <= 0) {
    await model.dispose().catch(() => undefined);
    throw unavailable(options, source, new Error(`config.json has no positive integer hidden_size (got ${JSON.stringify(dimensions)})`));
  }
  const ceiling = Math.min(
    DEFAULT_MAX_TOKENS,
    typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : DEFAULT_MAX_TOKENS,
    typeof tokenizer.model_max_length === 'number' ? tokenizer.model_max_length : DEFAULT_MAX_TOKENS,
  );
  let maxTokens = ceiling;
  if (options.maxTokens !== undefined) {
    maxTokens = Math.max(8, Math.min(ceiling, Math.floor(options.maxTokens)));
    if (maxTokens !== options.maxTokens) {
      logger.warn('maxTokens adjusted to what the model takes', { model: options.model, requested: options.maxTokens, maxTokens });
    }
  }

  const embedder = new TransformersEmbedder(tokenizer, model, {
    modelId: options.model,
    dimensions,
    maxTokens,
    batchSize: Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE)),
    prefixes: options.prefixes ?? E5_PREFIXES,
    logger,
  });
  logger.info('embedding model loaded', {
    model: options.model,
    source: source.kind,
    quantized,
    dimensions,
    maxTokens,
    threads,
    ms: Date.now() - started,
  });
  return embedder;
}

type ModelSource =
  | { kind: 'local'; folder: string; parent: string; name: string }
  | { kind: 'hub'; name: string; cacheDir: string };

function resolveSource(options: TransformersEmbedderOptions): ModelSource {
  const folder = path.resolve(options.model.trim());
  const holdsConfig = existsSync(path.join(folder, 'config.json'));
  if (isLocalModelPath(options.model) || holdsConfig) {
    if (!holdsConfig) {
      const what = isDirectory(folder) ? `${folder} holds no config.json` : `there is no folder ${folder}`;
      throw new AppError(
        'MODEL_UNAVAILABLE',
        `Embedding model "${options.model}" cannot be loaded: ${what}. Set EMBEDDING_MODEL to a folder holding config.json, the tokenizer files and onnx/, or to a hub id such as Xenova/multilingual-e5-small.`,
      );
    }
    return { kind: 'local', folder, parent: path.dirname(folder), name: path.basename(folder) };
  }
  return { kind: 'hub', name: options.model.trim(), cacheDir: path.resolve(options.cacheDir) };
}

function isDirectory(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

function unavailable(options: TransformersEmbedderOptions, source: ModelSource, error: unknown): AppError {
  const cause = firstLine(error);
  const todo =
    source.kind === 'local'
      ? `Check that ${source.folder} holds config.json, tokenizer.json, tokenizer_config.json and onnx/model${options.quantized === false ? '' : '_quantized'}.onnx, or set EMBEDDING_MODEL to another model.`
      : options.allowRemote
        ? `Check the network and that the hub id exists, or set EMBEDDING_MODEL to a local folder.`
        : `Remote downloads are off and it is not in ${source.cacheDir}: run once with internet (ALLOW_REMOTE_MODELS=true) to download it into MODEL_CACHE_DIR, or set EMBEDDING_MODEL to a local folder.`;
  return new AppError('MODEL_UNAVAILABLE', `Embedding model "${options.model}" could not be loaded (${cause}). ${todo}`, { cause: error });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line.trim();
}

// ---------------------------------------------------------------------------------------------------------------
// onnxruntime threads. transformers.js 2.17 creates its sessions with only `executionProviders`, so the thread
// count is added by wrapping onnxruntime's `InferenceSession.create` while a model loads. The runtime is taken from
// where @xenova/transformers resolves it, so it is the very instance transformers.js uses.

interface SessionFactory {
  create: (...args: unknown[]) => Promise<unknown>;
}

let sessionFactory: SessionFactory | undefined;

function onnxSessionFactory(): SessionFactory | undefined {
  if (sessionFactory) return sessionFactory;
  try {
    const requireFromTransformers = createRequire(createRequire(import.meta.url).resolve('@xenova/transformers'));
    const ort = requireFromTransformers('onnxruntime-node') as { InferenceSession?: SessionFactory };
    sessionFactory = ort.InferenceSession;
  } catch {
    sessionFactory = undefined; // Not fatal: sessions then use onnxruntime's default thread count.
  }
  return sessionFactory;
}

async function withSessionThreads<T>(threads: number, run: () => Promise<T>): Promise<T> {
  const factory = onnxSessionFactory();
  if (!factory) return run();
  const original = factory.create;
  factory.create = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (args.length >= 2 && typeof last === 'object' && last !== null && !ArrayBuffer.isView(last) && !(last instanceof ArrayBuffer)) {
      args[args.length - 1] = { intraOpNumThreads: threads, interOpNumThreads: 1, ...last };
    } else {
      args.push({ intraOpNumThreads: threads, interOpNumThreads: 1 });
    }
    return original.apply(factory, args);
  };
  try {
    return await run();
  } finally {
    factory.create = original;
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface EmbedderSettings {
  modelId: string;
  dimensions: number;
  maxTokens: number;
  batchSize: number;
  prefixes: { query: string; passage: string };
  logger?: Logger;
}

interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: number[];
}

/** {@link Embedder} over a transformers.js tokenizer and model: mean pooling, then L2 normalisation. */
export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxTokens: number;
  readonly tokenCounter: TokenCounter;
  private readonly batchSize: number;
  private readonly prefixes: { query: string; passage: string };

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    settings: EmbedderSettings,
  ) {
    this.modelId = settings.modelId;
    this.dimensions = settings.dimensions;
    this.maxTokens = settings.maxTokens;
    this.batchSize = settings.batchSize;
    this.prefixes = settings.prefixes;
    const passagePrefix = settings.prefixes.passage;
    // What must fit is the prefixed passage with [CLS]/[SEP], so that is what is counted; word by word from a cache
    // (checked against whole-text counts), since chunking counts every sentence of the corpus.
    const logger = settings.logger ?? silentLogger;
    this.tokenCounter = wordCachedTokenCounter((text: string) => tokenizer.encode(passagePrefix + text).length, {
      onMismatch: (text, cached, exact) =>
        logger.debug('token counts by word differ from whole-text counts for this tokenizer: counting whole texts', { model: this.modelId, cached, exact, sample: text.slice(0, 80) }),
    });
  }

  async embedPassages(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => this.prefixes.passage + t);
      vectors.push(...(await this.embedBatch(batch)));
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.embedBatch([this.prefixes.query + text]);
    return vector!;
  }

  private async embedBatch(texts: string[]): Promise<Float32Array[]> {
    const inputs = this.tokenizer(texts, { padding: true, truncation: true, max_length: this.maxTokens }) as Record<string, TensorLike>;
    const outputs = (await this.model(inputs)) as Record<string, TensorLike | undefined>;
    const hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
    if (!hidden) throw new Error(`Model "${this.modelId}" returned no last_hidden_state (outputs: ${Object.keys(outputs).join(', ')}).`);
    return meanPoolNormalized(hidden, inputs.attention_mask!);
  }
}

/** Mean of the token vectors where the mask is 1, scaled to unit length, one Float32Array per row. */
function meanPoolNormalized(hidden: TensorLike, mask: TensorLike): Float32Array[] {
  const [batch, sequence, width] = hidden.dims as [number, number, number];
  const values = hidden.data as ArrayLike<number>;
  const result: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Float64Array(width);
    let count = 0;
    for (let s = 0; s < sequence; s++) {
      if (Number(mask.data[b * sequence + s]) === 0) continue;
      count++;
      const offset = (b * sequence + s) * width;
      for (let d = 0; d < width; d++) sum[d] += values[offset + d]!;
    }
    let norm = 0;
    for (let d = 0; d < width; d++) {
      sum[d] /= Math.max(1, count);
      norm += sum[d]! * sum[d]!;
    }
    norm = Math.sqrt(norm);
    const vector = new Float32Array(width);
    for (let d = 0; d < width; d++) vector[d] = norm > 0 ? sum[d]! / norm : 0;
    result.push(vector);
  }
  return result;
}
