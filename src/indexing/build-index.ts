import { open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Article, Chunk, Embedder, IndexProgress, IndexSummary, TokenCounter } from '../core/types.js';
import { readCorpus } from '../ingest/read-corpus.js';
import { chunkArticle } from '../chunk/chunk-article.js';
import { estimateTokenCounter } from '../chunk/estimate-token-counter.js';
import { buildLexicalIndex, deserializeLexicalIndex, LEXICAL_HEADER_MAX, readLexicalIndexInfo, resolveLexicalSettings, serializeLexicalIndex } from '../lexical/bm25-index.js';
import { deserializeLexicalDelta, segmentsSize, serializeLexicalDelta, updateLexicalSegments, type PreviousLexical } from '../lexical/lexical-segments.js';
import { startHnswBuilder, type HnswBuilder } from './hnsw-builder.js';
import { updateHnswFile } from './update-hnsw-file.js';
import { groupDuplicates } from '../dedup/group-duplicates.js';
import { decodeSketches, encodeSketches, type StoredDedup } from '../dedup/sketch-file.js';
import { openStore, type ManifestFile, type StoreFs } from '../store/index-store.js';
import { encodeArticleDelta, encodeArticleTable, planArticleDelta } from './article-table.js';
import { ChunkPacker, encodeChunkTable } from './chunk-table.js';
import { loadGeneration, type LoadedGeneration } from './load-generation.js';
import { INDEX_FILES, INDEX_FORMAT_VERSION, type ChunkingOptions, type SourcierManifest } from './index-format.js';

export interface BuildIndexOptions {
  corpusDir: string;
  indexDir: string;
  /** Absent: lexical-only index (the model could not be loaded; `modeReason` says why). */
  embedder?: Embedder;
  modeReason?: string;
  chunking?: Partial<Omit<ChunkingOptions, 'tokenizer'>>;
  /** Re-process every article even when unchanged. */
  rebuild?: boolean;
  logger?: Logger;
  onProgress?: (progress: IndexProgress) => void;
  /** Passages embedded per model call (default 32). */
  embedBatchSize?: number;
  /**
   * Build the HNSW graph in a worker thread, overlapping embedding (falls back to the calling thread when the runtime
   * cannot start the worker). Default: with at least 2 cores and 50,000 chunks. On 2 cores the worker competes with
   * onnxruntime's two threads, so the model runs slower, but at scale the overlap wins: all 36,152 OrangeSum articles
   * (285k chunks, tiny model) built in 274 s threaded vs 359 s in thread (embedding 225 s vs 189 s, the graph wait
   * 0.3 s vs 115 s; measured when the lexical index was built after the embedding, overlapping the graph too); at
   * 5,000 articles (47k chunks) it was a tie (81.8 s vs 80.2 s). Below that starting the worker costs more than it saves.
   */
  threadedHnsw?: boolean;
  /** File system the index store writes through (default: node:fs/promises); tests inject ENOSPC, EROFS, ENOENT. */
  storeFs?: StoreFs;
}

/** Default chunking: ~160 tokens a chunk (good passages to quote), never over the model's input, one sentence overlap. */
export const DEFAULT_CHUNKING = { targetTokens: 160, maxTokens: 512, overlapSentences: 1 } as const;

/**
 * corpus/ -> ingest -> chunk -> embed -> index/: builds a new index generation and makes it live atomically.
 * Articles whose content hash is unchanged since the live generation keep their chunks and vectors (not re-embedded).
 */
