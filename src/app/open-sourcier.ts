import { AppError, isAppError, type AppErrorCode } from '../core/app-error.js';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { siblingModule } from '../core/module-worker.js';
import type { CoreConfig } from '../core/config.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Answer, AskOptions, Embedder, IndexProgress, IndexStats, IndexSummary, Sourcier } from '../core/types.js';
import type { BuildIndexOptions } from '../indexing/build-index.js';
import { loadGeneration, type LoadedGeneration } from '../indexing/load-generation.js';
import { openStore } from '../store/index-store.js';
import { answerQuestion, findQuote } from '../answer/answer-question.js';
import { ABSTENTION_MODEL } from '../answer/abstention-model.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { answerInPeriod } from '../answer/answer-in-period.js';
import type { ReindexMessage, ReindexRequest } from './reindex-process.js';
import { buildBriefing, topicKey } from '../brief/build-briefing.js';
import { openBriefState } from '../brief/brief-state.js';
import { DEFAULT_BRIEF_STATE_FILE } from '../brief/brief-config.js';
import { answerWhoSaid, findSaid, whoSaidPhrase } from '../brief/find-said.js';

export interface OpenSourcierDeps {
  logger?: Logger;
  /** An embedder to use; `null` forces lexical-only; absent: load the configured model (falling back to lexical-only). */
  embedder?: Embedder | null;
  /** Build the index first when there is none (npm start). */
  buildIfMissing?: boolean;
  onProgress?: (progress: IndexProgress) => void;
  now?: () => Date;
  /** Briefing settings (see parseBriefConfig); default: state in data/briefings.json. */
  brief?: { stateFile?: string };
}

/**
 * Builds an index generation. Imported on first use: ingestion pulls in the HTML, YAML and legacy-encoding parsers,
 * which answering from an existing index never needs.
 */
async function buildIndex(options: BuildIndexOptions): Promise<IndexSummary> {
  return (await import('../indexing/build-index.js')).buildIndex(options);
}

interface EmbedderChoice {
  embedder?: Embedder;
  reason?: string;
}

/** Loads the configured model, or explains why Sourcier runs lexical-only. */
export async function chooseEmbedder(config: CoreConfig, deps: OpenSourcierDeps): Promise<EmbedderChoice> {
  const logger = deps.logger ?? silentLogger;
  if (deps.embedder === null) return { reason: 'lexical-only mode requested' };
  if (deps.embedder) return { embedder: deps.embedder };
  try {
    // transformers.js (and onnxruntime) are loaded only when a model is actually wanted.
    const { loadTransformersEmbedder } = await import('../embed/transformers-embedder.js');
    const embedder = await loadTransformersEmbedder({
      model: config.embeddingModel,
      cacheDir: config.modelCacheDir,
      allowRemote: config.allowRemoteModels,
      logger,
    });
    return { embedder };
  } catch (error) {
    if (!isAppError(error, 'MODEL_UNAVAILABLE')) throw error;
    const reason = `embedding model ${config.embeddingModel} unavailable, lexical-only search (${error.message})`;
    logger.warn('embedding model unavailable: continuing in lexical-only mode', { model: config.embeddingModel, reason: error.message });
    return { reason };
  }
}

/** `sourcier index`: builds a new generation from the corpus with the configured model (or lexical-only). */
export async function buildIndexFromConfig(
  config: CoreConfig,
  deps: OpenSourcierDeps & { rebuild?: boolean },
): Promise<IndexSummary> {
  const choice = await chooseEmbedder(config, deps);
  return buildIndex({
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    embedder: choice.embedder,
    modeReason: choice.reason,
    rebuild: deps.rebuild,
    logger: deps.logger,
    onProgress: deps.onProgress,
  });
}

/**
 * Opens the live index and returns the service the front doors use. A rebuild (reindex) builds a new generation while
 * the current one keeps answering, then swaps the in-memory snapshot in one assignment.
 */
