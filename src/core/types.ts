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
  /**
   * A period to prefer rather than filter on (the one a question names): passages of articles published in it are
   * ranked up, the others still compete (news is often published after the events it reports). Inclusive `YYYY-MM-DD`.
   */
  prefer?: { since?: string; until?: string };
  /** Quote only passages that hold one of these words (whole words, case-insensitive), e.g. the years a question names. */
  mentions?: string[];
}

/** A date expression of an excerpt that needs the article's date to be read ("vendredi", "hier", "le 3 mars"). */
export interface ExcerptDate {
  /** The words as written in the excerpt. */
  text: string;
  /** Offset of `text` in the excerpt (UTF-16). */
  offset: number;
  /** The date it stands for, resolved against the article's publication date: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
  date: string;
}

/** A cited passage: a verbatim excerpt with its source, the chunk it comes from and its score. */
export interface Citation extends SourcedExcerpt {
  chunkId: string;
  score: number;
  /** Relative date expressions of the excerpt resolved against the article's date (absent when there are none). */
  dates?: ExcerptDate[];
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
   * answer comes from all dates instead (a question's "en 2022" may be about events reported later). `corpusUntil`
   * (YYYY-MM-DD): the period starts after the newest article, so only passages that speak of one of its years are
   * quoted, and the answer abstains when none does.
   */
  period?: { since?: string; until?: string; label?: string; applied?: boolean; corpusUntil?: string };
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
  /**
   * What was taken from the previous generation instead of computed again: `articles` (unchanged JSONL lines not
   * parsed and cleaned again), `lexical` (only new chunks analysed), `vectors` (HNSW graph updated in place),
   * `sketches` (articles whose dedup sketch was reused).
   */
  reused?: { articles: number; lexical: boolean; vectors: boolean; sketches: number };
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
  /**
   * A briefing on a topic: key points, timeline, who said what, sources, chart data; every quote verbatim.
   * Optional so that front-door test doubles stay ten lines; the service from openSourcier always has it.
   */
  brief?(topic: string, options?: BriefOptions): Promise<Briefing>;
  /** Direct quotations attributed to a person (accent- and case-insensitive, also by last name). */
  said?(person: string, options?: SaidOptions): Promise<SaidResult>;
}

// ---- Briefings (src/brief) ----

/** Options of `Sourcier.brief`. Dates are inclusive, `YYYY-MM-DD` (or shorter prefixes). */
export interface BriefOptions extends SearchFilters {
  /** Only articles not covered by the last briefing on this topic in this channel (default false). */
  newOnly?: boolean;
  /** Who the briefing is for: a Discord channel id, or "cli" (the default). Keys the "what is new" state. */
  channel?: string;
  /** Record what this briefing covered in the state file (default true). */
  record?: boolean;
  /** Most key points (default 8). */
  maxKeyPoints?: number;
  /** Most timeline events (default 20). */
  maxEvents?: number;
  /** Current time, recorded in the state (default: now). */
  now?: Date;
}

/** A verbatim excerpt of one article with its source: `excerpt === article.text.slice(start, end)`. */
export interface SourcedExcerpt {
  articleId: string;
  title: string;
  /** Publication date of the article. */
  date?: string;
  source?: string;
  url?: string;
  excerpt: string;
  start: number;
  end: number;
}

export interface KeyPoint extends SourcedExcerpt {
  /** Relevance to the topic plus informativeness, about 0..1.5. */
  score: number;
  /** Other articles carrying the same sentence or story (wire copies, near-identical sentences). */
  alsoIn?: string[];
}

export interface TimelineEvent extends SourcedExcerpt {
  /** When the event happens: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, per `precision`. */
  when: string;
  precision: 'day' | 'month' | 'year';
  /** 'text': a date written in the sentence, resolved against the publication date; 'publication': the article's date. */
  whenFrom: 'text' | 'publication';
  /** The date words as written ("jeudi 21 juillet"), when `whenFrom` is 'text'. */
  whenText?: string;
}

export interface AttributedQuote extends SourcedExcerpt {
  /** Normalised speaker: a person's name without title ("Nasser Bourita"), or the source words ("la même source"). */
  speaker: string;
  /** 'person' for a named person; 'source' for a non-personal attribution (a document, media, an unnamed official). */
  speakerKind: 'person' | 'source';
  /** The words inside the quotation marks, verbatim; `quoteStart`/`quoteEnd` are its offsets in the article text. */
  quote: string;
  quoteStart: number;
  quoteEnd: number;
  /** Which attribution pattern matched (for tests and debugging). */
  pattern: string;
  alsoIn?: string[];
}

export interface SpeakerQuotes {
  speaker: string;
  quotes: AttributedQuote[];
}

export interface BriefSource {
  articleId: string;
  title: string;
  date?: string;
  source?: string;
  url?: string;
  alsoIn?: string[];
}

/** Articles per period on the topic, with the key events marked; what the PNG chart draws. */
export interface BriefChart {
  unit: 'month' | 'year';
  buckets: Array<{ label: string; from: string; to: string; articles: number }>;
  events: Array<{ when: string; label: string }>;
}

export interface Briefing {
  topic: string;
  /** The topic normalised (case, accents, punctuation and word order folded): key of the "what is new" state. */
  topicKey: string;
  channel: string;
  generatedAt: string;
  period?: { since?: string; until?: string };
  mode: IndexMode;
  newOnly: boolean;
  /** The previous briefing on this topic in this channel, when `newOnly` compared against one. */
  previous?: { at: string; articles: number };
  /** True when `newOnly` found nothing the previous briefing had not covered. */
  nothingNew: boolean;
  keyPoints: KeyPoint[];
  timeline: TimelineEvent[];
  /** Direct quotations of named persons, grouped by speaker (most quoted first). */
  speakers: SpeakerQuotes[];
  /** Quotations attributed to non-persons ("selon la même source", "selon des médias américains"). */
  otherAttributions: AttributedQuote[];
  sources: BriefSource[];
  chart: BriefChart;
  latencyMs: number;
}

export interface SaidOptions extends SearchFilters {
  /** Only quotations in articles about this topic. */
  topic?: string;
  /** Most quotes returned (default 20). */
  limit?: number;
}

export interface SaidResult {
  person: string;
  /** Speaker names that matched the person (e.g. "Nasser Bourita" for "Bourita"). */
  matchedSpeakers: string[];
  /** Best first: articles about the topic first, then newest. */
  quotes: AttributedQuote[];
  mode: IndexMode;
  latencyMs: number;
}
