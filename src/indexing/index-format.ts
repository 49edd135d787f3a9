import type { IndexMode } from '../core/types.js';

/**
 * Bumped whenever a file's layout changes; an index of another version is refused with a rebuild hint.
 * 2: the article table is binary (articles.bin, see article-table.ts) instead of one JSON document (articles.json).
 * 3: the article table and the lexical index may each be a base (articles.bin, lexical.bin, hard-linked from an
 *    earlier generation) and a delta (articles-delta.bin, lexical-delta.bin; see article-table.ts and
 *    lexical-segments.ts); a reader of format 2 would ignore the deltas.
 */
export const INDEX_FORMAT_VERSION = 3;

/** Files of one generation. */
export const INDEX_FILES = {
  articles: 'articles.bin',
  /** Articles gone from and added to articles.bin, when it is an earlier generation's (absent otherwise). */
  articlesDelta: 'articles-delta.bin',
  chunks: 'chunks.bin',
  lexical: 'lexical.bin',
  /** What the generation adds to lexical.bin's chunks, when lexical.bin is an earlier generation's (absent otherwise). */
  lexicalDelta: 'lexical-delta.bin',
  duplicates: 'duplicates.json',
  /** Dedup sketches by article (reused by the next build for unchanged articles). */
  sketches: 'dedup.bin',
  /** Article id -> fingerprint of the JSONL line it came from (the next build reuses unchanged lines' articles). */
  fingerprints: 'lines.json',
  vectors: 'vectors.f32',
  hnsw: 'vectors.hnsw',
} as const;

export interface ChunkingOptions {
  /** Tokens a chunk aims for (whole sentences). */
  targetTokens: number;
  /** Hard limit in tokens, prefix and special tokens included. */
  maxTokens: number;
  /** Sentences repeated at the start of the next chunk. */
  overlapSentences: number;
  /** Model id whose tokenizer counted tokens, or "estimate" (lexical-only). */
  tokenizer: string;
}

/** What Sourcier records in a generation's manifest (the store adds `files` with sizes and sha256). */
export interface SourcierManifest {
  formatVersion: number;
  createdAt: string;
  mode: IndexMode;
  modelId?: string;
  dimensions?: number;
  chunking: ChunkingOptions;
  counts: { articles: number; chunks: number; duplicateGroups: number };
  extra: {
    modeReason: string | null;
    dateRange: { from: string; to: string } | null;
    sources: Array<{ name: string; articles: number }>;
  };
}