export async function openSourcier(config: CoreConfig, deps: OpenSourcierDeps = {}): Promise<Sourcier> {
  const logger = deps.logger ?? silentLogger;
  const store = openStore(config.indexDir, { logger });
  // The model is loaded only when it is needed: alongside a hybrid index (to embed questions), or for a build. A
  // lexical-only index is served without loading transformers.js at all.
  let choice: EmbedderChoice | undefined =
    deps.embedder === null ? { reason: 'lexical-only mode requested' } : deps.embedder ? { embedder: deps.embedder } : undefined;
  let choosing: Promise<EmbedderChoice> | undefined;
  const getChoice = (): Promise<EmbedderChoice> =>
    (choosing ??= choice ? Promise.resolve(choice) : chooseEmbedder(config, deps).then((c) => (choice = c)));

  interface ServingState {
    generation: LoadedGeneration;
    snapshot: SearchSnapshot;
    reason?: string;
  }
  const load = async (): Promise<ServingState> => {
    const loaded = await store.loadLive(async (live) => {
      const chosen = (live.manifest as { mode?: string }).mode === 'hybrid' ? getChoice() : undefined;
      chosen?.catch(() => {}); // awaited below, once the index is read
      const generation = await loadGeneration(live, { serving: true, logger });
      return { generation, chosen: await chosen };
    });
    if (!loaded) {
      throw new AppError('INDEX_MISSING', `No index in ${config.indexDir}; run "sourcier index" (or "npm start", which builds it) first.`);
    }
    const { generation } = loaded;
    const embedder = (loaded.chosen ?? choice)?.embedder;
    const m = generation.manifest;
    let reason: string | undefined;
    let useVectors = m.mode === 'hybrid';
    if (m.mode === 'hybrid') {
      if (embedder && (embedder.modelId !== m.modelId || embedder.dimensions !== m.dimensions)) {
        throw new AppError(
          'INDEX_INCOMPATIBLE',
          `The index in ${config.indexDir} was built with model ${m.modelId} (${m.dimensions} dimensions) but EMBEDDING_MODEL is ${embedder.modelId} (${embedder.dimensions}); run "sourcier index --rebuild" to rebuild it with the configured model, or set EMBEDDING_MODEL=${m.modelId}.`,
        );
      }
      if (!embedder) {
        useVectors = false;
        reason = loaded.chosen?.reason ?? 'embedding model unavailable';
      }
    } else {
      reason = m.extra.modeReason ?? 'index built without vectors';
      if (embedder) reason = `index built lexical-only (${reason}); run "sourcier index" to add vectors`;
    }
    const snapshot: SearchSnapshot = {
      chunks: generation.chunks,
      articles: new Map(generation.articles.map((a) => [a.id, a])),
      lexical: generation.lexical!,
      duplicates: generation.duplicates,
      ...(useVectors && generation.vectors && embedder ? { vectors: generation.vectors, embedder } : {}),
    };
    return { generation, snapshot, reason };
  };

  let state: ServingState;
  try {
    state = await load();
  } catch (error) {
    if (!(deps.buildIfMissing && isAppError(error, 'INDEX_MISSING'))) throw error;
    logger.info('no index yet: building it from the corpus', { corpus: config.corpusDir, index: config.indexDir });
    const { embedder, reason } = await getChoice();
    await buildIndex({
      corpusDir: config.corpusDir,
      indexDir: config.indexDir,
      embedder,
      modeReason: reason,
      logger,
      onProgress: deps.onProgress,
    });
    state = await load();
  }
  if (state.reason) logger.warn('answering in lexical-only mode', { reason: state.reason });

  // The abstention threshold is a setting (ABSTENTION_THRESHOLD); the model's weights are fitted constants.
  const abstention =
    config.abstentionThreshold === undefined || config.abstentionThreshold === ABSTENTION_MODEL.threshold
      ? undefined
      : { ...ABSTENTION_MODEL, threshold: config.abstentionThreshold };
  const answer = (snapshot: SearchSnapshot, q: string, o: AskOptions): Promise<Answer> =>
    answerQuestion(snapshot, q, abstention ? { ...o, tuning: { abstention } } : o);

  let chunkKeys: Map<string, number> | undefined;
  let reindexing: Promise<IndexSummary> | undefined;
  const now = deps.now ?? (() => new Date());
  const briefState = openBriefState(deps.brief?.stateFile ?? DEFAULT_BRIEF_STATE_FILE);

  return {
    ask: (question, options = {}) => {
      // "Qui a dit …" is answered with attributed quotations only.
      const phrase = whoSaidPhrase(question);
      if (phrase !== undefined) return Promise.resolve(answerWhoSaid(state!.snapshot, question, phrase, options));
      return answerInPeriod(state!.snapshot, question, options, answer, now());
    },
    async brief(topic, options = {}) {
      const snapshot = state!.snapshot;
      const channel = options.channel ?? 'cli';
      const key = topicKey(topic);
      const at = options.now ?? now();
      const previous = options.newOnly ? await briefState.last(key, channel) : undefined;
      const briefing = await buildBriefing(snapshot, topic, {
        ...options,
        channel,
        now: at,
        ...(previous ? { exclude: new Set(previous.articleIds), previous: { at: previous.at, articles: previous.articleIds.length } } : {}),
      });
      if (options.record !== false) {
        // Covered: what this briefing showed, plus (for a "new only" briefing) what the previous one had covered.
        const covered = new Set([...(previous?.articleIds ?? []), ...briefing.sources.flatMap((s) => [s.articleId, ...(s.alsoIn ?? [])])]);
        await briefState.record({ topicKey: key, channel, at: at.toISOString(), articleIds: [...covered] });
      }
      return briefing;
    },
    said: (person, options = {}) => Promise.resolve(findSaid(state!.snapshot, person, options)),
    quote: (text, options = {}) => findQuote(state!.snapshot, text, options).then((a) => ({ ...a, question: text })),
    stats(): IndexStats {
      const g = state!.generation;
      const m = g.manifest;
      const mode = state!.snapshot.vectors ? 'hybrid' : 'lexical';
      return {
        articles: m.counts.articles,
        chunks: m.counts.chunks,
        mode,
        ...(m.modelId ? { modelId: m.modelId, dimensions: m.dimensions } : {}),
        bytes: g.bytes,
        builtAt: m.createdAt,
        generation: g.id,
        ...(m.extra.dateRange ? { dateRange: m.extra.dateRange } : {}),
        sources: m.extra.sources,
        ...(state!.reason ? { modeReason: state!.reason } : {}),
      };
    },
    passage(chunkId) {
      if (!chunkKeys) chunkKeys = new Map(state!.snapshot.chunks.map((c, i) => [c.id, i]));
      const key = chunkKeys.get(chunkId);
      if (key === undefined) return undefined;
      const chunk = state!.snapshot.chunks[key]!;
      const article = state!.snapshot.articles.get(chunk.articleId)!;
      return { chunk, article };
    },
    reindex(onProgress) {
      if (reindexing) return reindexing;
      reindexing = (async () => {
        try {
          const { embedder, reason } = await getChoice();
          // With the configured model (or none), the build runs in a child process so answers keep flowing; an
          // embedder passed in by the caller cannot cross processes, so that build runs here.
          const summary =
            deps.embedder === undefined || deps.embedder === null
              ? await reindexInWorker(config, { lexicalOnly: !embedder, modeReason: reason }, logger, onProgress).catch(
                  async (error: unknown) => {
                    if (!(error instanceof WorkerUnavailable)) throw error;
                    logger.warn('reindex worker unavailable: building on the serving thread', { reason: error.message });
                    return buildIndex({ corpusDir: config.corpusDir, indexDir: config.indexDir, embedder, modeReason: reason, logger, onProgress });
                  },
                )
              : await buildIndex({
                  corpusDir: config.corpusDir,
                  indexDir: config.indexDir,
                  embedder,
                  modeReason: reason,
                  logger,
                  onProgress,
                });
          const next = await load();
          state = next; // one assignment: in-flight answers keep the snapshot they started with
          chunkKeys = undefined;
          return summary;
        } finally {
          reindexing = undefined;
        }
      })();
      return reindexing;
    },
    async close() {
      if (reindexing) await reindexing.catch(() => {});
    },
  };
}