export async function buildIndex(options: BuildIndexOptions): Promise<IndexSummary> {
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? (() => {});
  const started = performance.now();
  const stages: Record<string, number> = {};
  let stageStart = started;
  /** Closes the current stage: adds its wall time to `stages[name]` (seconds). */
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = (stages[name] ?? 0) + (now - stageStart) / 1000;
    stageStart = now;
  };
  const embedder = options.embedder;
  const tokenCounter: TokenCounter = embedder?.tokenCounter ?? estimateTokenCounter;
  const chunking: ChunkingOptions = {
    targetTokens: options.chunking?.targetTokens ?? DEFAULT_CHUNKING.targetTokens,
    maxTokens: Math.min(options.chunking?.maxTokens ?? DEFAULT_CHUNKING.maxTokens, embedder?.maxTokens ?? Infinity),
    overlapSentences: options.chunking?.overlapSentences ?? DEFAULT_CHUNKING.overlapSentences,
    tokenizer: embedder ? embedder.modelId : 'estimate',
  };

  const store = openStore(options.indexDir, { logger, ...(options.storeFs ? { fs: options.storeFs } : {}) });
  const release = await store.lock();
  try {
    await store.cleanup();

    // Previous generation: reused for unchanged articles when it was chunked and embedded the same way.
    let previous: LoadedGeneration | undefined;
    if (!options.rebuild) {
      try {
        previous = await store.loadLive((live) => loadGeneration(live, { logger }));
      } catch (error) {
        if (!isAppError(error)) throw error;
        logger.warn('previous index unusable, rebuilding everything', { code: error.code, reason: error.message });
      }
    }
    const reusable =
      previous !== undefined &&
      previous.manifest.formatVersion === INDEX_FORMAT_VERSION &&
      sameChunking(previous.manifest.chunking, chunking) &&
      (previous.manifest.modelId ?? null) === (embedder?.modelId ?? null) &&
      (previous.manifest.dimensions ?? null) === (embedder?.dimensions ?? null);

    lap('previous');

    // JSONL lines unchanged since the previous generation give back its articles without being parsed and cleaned.
    const reuse = previous ? await readPreviousFingerprints(previous, logger) : undefined;
    const { articles, outcomes, fingerprints, reused: articlesReused } = await readCorpus(options.corpusDir, {
      logger,
      ...(reuse ? { reuse } : {}),
      onProgress: (done, total) => progress({ stage: 'read', done, total }),
    });
    const skipped = outcomes.flatMap((o) => (o.status === 'skipped' ? [{ path: o.path, reason: o.reason }] : []));
    for (const s of skipped) logger.warn('file skipped', s);
    if (articles.length === 0) {
      throw new AppError(
        'CORPUS_EMPTY',
        `No article could be read from ${options.corpusDir} (${skipped.length} file(s) skipped). Add .txt, .md, .html or .jsonl articles, or set CORPUS_DIR / --corpus.`,
      );
    }
    articles.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    lap('read');

    // Chunk: reuse unchanged articles' chunks and vectors.
    const previousById = new Map<string, { article: Article; chunks: number[] }>();
    if (previous && reusable) {
      const byArticle = new Map<string, number[]>();
      previous.chunks.forEach((c, key) => {
        let list = byArticle.get(c.articleId);
        if (!list) byArticle.set(c.articleId, (list = []));
        list.push(key);
      });
      for (const a of previous.articles) previousById.set(a.id, { article: a, chunks: byArticle.get(a.id) ?? [] });
    }
    const chunks: Chunk[] = [];
    // New chunks are packed as they are made (a few integers each instead of objects, kept until the end).
    const packer = new ChunkPacker(articles);
    const toEmbed: number[] = [];
    // Previous chunk key -> new key (-1: gone), for the incremental lexical and vector index updates.
    const keyMap = new Int32Array(previous && reusable ? previous.chunks.length : 0).fill(-1);
    // Previous article position -> new one, for reusing dedup sketches.
    const previousArticleAt = new Map<string, number>();
    if (previous && reusable) previous.articles.forEach((a, i) => previousArticleAt.set(a.id, i));
    const reusedArticleFrom: Array<number | undefined> = new Array(articles.length);
    let added = 0;
    let changed = 0;
    let unchanged = 0;
    articles.forEach((article, i) => {
      const prev = previousById.get(article.id);
      if (prev && prev.article.hash === article.hash) {
        unchanged++;
        reusedArticleFrom[i] = previousArticleAt.get(article.id);
        for (const key of prev.chunks) {
          keyMap[key] = chunks.length;
          chunks.push(previous!.chunks[key]!);
        }
      } else {
        if (prev) changed++;
        else added++;
        for (const chunk of chunkArticle(article, { tokenCounter, ...chunking })) {
          toEmbed.push(chunks.length);
          chunks.push(packer.add(chunk, i));
        }
      }
      if (i % 500 === 0 || i === articles.length - 1) progress({ stage: 'chunk', done: i + 1, total: articles.length });
    });
    const currentIds = new Set(articles.map((a) => a.id));
    const removed = previous && reusable ? previous.articles.filter((a) => !currentIds.has(a.id)).length : 0;
    if (previous && !reusable) logger.info('index settings changed since the last build: every article is re-processed');
    lap('chunk');

    // The lexical index is built before the embedding and kept only as its bytes until they are written. Built after
    // the embedding, it ran on a heap that V8 had let grow far beyond what was live (608 MB committed for 230 MB live
    // right after it, in one run), and its arrays and their serialised copy were held at once while the other files
    // were written: two full OrangeSum tiny-model builds that way peaked at 917 and 1,316 MB RSS, 808 MB this way.
    // Incremental when the previous generation's lexical index can be read and was built with today's settings:
    // only the new chunks are analysed, and the previous base is kept (linked, not written again) with a new delta,
    // until the delta and the gone chunks grow past MERGE_SHARE of it and are merged into the full build's index.
    const articleMap = new Map(articles.map((a) => [a.id, a]));
    /**
     * The lexical index's bytes (a whole index), or the delta's bytes to write beside the previous base; and whether
     * it was derived from the previous generation's.
     */
    const makeLexical = async (): Promise<{ bytes?: Uint8Array; delta?: Uint8Array; reused: boolean }> => {
      progress({ stage: 'index', done: 0, total: chunks.length });
      const previousLexical = previous && reusable ? await readPreviousLexical(previous, logger) : undefined;
      if (!previousLexical) return { bytes: serializeLexicalIndex(buildLexicalIndex(chunks, articleMap)), reused: false };
      const next = await updateLexicalSegments(previousLexical, { keyMap, added: toEmbed.map((key) => ({ key, chunk: chunks[key]! })), size: chunks.length }, articleMap);
      return next.delta ? { delta: serializeLexicalDelta(previousLexical.base, next.delta), reused: true } : { bytes: serializeLexicalIndex(next.index), reused: true };
    };
    // An incremental build with a model updates the previous graph on a worker thread after the embedding: its
    // lexical update (a second or two) then runs alongside, instead of before the embedding.
    const updateGraph = embedder !== undefined && previous !== undefined && reusable && previous.manifest.mode === 'hybrid';
    let lexical = updateGraph ? undefined : await makeLexical();
    lap('lexical');

    // Every vector in one table, row `key` for chunk `key` (rows of reused chunks copied from the previous generation);
    // the vector file is this table's bytes. A Float32Array per chunk cost ~190 bytes of heap each besides its payload
    // and the payload's native bookkeeping (285k chunks: ~100 MB for 36 MB of floats).
    const dims = embedder?.dimensions ?? 0;
    const vectors = new Float32Array(embedder ? chunks.length * dims : 0);
    const vectorOf = (key: number) => vectors.subarray(key * dims, (key + 1) * dims);
    const reusedKeys: number[] = [];
    if (embedder && previous && reusable) {
      keyMap.forEach((key, previousKey) => {
        const vector = key >= 0 ? previous!.vectorOf(previousKey) : undefined;
        if (vector) {
          vectors.set(vector, key * dims);
          reusedKeys.push(key);
        }
      });
    }

    // Embed the new chunks (batched). Every vector goes to the HNSW builder as soon as it exists (reused ones first),
    // so that graph insertion runs on another thread during embedding.
    // When the previous generation has a graph of the same vectors, it is updated (gone chunks deleted, new ones
    // inserted) instead of rebuilt from every vector: see updateHnswFile, which falls back to a full build itself.
    let hnsw: HnswBuilder | undefined;
    const threadedHnsw = options.threadedHnsw ?? (chunks.length >= 50_000 && availableParallelism() >= 2);
    if (embedder) {
      if (!updateGraph) hnsw = await startHnswBuilder({ dimensions: dims, capacity: chunks.length, threaded: threadedHnsw, logger });
      // The builder takes its own copy of the rows (it owns what it is given).
      const feed = (keys: number[]) => {
        if (!hnsw) return;
        const flat = new Float32Array(keys.length * dims);
        keys.forEach((k, j) => flat.set(vectorOf(k), j * dims));
        hnsw.add(Int32Array.from(keys), flat);
      };
      for (let i = 0; i < reusedKeys.length; i += 8192) feed(reusedKeys.slice(i, i + 8192));
      reusedKeys.length = 0;
      const batch = options.embedBatchSize ?? 32;
      for (let i = 0; i < toEmbed.length; i += batch) {
        const keys = toEmbed.slice(i, i + batch);
        const out = await embedder.embedPassages(keys.map((k) => chunks[k]!.text));
        keys.forEach((k, j) => vectors.set(out[j]!, k * dims));
        feed(keys);
        progress({ stage: 'embed', done: Math.min(i + batch, toEmbed.length), total: toEmbed.length });
      }
    }
    lap('embed');

    // Write a new generation; it becomes live only once every file is written and verified.
    const writer = await store.beginGeneration();
    let hnswWritten: Promise<void> | undefined;
    // Files are written (then fsynced and read back on other threads) as soon as they exist, while this thread goes on.
    const writes: Array<Promise<void>> = [];
    // Up to two more files when the article table and the lexical index are bases and deltas (a step count is a hint).
    const steps = embedder ? 8 : 6;
    let step = 0;
    const write = (name: string, bytes: Uint8Array | string) => {
      const w = writer.writeFile(name, bytes).then(() => progress({ stage: 'write', done: ++step, total: steps }));
      w.catch(() => {}); // awaited before the commit
      writes.push(w);
    };
    /** Shares the previous generation's file `name` (verified when it was read) instead of writing it again. */
    const link = (name: string) => {
      const w = writer.linkFile(name, previous!.dir, previousFile(previous!, name)).then(() => progress({ stage: 'write', done: ++step, total: steps }));
      w.catch(() => {}); // awaited before the commit
      writes.push(w);
    };
    try {
      // The graph is finished and written (by the builder's thread, or updated from the previous one) while this
      // thread groups duplicates and writes the rest.
      let graphUpdated = false;
      hnswWritten = hnsw?.finish(writer.path(INDEX_FILES.hnsw));
      if (embedder && updateGraph) {
        const addedVectors = new Float32Array(toEmbed.length * dims);
        toEmbed.forEach((key, j) => addedVectors.set(vectorOf(key), j * dims));
        hnswWritten = updateHnswFile(join(previous!.dir, INDEX_FILES.hnsw), writer.path(INDEX_FILES.hnsw), {
          dimensions: dims,
          keyMap,
          addedKeys: Int32Array.from(toEmbed),
          addedVectors,
          size: chunks.length,
          vectorOf,
          // The store verified the previous generation's checksums when it was read.
          checksumVerified: true,
          threaded: threadedHnsw,
          logger,
        }).then((result) => {
          graphUpdated = result.mode === 'incremental';
          if (result.reason) logger.info('vector graph rebuilt from every vector', { reason: result.reason });
        });
      }
      hnswWritten?.catch(() => {}); // awaited below; a rejection before that must not count as unhandled
      lap('hnsw');
      lexical ??= await makeLexical();
      const lexicalReused = lexical.reused;
      lap('lexical');
      const articleIndex = new Map(articles.map((a, i) => [a.id, i]));
      if (lexical.bytes) {
        write(INDEX_FILES.lexical, lexical.bytes);
      } else {
        // The base is the previous generation's file, shared rather than written again.
        link(INDEX_FILES.lexical);
        write(INDEX_FILES.lexicalDelta, lexical.delta!);
      }
      lexical = undefined; // the writer holds the bytes until written
      // Likewise the article table: the previous base and a delta of the articles gone and added since, until they
      // pass ARTICLE_MERGE_SHARE of it.
      const articlePlan = previous ? planArticleDelta(articles, previous.articleSegments) : undefined;
      if (articlePlan) {
        link(INDEX_FILES.articles);
        write(INDEX_FILES.articlesDelta, encodeArticleDelta(previous!.articleSegments.baseCount, articlePlan));
      } else {
        write(INDEX_FILES.articles, encodeArticleTable(articles));
      }
      write(INDEX_FILES.chunks, encodeChunkTable(chunks, articleIndex));
      write(INDEX_FILES.fingerprints, Buffer.from(JSON.stringify(Object.fromEntries(fingerprints))));
      lap('write');
      // Unchanged articles keep their sketches, and candidate pairs of two unchanged articles the outcome of their check.
      const previousDedup = previous && reusable ? await readPreviousSketches(previous, logger) : undefined;
      const previousChecks = new Map(previousDedup?.checked.map((c) => [c.a * previous!.articles.length + c.b, c]));
      const duplicates = groupDuplicates(articles, {
        ...(previousDedup
          ? {
              sketches: reusedArticleFrom.map((at) => (at === undefined ? undefined : previousDedup.sketches[at])),
              checkedPair: (a, b) => {
                const [pa, pb] = [reusedArticleFrom[a], reusedArticleFrom[b]];
                return pa === undefined || pb === undefined ? undefined : previousChecks.get(pa * previous!.articles.length + pb);
              },
            }
          : {}),
      });
      lap('duplicates');
      progress({ stage: 'index', done: chunks.length, total: chunks.length });
      write(INDEX_FILES.duplicates, Buffer.from(JSON.stringify(Object.fromEntries(duplicates))));
      write(INDEX_FILES.sketches, encodeSketches(duplicates.sketches, duplicates.checked));
      if (embedder && hnswWritten) write(INDEX_FILES.vectors, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
      for (const w of writes) await w;
      if (embedder && hnswWritten) {
        lap('write');
        await hnswWritten;
        lap('hnsw');
        await writer.addExternalFile(INDEX_FILES.hnsw);
        progress({ stage: 'write', done: ++step, total: steps });
      }
      const dates = articles.map((a) => a.date).filter((d): d is string => Boolean(d)).sort();
      const manifest: SourcierManifest = {
        formatVersion: INDEX_FORMAT_VERSION,
        createdAt: new Date().toISOString(),
        mode: embedder ? 'hybrid' : 'lexical',
        ...(embedder ? { modelId: embedder.modelId, dimensions: embedder.dimensions } : {}),
        chunking,
        counts: { articles: articles.length, chunks: chunks.length, duplicateGroups: countGroups(duplicates) },
        extra: {
          modeReason: options.modeReason ?? null,
          dateRange: dates.length > 0 ? { from: dates[0]!, to: dates[dates.length - 1]! } : null,
          sources: countSources(articles),
        },
      };
      progress({ stage: 'verify', done: 0, total: 1 });
      const generation = await writer.commit(manifest);
      progress({ stage: 'verify', done: 1, total: 1 });
      lap('write');
      const summary: IndexSummary = {
        articles: articles.length,
        chunks: chunks.length,
        added: reusable ? added : articles.length,
        changed: reusable ? changed : 0,
        removed,
        unchanged,
        embedded: embedder ? toEmbed.length : 0,
        skipped,
        mode: manifest.mode,
        ...(options.modeReason ? { modeReason: options.modeReason } : {}),
        seconds: (performance.now() - started) / 1000,
        generation,
        stages,
        reused: { articles: articlesReused, lexical: lexicalReused, vectors: graphUpdated, sketches: previousDedup ? reusedArticleFrom.filter((at) => at !== undefined).length : 0 },
      };
      logger.info('index built', { ...summary, skipped: skipped.length });
      return summary;
    } catch (error) {
      await hnsw?.abort().catch(() => {});
      await Promise.allSettled(writes);
      // A graph update still writing into the generation folder finishes (or fails) before the folder goes.
      await hnswWritten?.catch(() => {});
      await writer.abort().catch(() => {});
      throw error;
    }
  } finally {
    await release();
  }
}

