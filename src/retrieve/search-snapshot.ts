import type { Article, Chunk, Embedder, VectorIndex } from '../core/types.js';
import type { LexicalIndex } from '../lexical/bm25-index.js';

/**
 * Everything one answer reads, taken as a whole: a reindex swaps the snapshot in one assignment, so an answer in
 * flight keeps a consistent view. Keys of `lexical` and `vectors` are positions in `chunks`.
 */
export interface SearchSnapshot {
  chunks: Chunk[];
  articles: Map<string, Article>;
  lexical: LexicalIndex;
  /** Absent in lexical-only mode (no model, or an index built without vectors). */
  vectors?: VectorIndex;
  /** Present exactly when `vectors` is. */
  embedder?: Embedder;
  /** articleId -> other article ids carrying the same story (wire copies). */
  duplicates?: Map<string, string[]>;
}