class WorkerUnavailable extends Error {}

/**
 * Runs `buildIndexFromConfig` in a child process (src/app/reindex-process.ts), forwarding its progress and logs. From
 * TypeScript sources (tsx, vitest) the child runs under tsx; when it cannot start, WorkerUnavailable.
 */
function reindexInWorker(
  config: CoreConfig,
  options: { lexicalOnly: boolean; modeReason?: string },
  logger: Logger,
  onProgress?: (progress: IndexProgress) => void,
): Promise<IndexSummary> {
  return new Promise((resolve, reject) => {
    let started = false;
    let settled = false;
    const request: ReindexRequest = { config, ...options };
    const entry = siblingModule(import.meta.url, 'reindex-process');
    let child: ChildProcess;
    try {
      child = fork(fileURLToPath(entry), [], {
        execArgv: entry.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    } catch (error) {
      reject(new WorkerUnavailable((error as Error).message));
      return;
    }
    // The child is never killed: it ends by itself once the build has settled (stopping it in the middle of a write
    // is what generations already survive, but there is no reason to).
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    child.on('message', (m: ReindexMessage) => {
      if (m.type === 'ready') {
        started = true;
        child.send(request);
      } else if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'log') logger[m.level](m.message, m.fields);
      else if (m.type === 'done') settle(() => resolve(m.summary));
      else settle(() => reject(m.code ? new AppError(m.code as AppErrorCode, m.message) : Object.assign(new Error(m.message), { stack: m.stack })));
    });
    child.on('error', (error) => settle(() => reject(started ? error : new WorkerUnavailable(error.message))));
    child.on('exit', (code, signal) =>
      settle(() =>
        reject(
          started
            ? new AppError('INTERNAL', `The index build process stopped (${signal ?? `code ${code}`}) before finishing; run the rebuild again.`)
            : new WorkerUnavailable(`the index build process exited (${signal ?? `code ${code}`}) before starting`),
        ),
      ),
    );
  });
}
