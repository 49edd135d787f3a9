import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Article, Chunk } from '../core/types.js';
import { deserializeLexicalIndex, type LexicalIndex } from '../lexical/bm25-index.js';
import { HnswVectorIndex } from '../vector-index/hnsw-vector-index.js';
import { decodeArticleTable } from './article-table.js';
import { decodeChunkTable, decodeVectors } from './chunk-table.js';
import { INDEX_FILES, INDEX_FORMAT_VERSION, type SourcierManifest } from './index-format.js';

/** A live generation as the store hands it over (already checksum-verified). */
export interface LiveGenerationRef {
  id: string;
  dir: string;
  manifest: { files?: Record<string, { bytes: number }> } & Record<string, unknown>;
  /**
   * Whether every file was checked against the manifest's checksums (the store's `readLive` does). Default true;
   * false makes the HNSW file be checked link by link at load.
   */
  checksumVerified?: boolean;
}

export interface LoadedGeneration {
  id: string;
  dir: string;
  manifest: SourcierManifest;
  /** Bytes of all files of the generation. */
  bytes: number;
  articles: Article[];
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
  const read = (name: string) => readFile(join(live.dir, name));
  const articles = decodeArticleTable(await read(INDEX_FILES.articles));
  const chunks = decodeChunkTable(await read(INDEX_FILES.chunks), articles);
  if (chunks.length !== manifest.counts.chunks || articles.length !== manifest.counts.articles) {
    throw new AppError('INDEX_CORRUPT', `The index in ${live.dir} does not hold the counts its manifest records; run "sourcier index --rebuild".`);
  }
  let flat: Float32Array | undefined;
  const dims = manifest.dimensions ?? 0;
  if (manifest.mode === 'hybrid') flat = decodeVectors(await read(INDEX_FILES.vectors), dims, chunks.length);
  const duplicates = new Map<string, string[]>(Object.entries(JSON.parse((await read(INDEX_FILES.duplicates)).toString('utf8')) as Record<string, string[]>));
  const files = (live.manifest.files ?? {}) as Record<string, { bytes: number }>;
  const bytes = Object.values(files).reduce((n, f) => n + (f.bytes ?? 0), 0);
  const loaded: LoadedGeneration = {
    id: live.id,
    dir: live.dir,
    manifest,
    bytes,
    articles,
    chunks,
    vectorOf: (key) => (flat ? flat.subarray(key * dims, (key + 1) * dims) : undefined),
    duplicates,
  };
  if (options.serving) {
    loaded.lexical = deserializeLexicalIndex(await read(INDEX_FILES.lexical));
    if (manifest.mode === 'hybrid') {
      // Exact filtered search reads the stored vectors instead of keeping a second copy inside the index.
      // The store has just checked every file's sha256 against the manifest (written after the HNSW file was verified
      // link by link), so only the header is checked again here.
      loaded.vectors = await HnswVectorIndex.readFrom(join(live.dir, INDEX_FILES.hnsw), dims, chunks.length, {
        vectorOf: loaded.vectorOf,
        checksumVerified: live.checksumVerified !== false,
      });
    }
    logger.debug('index generation loaded', { generation: live.id, articles: articles.length, chunks: chunks.length });
  }
  return loaded;
}