/**
 * The previous generation's lexical index, when it was built with the settings a full build would use today;
 * undefined otherwise, or when it cannot be read (the build then indexes every chunk).
 */
async function readPreviousLexical(previous: LoadedGeneration, logger: Logger): Promise<PreviousLexical | undefined> {
  try {
    // The store checked every file of the generation against its manifest when it was opened. Only the base's header
    // is read here: its 100 MB of postings are read only if the build merges.
    const basePath = join(previous.dir, INDEX_FILES.lexical);
    const base = readLexicalIndexInfo(await readHead(basePath, LEXICAL_HEADER_MAX));
    const readBase = async () => deserializeLexicalIndex(await readFile(basePath), { checksumVerified: true });
    const hasDelta = (previous.manifest as unknown as { files?: Record<string, ManifestFile> }).files?.[INDEX_FILES.lexicalDelta] !== undefined;
    const segments: PreviousLexical = hasDelta
      ? { base, readBase, delta: deserializeLexicalDelta(await readFile(join(previous.dir, INDEX_FILES.lexicalDelta)), base, { checksumVerified: true }) }
      : { base, readBase };
    const settings = base.settings;
    const today = resolveLexicalSettings();
    if (segmentsSize(segments) !== previous.chunks.length || (Object.keys(today) as Array<keyof typeof today>).some((k) => settings[k] !== today[k])) {
      logger.info('lexical settings changed since the last build: the lexical index is rebuilt');
      return undefined;
    }
    return segments;
  } catch (error) {
    if (!isAppError(error) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    logger.warn('previous lexical index unreadable: the lexical index is rebuilt', { reason: (error as Error).message });
    return undefined;
  }
}

/** The first `length` bytes of a file (fewer when it is shorter). */
async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A file's entry in the previous generation's manifest (the store verified the file against it when it was read). */
function previousFile(previous: LoadedGeneration, name: string): ManifestFile {
  const file = (previous.manifest as unknown as { files?: Record<string, ManifestFile> }).files?.[name];
  if (!file) throw new AppError('INTERNAL', `${name} is not in the manifest of ${previous.dir}.`);
  return file;
}

/** Fingerprint -> article of the previous generation (see readCorpus's `reuse`), or undefined when there are none. */
async function readPreviousFingerprints(previous: LoadedGeneration, logger: Logger): Promise<Map<string, Article> | undefined> {
  try {
    const raw = JSON.parse((await readFile(join(previous.dir, INDEX_FILES.fingerprints))).toString('utf8')) as unknown;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    const byId = new Map(previous.articles.map((a) => [a.id, a]));
    const reuse = new Map<string, Article>();
    for (const [id, fingerprint] of Object.entries(raw as Record<string, unknown>)) {
      const article = byId.get(id);
      if (article && typeof fingerprint === 'string') reuse.set(fingerprint, article);
    }
    return reuse;
  } catch (error) {
    if (!(error instanceof SyntaxError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    logger.debug('previous line fingerprints unusable: every line is read', { reason: (error as Error).message });
    return undefined;
  }
}

/** The previous generation's dedup sketches and checked pairs (by article position), or undefined when absent or made otherwise. */
async function readPreviousSketches(previous: LoadedGeneration, logger: Logger): Promise<StoredDedup | undefined> {
  try {
    return decodeSketches(await readFile(join(previous.dir, INDEX_FILES.sketches)), previous.articles.length);
  } catch (error) {
    if (!isAppError(error) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    logger.debug('previous dedup sketches unusable: every article is sketched', { reason: (error as Error).message });
    return undefined;
  }
}

function sameChunking(a: ChunkingOptions | undefined, b: ChunkingOptions): boolean {
  return (
    a !== undefined &&
    a.targetTokens === b.targetTokens &&
    a.maxTokens === b.maxTokens &&
    a.overlapSentences === b.overlapSentences &&
    a.tokenizer === b.tokenizer
  );
}

function countGroups(duplicates: Map<string, string[]>): number {
  const seen = new Set<string>();
  let groups = 0;
  for (const [id, others] of duplicates) {
    if (seen.has(id)) continue;
    groups++;
    seen.add(id);
    others.forEach((o) => seen.add(o));
  }
  return groups;
}

function countSources(articles: Article[]): Array<{ name: string; articles: number }> {
  const counts = new Map<string, number>();
  for (const a of articles) if (a.source) counts.set(a.source, (counts.get(a.source) ?? 0) + 1);
  return [...counts].map(([name, n]) => ({ name, articles: n })).sort((x, y) => y.articles - x.articles || x.name.localeCompare(y.name));
}
