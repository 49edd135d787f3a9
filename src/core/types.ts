/**
 * The data that flows through the pipeline and the narrow interfaces where stages meet:
 *   corpus/ -> ingest -> chunk -> embed -> index/ -> retrieve -> answer -> (discord | cli)
 * Offsets are UTF-16 code unit offsets into `Article.text` (what `String.prototype.slice` takes).
 */

/** Metadata a user can give an article (front matter, JSONL fields, HTML head). */
export interface ArticleMeta {
  title: string;
  /** Publication date, `YYYY-MM-DD` or `YYYY-MM` (month only, as in the seed marker `date 2022-04`). */
  date?: string;
  /** Outlet name, e.g. "Le Monde". */
  source?: string;
  url?: string;
  author?: string;
}

export interface Article extends ArticleMeta {
  /** Path under the corpus folder without extension (`monde/2020/mali-coup`), or a JSONL line's `id`. */
  id: string;
  /** Cleaned, NFC-normalised body text. Every quote Sourcier shows is a substring of it. The lead is its first paragraph. */
  text: string;
  /** File the article came from, relative to the corpus folder (JSONL: `file.jsonl:LINE`). */
  path: string;
  /** sha256 (hex) of metadata and text: an article is re-processed only when this changes. */
  hash: string;
}

/** What happened to one file (or JSONL line) during ingestion. */
export type IngestOutcome =
  | { path: string; status: 'read'; articleIds: string[]; encoding?: string }
  | { path: string; status: 'skipped'; reason: string };

export interface Span {
  start: number;
  end: number;
}

export interface Chunk {
  /** `${articleId}#${ordinal}` */
  id: string;
  articleId: string;
  ordinal: number;
  /** Character span of the chunk in the article text; `text === article.text.slice(start, end)`. */
  start: number;
  end: number;
  text: string;
  /** Sentence spans, absolute offsets into the article text, in order, inside [start, end). */
  sentences: Span[];
  /** Token count of the chunk under the embedding model's tokenizer (or the fallback estimate). */
  tokens: number;
}

/** Counts tokens the way the embedding model will, so chunks fit its input. */
export interface TokenCounter {
  countTokens(text: string): number;
}

/** Turns text into unit-length vectors. e5 models need distinct query / passage prefixes, hence two methods. */
export interface Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** Largest input in tokens (prefix included) the model takes. */
  readonly maxTokens: number;
  readonly tokenCounter: TokenCounter;
  embedPassages(texts: string[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
}

/** Ranked hits of one retrieval half, best first. `key` is the chunk's position in the index's chunk table. */
export interface ScoredKey {
  key: number;
  score: number;
}

/** Filters every retrieval and answer command accepts. Dates are inclusive, `YYYY-MM-DD` (or shorter prefixes). */
export interface SearchFilters {
  since?: string;
  until?: string;
  /** Outlet name, matched case- and accent-insensitively. */
  source?: string;
}

export interface AskOptions extends SearchFilters {
  /** How many citations to return (default 3). */
  limit?: number;
  /** Skip this many passages first ("Plus de sources"). */
  offset?: number;
  /** Current date for relative expressions such as "l'an dernier" (default: now). */
  now?: Date;
}

export interface Citation {
  articleId: string;
  chunkId: string;
  title: string;
  date?: string;
  source?: string;
  url?: string;
  /** Verbatim `article.text.slice(start, end)`. */
  excerpt: string;
  start: number;
  end: number;
  score: number;
  /** Other articles carrying the same story (wire copies), when grouped. */
  alsoIn?: string[];
}

export interface NearestArticle {
  articleId: string;
  title: string;
  date?: string;
  source?: string;
  score: number;
}

export interface Answer {
  question: string;
  abstained: boolean;
  citations: Citation[];
  /** When abstaining: the closest articles, so the user knows what the corpus does hold. */
  nearest: NearestArticle[];
  /**
   * Period the question or the options named. `applied: false` when the question's period matched no passage and the
   * answer comes from all dates instead (a question's "en 2022" may be about events reported later).
   */
  period?: { since?: string; until?: string; label?: string; applied?: boolean };
  mode: IndexMode;
  latencyMs: number;
}

export type IndexMode = 'hybrid' | 'lexical';

export interface IndexStats {
  articles: number;
  chunks: number;
  mode: IndexMode;
  modelId?: string;
  dimensions?: number;
  /** Total bytes of the live generation on disk. */
  bytes: number;
  builtAt: string;
  generation: string;
  dateRange?: { from: string; to: string };
  sources: Array<{ name: string; articles: number }>;
  /** Why the index is lexical-only, when it is. */
  modeReason?: string;
}

export interface IndexSummary {
  articles: number;
  chunks: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Chunks whose vectors were computed in this run (0 for unchanged articles). */
  embedded: number;
  skipped: Array<{ path: string; reason: string }>;
  mode: IndexMode;
  modeReason?: string;
  seconds: number;
  generation: string;
  /**
   * Wall time of each build stage in seconds (`read` includes cleaning, `chunk`, `embed`, `lexical`, `hnsw`,
   * `duplicates`, `write` includes verification). Stages may overlap when they run concurrently.
   */
  stages?: Record<string, number>;
}

export interface IndexProgress {
  stage: 'read' | 'chunk' | 'embed' | 'index' | 'write' | 'verify';
  done: number;
  total: number;
}

/** Nearest-neighbour search over chunk vectors (cosine). Keys are chunk positions in the index's chunk table. */
export interface VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  /** Best first; `score` is cosine similarity in [-1, 1]. `filter` must not throw. */
  search(vector: Float32Array, k: number, filter?: (key: number) => boolean): ScoredKey[];
}

/**
 * What the front doors (CLI, Discord) call. Implemented in src/app; front doors get it passed in,
 * so their tests can use a ten-line double.
 */
export interface Sourcier {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** Where a phrase or statement appears (exact, then near-exact), verbatim with sources. */
  quote(text: string, options?: AskOptions): Promise<Answer>;
  stats(): IndexStats;
  /** A chunk with its article, for "Passage complet". */
  passage(chunkId: string): { chunk: Chunk; article: Article } | undefined;
  /** Rebuilds the index from the corpus; the live index keeps serving until the new one is ready. */
  reindex(onProgress?: (progress: IndexProgress) => void): Promise<IndexSummary>;
  close(): Promise<void>;
}
