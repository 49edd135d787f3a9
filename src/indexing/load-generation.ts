import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Article, Chunk } from '../core/types.js';
import { deserializeLexicalIndex, lexicalIndexInfo, type LexicalIndex } from '../lexical/bm25-index.js';
import { deserializeLexicalDelta, openLexicalSegments } from '../lexical/lexical-segments.js';
import type { HnswVectorIndex } from '../vector-index/hnsw-vector-index.js';
import { decodeArticleSegments, type ArticleSegments } from './article-table.js';
import { decodeChunkTable, decodeVectors } from './chunk-table.js';
import { INDEX_FILES, INDEX_FORMAT_VERSION, type SourcierManifest } from './index-format.js';

/** A live generation as the store hands it over (already checksum-verified). */
export interface LiveGenerationRef {
  id: string;
  dir: string;
  manifest: { files?: Record<string, { bytes: number }> } & Record<string, unknown>;
  /**
   * Whether every file was checked against the manifest's checksums (the store's `readLive` does), or is being
   * checked alongside (`loadLive`, with `verified`). Default true; false makes the HNSW file be checked link by link
   * and the lexical index by its own checksum at load.
   */
  checksumVerified?: boolean;
  /** Reads a file of the generation (default: from `dir`); the store's `loadLive` verifies its checksum alongside. */
  readFile?(name: string): Promise<Buffer>;
  /** Resolves once a file's checksum has been verified (default: at once); the HNSW graph is used only after that. */
  verified?(name: string): Promise<void>;
}

export interface LoadedGeneration {
  id: string;
  dir: string;
  manifest: SourcierManifest;
  /** Bytes of all files of the generation. */
  bytes: number;
  articles: Article[];
  /** Where each article is stored: in articles.bin (its position there) or in articles-delta.bin (-1). */
  articleSegments: ArticleSegments;
  chunks: Chunk[];
  /** The stored vector of a chunk (hybrid indexes), for reuse without re-embedding. */
  vectorOf(key: number): Float32Array | undefined;
  duplicates: Map<string, string[]>;
  lexical?: LexicalIndex;
  vectors?: HnswVectorIndex;
}

/**
 * Reads a generation into memory. `serving: true` also loads the lexical and HNSW indexes (each into a fresh object,
 * never into one that serves). Anything inconsistent is INDEX_CORRUPT; another format is INDEX_INCOMPATIBLE.
 */
export async function loadGeneration(live: LiveGenerationRef, options: { serving?: boolean; logger?: Logger } = {}): Promise<LoadedGeneration> {
  const logger = options.logger ?? silentLogger;
  const manifest = live.manifest as unknown as SourcierManifest;
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new AppError(
      'INDEX_INCOMPATIBLE',
      `The index in ${live.dir} has format ${String(manifest.formatVersion)}, this Sourcier reads format ${INDEX_FORMAT_VERSION}; run "sourcier index --rebuild".`,
    );
  }
  const dims = manifest.dimensions ?? 0;
  const hybrid = manifest.mode === 'hybrid';
  const checksumVerified = live.checksumVerified !== false;
  let flat: Float32Array | undefined;
  const vectorOf = (key: number) => (flat ? flat.subarray(key * dims, (key + 1) * dims) : undefined);
  // The HNSW graph is read by hnswlib on the thread pool while this thread decodes the other files and the store
  // hashes them; it is used only once its checksum matched (the store drops the whole generation otherwise). Exact
  // filtered search reads the stored vectors instead of keeping a second copy inside the index. With checksums
  // verified, only the header is checked before hnswlib reads the file (the manifest was written after the file was
  // verified link by link).
  const graph =
    options.serving && hybrid
      ? Promise.all([
          // hnswlib (a native addon) is loaded only for an index with vectors.
          import('../vector-index/hnsw-vector-index.js').then(({ HnswVectorIndex }) =>
            HnswVectorIndex.readFrom(join(live.dir, INDEX_FILES.hnsw), dims, manifest.counts.chunks, { vectorOf, checksumVerified }),
          ),
          live.verified?.(INDEX_FILES.hnsw),
        ]).then(([index]) => index)
      : undefined;
  graph?.catch(() => {}); // awaited below; a failure while this thread decodes is not unhandled
  const read = live.readFile ? (name: string) => live.readFile!(name) : (name: string) => readFile(join(live.dir, name));
  // Every read is started at once: the thread pool reads ahead while this thread decodes.
  const files = {
    articles: read(INDEX_FILES.articles),
    articlesDelta: live.manifest.files?.[INDEX_FILES.articlesDelta] ? read(INDEX_FILES.articlesDelta) : undefined,
    chunks: read(INDEX_FILES.chunks),
    lexical: options.serving ? read(INDEX_FILES.lexical) : undefined,
    lexicalDelta: options.serving && live.manifest.files?.[INDEX_FILES.lexicalDelta] ? read(INDEX_FILES.lexicalDelta) : undefined,
    vectors: hybrid ? read(INDEX_FILES.vectors) : undefined,
    duplicates: read(INDEX_FILES.duplicates),
  };
  for (const f of Object.values(files)) f?.catch(() => {}); // each is awaited below, unless an earlier step throws
  const articleSegments = decodeArticleSegments(await files.articles, files.articlesDelta && (await files.articlesDelta));
  const articles = articleSegments.articles;
  const chunks = decodeChunkTable(await files.chunks, articles);
  if (chunks.length !== manifest.counts.chunks || articles.length !== manifest.counts.articles) {
    throw new AppError('INDEX_CORRUPT', `The index in ${live.dir} does not hold the counts its manifest records; run "sourcier index --rebuild".`);
  }
  if (files.vectors) flat = decodeVectors(await files.vectors, dims, chunks.length);
  const duplicates = decodeDuplicates(await files.duplicates);
  const manifestFiles = (live.manifest.files ?? {}) as Record<string, { bytes: number }>;
  const bytes = Object.values(manifestFiles).reduce((n, f) => n + (f.bytes ?? 0), 0);
  const loaded: LoadedGeneration = { id: live.id, dir: live.dir, manifest, bytes, articles, articleSegments, chunks, vectorOf, duplicates };
  if (options.serving) {
    const base = deserializeLexicalIndex(await files.lexical!, { checksumVerified });
    const delta = files.lexicalDelta ? deserializeLexicalDelta(await files.lexicalDelta, lexicalIndexInfo(base), { checksumVerified }) : undefined;
    const lexical = openLexicalSegments(delta ? { base, delta } : { base });
    if (lexical.size !== chunks.length) {
      throw new AppError('INDEX_CORRUPT', `The lexical index in ${live.dir} holds ${lexical.size} chunks for a table of ${chunks.length}; run "sourcier index --rebuild".`);
    }
    loaded.lexical = lexical;
    if (graph) loaded.vectors = await graph;
    logger.debug('index generation loaded', { generation: live.id, articles: articles.length, chunks: chunks.length });
  }
  return loaded;
}

/** `duplicates.json`: article id -> ids of the other articles carrying the same story. */
function decodeDuplicates(bytes: Buffer): Map<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new AppError('INDEX_CORRUPT', 'The duplicate groups are not valid JSON; run "sourcier index --rebuild".', { cause });
  }
  const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : undefined;
  if (!entries || !entries.every(([, ids]) => Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    throw new AppError('INDEX_CORRUPT', 'The duplicate groups are not a map of article ids; run "sourcier index --rebuild".');
  }
  return new Map(entries as Array<[string, string[]]>);
}
