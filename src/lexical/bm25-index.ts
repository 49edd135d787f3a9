/**
 * French BM25F index over chunks, held in a handful of typed arrays so that 200k chunks cost tens of megabytes,
 * load from bytes without parsing, and answer a query in a few milliseconds.
 *
 * Fields: the chunk text (weighted `leadWeight` when the chunk lies in the article's first paragraph, else 1) and
 * the article title (weighted `titleWeight`), folded into one weighted term frequency per (term, chunk), as BM25F does.
 */
import { AppError } from '../core/app-error.js';
import type { Article, Chunk, ScoredKey } from '../core/types.js';
import { analyze } from './french-analyzer.js';

/** A query term with its weight (1 for a word of the question; less for expansion terms). */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/** Default length of the prefix terms, in characters (see {@link LexicalIndexOptions.prefixLength}). */
export const DEFAULT_PREFIX_LENGTH = 5;

/** Options of {@link buildLexicalIndex}. */
export interface LexicalIndexOptions {
  /** BM25 term-frequency saturation. Default 1.2. */
  k1?: number;
  /** BM25 length normalisation, 0..1. Default 0.75. */
  b?: number;
  /** Weight of a title occurrence relative to a body occurrence. Default 2. Rounded to eighths. */
  titleWeight?: number;
  /** Weight of a body occurrence in a chunk of the lead paragraph. Default 1.25. Rounded to eighths. */
  leadWeight?: number;
  /**
   * Length of the prefix terms (`~surno` for `surnom` and `surnomm`): every stem longer than this also indexes its
   * prefix, which catches derivations the Snowball stemmer keeps apart and small spelling variants. 0 turns it off.
   * Default 5 (characters).
   */
  prefixLength?: number;
  /** Weight of a prefix term in a query, relative to the stem itself. Default 0.3. */
  prefixWeight?: number;
  /**
   * Weight of word pairs (two consecutive index terms, stop words skipped) in a query; pairs are indexed only when
   * this is above 0. Default 0.
   */
  bigramWeight?: number;
}

/** The lexical half of retrieval. Keys are chunk positions in the chunk table the index was built from. */
export interface LexicalIndex {
  /** Number of chunks indexed. */
  readonly size: number;
  /** Number of distinct terms. */
  readonly vocabularySize: number;
  /** Analyses `query` and returns the `k` best chunks, best first; `filter` (must not throw) restricts keys. */
  search(query: string, k: number, filter?: (key: number) => boolean): ScoredKey[];
  /** Same with already analysed, weighted terms (repeated terms add up). */
  searchTerms(terms: WeightedTerm[], k: number, filter?: (key: number) => boolean): ScoredKey[];
  /** BM25 inverse document frequency of a term; unknown terms get the highest possible value. */
  idf(term: string): number;
  /** Number of chunks holding the term. */
  docFreq(term: string): number;
}

/** Stored term frequencies are the weighted frequency times this (weights are eighths). */
export const TF_SCALE = 8;
const MAGIC = 'SRCLEX01';
const FORMAT_VERSION = 1;

/**
 * What an index is made of. Postings of term `t` are `postingDocs/postingTfs[termOffsets[t] .. termOffsets[t + 1])`,
 * keys increasing; a stored tf is the weighted term frequency times 8 (weights are eighths), capped at 65535.
 */
export interface LexicalParts {
  bigramWeight: number;
  prefixLength: number;
  prefixWeight: number;
  k1: number;
  b: number;
  titleWeight: number;
  leadWeight: number;
  vocab: string[];
  docLengths: Float32Array;
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingTfs: Uint16Array;
}

class Bm25Index implements LexicalIndex {
  private termIds: Map<string, number> | undefined;
  private readonly norms: Float32Array;
  private readonly scores: Float32Array;
  private readonly touched: Uint32Array;

  constructor(readonly parts: LexicalParts) {
    const n = parts.docLengths.length;
    this.norms = bm25Norms(parts.docLengths, parts.k1, parts.b);
    this.scores = new Float32Array(n);
    this.touched = new Uint32Array(n);
  }

  get size(): number {
    return this.parts.docLengths.length;
  }

  get vocabularySize(): number {
    return this.parts.vocab.length;
  }

  private idOf(term: string): number | undefined {
    // Built on first use: loading stays a few array views, and the Map is paid once.
    if (!this.termIds) {
      const ids = new Map<string, number>();
      this.parts.vocab.forEach((t, i) => ids.set(t, i));
      this.termIds = ids;
    }
    return this.termIds.get(term);
  }

  docFreq(term: string): number {
    const id = this.idOf(term);
    return id === undefined ? 0 : this.parts.termOffsets[id + 1]! - this.parts.termOffsets[id]!;
  }

  idf(term: string): number {
    return bm25Idf(this.size, this.docFreq(term));
  }

  search(query: string, k: number, filter?: (key: number) => boolean): ScoredKey[] {
    return this.searchTerms(queryTerms(query), k, filter);
  }

  searchTerms(terms: WeightedTerm[], k: number, filter?: (key: number) => boolean): ScoredKey[] {
    if (k <= 0 || this.size === 0) return [];
    const weights = new Map<number, number>();
    forEachQueryTerm(terms, this.parts, (term, weight) => {
      const id = this.idOf(term);
      if (id !== undefined && weight > 0) weights.set(id, (weights.get(id) ?? 0) + weight);
    });
    const { termOffsets, postingDocs, postingTfs, k1 } = this.parts;
    const scores = this.scores;
    const touched = this.touched;
    const norms = this.norms;
    let touchedCount = 0;
    const n = this.size;
    // Only the posting lists that can weigh most are walked: a term adds at most `bound` to a chunk
    // (tf / (tf + norm) < 1). A long question (a pasted paragraph, a 10,000-character message) would otherwise walk
    // the long lists of every common word and prefix it holds, for a few hundredths of the score each. Questions with
    // at most MAX_POSTING_LISTS lists (terms, prefixes and bigrams; PIAF questions all are) are scored exactly.
    const entries: Array<{ from: number; to: number; bound: number }> = [];
    for (const [id, weight] of weights) {
      const from = termOffsets[id]!;
      const to = termOffsets[id + 1]!;
      const df = to - from;
      if (df > 0) entries.push({ from, to, bound: weight * bm25Idf(n, df) * (k1 + 1) });
    }
    if (entries.length > MAX_POSTING_LISTS) {
      entries.sort((a, b) => b.bound - a.bound || a.from - b.from);
      entries.length = MAX_POSTING_LISTS;
    }
    for (const { from, to, bound: w } of entries) {
      for (let p = from; p < to; p++) {
        const doc = postingDocs[p]!;
        const tf = postingTfs[p]! / TF_SCALE;
        // A posting of weight 0 (a title term with titleWeight 0) adds nothing; walked, it would list its chunk as
        // touched again and again (its score stays 0), past the end of `touched`, leaving scores behind for the next query.
        if (tf === 0) continue;
        if (scores[doc] === 0) touched[touchedCount++] = doc;
        scores[doc] += (w * tf) / (tf + norms[doc]!);
      }
    }
    return topKeys(k, scores, touched, touchedCount, filter);
  }
}

/**
 * The query's terms, prefixes and word pairs with their weights, in the order a search adds them up (the order that
 * makes two indexes of the same chunks give the same bits for a score).
 */
export function forEachQueryTerm(
  terms: WeightedTerm[],
  settings: Pick<LexicalSettings, 'prefixLength' | 'prefixWeight' | 'bigramWeight'>,
  visit: (term: string, weight: number) => void,
): void {
  const { prefixLength, prefixWeight, bigramWeight } = settings;
  for (const { term, weight } of terms) {
    visit(term, weight);
    const prefix = prefixOf(term, prefixLength);
    if (prefix !== undefined) visit(prefix, weight * prefixWeight);
  }
  if (bigramWeight > 0) {
    for (let i = 1; i < terms.length; i++) {
      visit(`${terms[i - 1]!.term} ${terms[i]!.term}`, Math.min(terms[i - 1]!.weight, terms[i]!.weight) * bigramWeight);
    }
  }
}

/**
 * The `k` best of the `touchedCount` keys in `touched` by `scores` (highest score first, then lowest key), resetting
 * their scores to 0. The order is total, so the result does not depend on the order the keys were touched in (a
 * segmented index touches them in another order than a single one).
 */
export function topKeys(k: number, scores: Float32Array, touched: Uint32Array, touchedCount: number, filter?: (key: number) => boolean): ScoredKey[] {
  const heap = new TopK(k);
  for (let i = 0; i < touchedCount; i++) {
    const doc = touched[i]!;
    const score = scores[doc]!;
    scores[doc] = 0;
    if (heap.takes(doc, score) && (!filter || filter(doc))) heap.push(doc, score);
  }
  return heap.sorted();
}

/**
 * BM25's length normalisation of every chunk, `k1 * (1 - b + b * length / average length)`, lengths summed in key
 * order (so that two indexes of the same chunk table give the same bits).
 */
export function bm25Norms(docLengths: Float32Array, k1: number, b: number): Float32Array {
  const n = docLengths.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += docLengths[i]!;
  const avg = n === 0 ? 1 : total / n || 1;
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) norms[i] = k1 * (1 - b + (b * docLengths[i]!) / avg);
  return norms;
}

/** BM25 inverse document frequency of a term held by `df` of `n` chunks. */
export function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * Most posting lists walked for one question, the heaviest first (see searchTerms). 16: PIAF quality unchanged
 * (bench/quality.ts), long questions' CPU p95 halved at 285k chunks (bench/perf/query-cpu.ts).
 */
export const MAX_POSTING_LISTS = 16;

/** The prefix term of a stem (`~surno` for `surnom`), or undefined for short stems, numbers and when prefixes are off. */
export function prefixOf(term: string, length: number): string | undefined {
  if (length <= 0 || term.length <= length) return undefined;
  const c = term.charCodeAt(0);
  if (c >= 48 && c <= 57) return undefined;
  return '~' + term.slice(0, length);
}

/** Fixed-size heap keeping the k best (key, score) pairs: higher score first, then lower key; the worst at the root. */
class TopK {
  private readonly keys: number[] = [];
  private readonly values: number[] = [];
  constructor(private readonly k: number) {}

  /** Whether (key, value) would enter the k best. */
  takes(key: number, value: number): boolean {
    if (this.keys.length < this.k) return true;
    const floor = this.values[0]!;
    return value > floor || (value === floor && key < this.keys[0]!);
  }

  /** Whether the entry at `i` ranks below the one at `j`. */
  private worse(i: number, j: number): boolean {
    const vi = this.values[i]!;
    const vj = this.values[j]!;
    return vi < vj || (vi === vj && this.keys[i]! > this.keys[j]!);
  }

  push(key: number, value: number): void {
    const { keys, values } = this;
    if (keys.length < this.k) {
      keys.push(key);
      values.push(value);
      let i = keys.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    keys[0] = key;
    values[0] = value;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < keys.length && this.worse(l, m)) m = l;
      if (r < keys.length && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  sorted(): ScoredKey[] {
    return this.keys
      .map((key, i) => ({ key, score: this.values[i]! }))
      .sort((a, b) => b.score - a.score || a.key - b.key);
  }

  private swap(a: number, b: number): void {
    const { keys, values } = this;
    [keys[a], keys[b]] = [keys[b]!, keys[a]!];
    [values[a], values[b]] = [values[b]!, values[a]!];
  }
}

/**
 * The forward index during the build: (term id, stored tf) pairs in chunk order, in blocks that are never copied to
 * grow (a doubling array copies everything it holds at each step and keeps up to twice what it needs) and are
 * dropped one by one as the inversion consumes them. 6 bytes a posting.
 */
class ForwardPostings {
  private readonly idBlocks: Array<Uint32Array | undefined> = [];
  private readonly tfBlocks: Array<Uint16Array | undefined> = [];
  private ids = new Uint32Array(0);
  private tfs = new Uint16Array(0);
  private at = 0;
  length = 0;

  push(id: number, tf: number): void {
    if (this.at === this.ids.length) {
      // Small first blocks for small runs (an incremental update's few chunks), then FORWARD_BLOCK postings each.
      const size = Math.min(FORWARD_BLOCK, Math.max(1024, this.length));
      this.idBlocks.push((this.ids = new Uint32Array(size)));
      this.tfBlocks.push((this.tfs = new Uint16Array(size)));
      this.at = 0;
    }
    this.ids[this.at] = id;
    this.tfs[this.at++] = tf;
    this.length++;
  }

  /** Calls `visit` on every pair in order, releasing each block once read. The postings are gone afterwards. */
  drain(visit: (id: number, tf: number) => void): void {
    for (let b = 0; b < this.idBlocks.length; b++) {
      const ids = this.idBlocks[b]!;
      const tfs = this.tfBlocks[b]!;
      this.idBlocks[b] = this.tfBlocks[b] = undefined;
      const end = b === this.idBlocks.length - 1 ? this.at : ids.length;
      for (let i = 0; i < end; i++) visit(ids[i]!, tfs[i]!);
    }
    this.ids = new Uint32Array(0);
    this.tfs = new Uint16Array(0);
    this.at = 0;
  }
}

/** Postings per block of {@link ForwardPostings} (6 MiB). */
const FORWARD_BLOCK = 1 << 20;

/** Marks the end of a chunk in {@link ForwardPostings} (larger than any term id). */
const DOC_END = 0xffffffff;

/** End of the article's lead (its first paragraph): the first line break, or the whole text. */
function leadEnd(text: string): number {
  const i = text.search(/\n/);
  return i < 0 ? text.length : i;
}

/** The parameters of an index, options resolved (weights rounded to eighths), as they are stored. */
export type LexicalSettings = Pick<LexicalParts, 'bigramWeight' | 'prefixLength' | 'prefixWeight' | 'k1' | 'b' | 'titleWeight' | 'leadWeight'>;

/** The settings {@link buildLexicalIndex} uses for `options` (defaults filled in). */
export function resolveLexicalSettings(options: LexicalIndexOptions = {}): LexicalSettings {
  return {
    k1: options.k1 ?? 1.2,
    b: options.b ?? 0.75,
    titleWeight: Math.round((options.titleWeight ?? 2) * TF_SCALE) / TF_SCALE,
    leadWeight: Math.round((options.leadWeight ?? 1.25) * TF_SCALE) / TF_SCALE,
    prefixLength: options.prefixLength ?? DEFAULT_PREFIX_LENGTH,
    prefixWeight: options.prefixWeight ?? 0.3,
    bigramWeight: options.bigramWeight ?? 0,
  };
}

/**
 * Inverted index of a run of chunks, local to it: `vocab` sorted (UTF-16 code unit order), postings of each term in
 * increasing position in `chunks` (not keys of any table), stored term frequencies (scaled, rounded) and lengths.
 */
export interface InvertedChunks {
  vocab: string[];
  docLengths: Float32Array;
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingTfs: Uint16Array;
}

/**
 * Analyses `chunks` and inverts them: the work of {@link buildLexicalIndex}, also used by the incremental update on
 * the added chunks alone, so that a chunk's postings and length are the same bits whichever way it was indexed.
 * A chunk's terms depend on its text, its start (lead or not) and its article's title and lead only.
 */
export function invertChunks(chunks: readonly Chunk[], articles: Map<string, Article>, settings: LexicalSettings): InvertedChunks {
  const { titleWeight, leadWeight, prefixLength, bigramWeight } = settings;
  const termIds = new Map<string, number>();
  const vocab: string[] = [];
  let df = new Uint32Array(1 << 16);
  let scratch = new Float32Array(1 << 16);
  const idOf = (term: string): number => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = vocab.length;
      termIds.set(term, id);
      vocab.push(term);
      if (id >= df.length) {
        const d = new Uint32Array(df.length * 2);
        d.set(df);
        df = d;
        const s = new Float32Array(scratch.length * 2);
        s.set(scratch);
        scratch = s;
      }
    }
    return id;
  };

  const forward = new ForwardPostings();
  const docLengths = new Float32Array(chunks.length);
  const titleCache = new Map<string, string[]>();
  const leadCache = new Map<string, number>();
  const local: number[] = [];

  chunks.forEach((chunk, doc) => {
    const article = articles.get(chunk.articleId);
    let bodyWeight = 1;
    let titleTerms: string[] = [];
    if (article) {
      let end = leadCache.get(article.id);
      if (end === undefined) leadCache.set(article.id, (end = leadEnd(article.text)));
      if (chunk.start < end) bodyWeight = leadWeight;
      let t = titleCache.get(article.id);
      if (!t) titleCache.set(article.id, (t = analyze(article.title ?? '')));
      titleTerms = t;
    }
    let length = 0;
    const add = (term: string, w: number) => {
      const id = idOf(term);
      if (scratch[id] === 0) local.push(id);
      scratch[id] += w;
      length += w;
      const prefix = prefixOf(term, prefixLength);
      if (prefix !== undefined) {
        const pid = idOf(prefix);
        if (scratch[pid] === 0) local.push(pid);
        scratch[pid] += w;
      }
    };
    let previous: string | undefined;
    for (const term of analyze(chunk.text)) {
      add(term, bodyWeight);
      if (bigramWeight > 0 && previous !== undefined) {
        const id = idOf(`${previous} ${term}`);
        if (scratch[id] === 0) local.push(id);
        scratch[id] += bodyWeight;
      }
      previous = term;
    }
    for (const term of titleTerms) add(term, titleWeight);
    for (const id of local) {
      // Stored as it will be in the index (see LexicalParts), so the forward index takes 16 bits, not 32.
      forward.push(id, Math.min(65535, Math.round(scratch[id]! * TF_SCALE)));
      df[id]!++;
      scratch[id] = 0;
    }
    // The end of the chunk's run of pairs: a term id no term has (ids are below the vocabulary size).
    forward.push(DOC_END, 0);
    local.length = 0;
    docLengths[doc] = length;
  });

  // Terms in sorted order, so that the same chunk table gives the same bytes however it was indexed (a full build,
  // or an update that merges new terms into a previous vocabulary).
  const termCount = vocab.length;
  const order = Uint32Array.from(vocab.keys()).sort((x, y) => (vocab[x]! < vocab[y]! ? -1 : 1));
  const sorted: string[] = new Array(termCount);
  const termOffsets = new Uint32Array(termCount + 1);
  const fill = new Uint32Array(termCount);
  for (let r = 0; r < termCount; r++) {
    const id = order[r]!;
    sorted[r] = vocab[id]!;
    fill[id] = termOffsets[r]!;
    termOffsets[r + 1] = termOffsets[r]! + df[id]!;
  }
  // Invert the forward index with a counting sort: postings of each term come out in increasing doc order.
  const postings = forward.length - chunks.length;
  const postingDocs = new Uint32Array(postings);
  const postingTfs = new Uint16Array(postings);
  let doc = 0;
  forward.drain((id, tf) => {
    if (id === DOC_END) {
      doc++;
      return;
    }
    const at = fill[id]!++;
    postingDocs[at] = doc;
    postingTfs[at] = tf;
  });
  return { vocab: sorted, docLengths, termOffsets, postingDocs, postingTfs };
}

/**
 * Builds the BM25F index. `chunks[i]` gets key `i`; `articles` gives each chunk's title and lead. Chunks whose
 * article is missing are indexed on their text alone. The vocabulary is sorted, so equal inputs give equal bytes.
 */
export function buildLexicalIndex(chunks: Chunk[], articles: Map<string, Article>, options: LexicalIndexOptions = {}): LexicalIndex {
  const settings = resolveLexicalSettings(options);
  return new Bm25Index({ ...settings, ...invertChunks(chunks, articles, settings) });
}

/** The arrays and parameters of an index from {@link buildLexicalIndex} or {@link deserializeLexicalIndex} (read-only). */
export function lexicalParts(index: LexicalIndex): Readonly<LexicalParts> {
  if (!(index instanceof Bm25Index)) throw new AppError('INTERNAL', 'lexicalParts takes an index from buildLexicalIndex or deserializeLexicalIndex.');
  return index.parts;
}

/** The settings an index was built with. */
export function lexicalSettingsOf(index: LexicalIndex): LexicalSettings {
  return pickSettings(lexicalParts(index));
}

/** The terms of a text searched as a query, weight 1 each (`LexicalIndex.search`). */
export function queryTerms(query: string): WeightedTerm[] {
  return analyze(query).map((term) => ({ term, weight: 1 }));
}

/** Just the settings of anything that carries them (an index's parts, a file header). */
function pickSettings({ bigramWeight, prefixLength, prefixWeight, k1, b, titleWeight, leadWeight }: LexicalSettings): LexicalSettings {
  return { bigramWeight, prefixLength, prefixWeight, k1, b, titleWeight, leadWeight };
}

/** An index over given arrays (taken, not copied), for code that derives one from another (the incremental update). */
export function lexicalIndexFromParts(parts: LexicalParts): LexicalIndex {
  return new Bm25Index(parts);
}

/*
 * Byte layout (little-endian), every array 4-byte aligned:
 *   "SRCLEX01" | u32 headerBytes | header JSON (padded with spaces to 4) | vocab UTF-8, '\n'-joined (padded with \n)
 *   | f32 docLengths[docs] | u32 termOffsets[terms+1] | u32 postingDocs[postings] | u16 postingTfs[postings] (padded)
 * The header holds the parameters, the counts, the byte length of the vocabulary and a checksum of everything after it.
 */
interface Header extends LexicalSettings {
  version: number;
  docs: number;
  terms: number;
  postings: number;
  vocabBytes: number;
  checksum: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** Serialises an index built by {@link buildLexicalIndex} (or loaded by {@link deserializeLexicalIndex}). */
export function serializeLexicalIndex(index: LexicalIndex): Uint8Array {
  if (!(index instanceof Bm25Index)) throw new AppError('INTERNAL', 'serializeLexicalIndex takes an index from buildLexicalIndex.');
  const p = index.parts;
  const vocabBytes = Buffer.from(p.vocab.join('\n'), 'utf8');
  // The body's parts, each a whole number of 4-byte words once padded. The checksum runs over them in place, so the
  // body is copied once, into the output (not assembled first, then copied again after the header).
  const vocabPadded = new Uint8Array(pad4(vocabBytes.length));
  vocabPadded.set(vocabBytes);
  vocabPadded.fill(10, vocabBytes.length);
  const parts: Uint8Array[] = [vocabPadded];
  for (const arr of [p.docLengths, p.termOffsets, p.postingDocs]) parts.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  const tfBytes = new Uint8Array(p.postingTfs.buffer, p.postingTfs.byteOffset, p.postingTfs.byteLength);
  const tfWhole = tfBytes.byteLength & ~3;
  parts.push(tfBytes.subarray(0, tfWhole));
  if (tfWhole < tfBytes.byteLength) {
    const tail = new Uint8Array(4);
    tail.set(tfBytes.subarray(tfWhole));
    parts.push(tail);
  }
  const sum = new Checksum();
  let bodyLength = 0;
  for (const part of parts) {
    sum.update(part);
    bodyLength += part.byteLength;
  }
  const header: Header = {
    version: FORMAT_VERSION,
    bigramWeight: p.bigramWeight,
    prefixLength: p.prefixLength,
    prefixWeight: p.prefixWeight,
    k1: p.k1,
    b: p.b,
    titleWeight: p.titleWeight,
    leadWeight: p.leadWeight,
    docs: p.docLengths.length,
    terms: p.vocab.length,
    postings: p.postingDocs.length,
    vocabBytes: vocabBytes.length,
    checksum: sum.value(),
  };
  let json = JSON.stringify(header);
  json += ' '.repeat(pad4(json.length) - json.length);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(12 + headerBytes.length + bodyLength);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  let at = 12 + headerBytes.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * 32-bit checksum over 4-byte words (the body is a multiple of 4 bytes); catches flipped or truncated bytes. Fed in
 * parts of whole words; the result is the same however the body is cut.
 */
class Checksum {
  private h = 0x811c9dc5;
  private i = 0;

  update(bytes: Uint8Array): void {
    // Word views need 4-byte alignment: the typed arrays of an index are aligned; anything else is copied.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
    let h = this.h;
    let i = this.i;
    for (let w = 0; w < words.length; w++, i++) h = (Math.imul(h ^ words[w]!, 0x01000193) + i) | 0;
    this.h = h;
    this.i = i;
  }

  value(): number {
    return this.h >>> 0;
  }
}

/** The 32-bit checksum of the lexical files (see Checksum); `bytes` a multiple of 4 long. */
export function checksum(bytes: Uint8Array): number {
  const sum = new Checksum();
  sum.update(bytes);
  return sum.value();
}

/** What a build needs to know of an index without reading its postings: its counts and settings (its header). */
export interface LexicalIndexInfo {
  docs: number;
  terms: number;
  postings: number;
  settings: LexicalSettings;
}

/** The counts and settings of an index in memory. */
export function lexicalIndexInfo(index: LexicalIndex): LexicalIndexInfo {
  const p = lexicalParts(index);
  return { docs: p.docLengths.length, terms: p.vocab.length, postings: p.postingDocs.length, settings: lexicalSettingsOf(index) };
}

/**
 * The counts and settings of serialised index from its first bytes (the magic and the header: a few hundred bytes;
 * {@link LEXICAL_HEADER_MAX} is enough). INDEX_CORRUPT when they are not an index's.
 */
export function readLexicalIndexInfo(head: Uint8Array): LexicalIndexInfo {
  const header = readHeader(head, head.length);
  return {
    docs: header.docs,
    terms: header.terms,
    postings: header.postings,
    settings: pickSettings(header),
  };
}

/** Bytes that always hold an index's magic and header. */
export const LEXICAL_HEADER_MAX = 4096;

const corruptLexical = (what: string, cause?: unknown) =>
  new AppError('INDEX_CORRUPT', `The lexical index is damaged (${what}); rebuild it with "sourcier index --rebuild".`, { cause });

/** The header of serialised index (`available`: bytes of it in `bytes`, which may be its beginning only). */
function readHeader(bytes: Uint8Array, available: number): Header {
  const corrupt = corruptLexical;
  if (available < 12 || Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== MAGIC) {
    throw corrupt('not a Sourcier lexical index: bad magic');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (headerLength % 4 !== 0 || 12 + headerLength > available) throw corrupt('bad header length');
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 12, headerLength).toString('utf8')) as Header;
  } catch (error) {
    throw corrupt('unreadable header', error);
  }
  if (header.version !== FORMAT_VERSION) throw corrupt(`format version ${header.version}, expected ${FORMAT_VERSION}`);
  const counts = [header.docs, header.terms, header.postings, header.vocabBytes];
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) throw corrupt('bad counts');
  return header;
}

/**
 * Loads bytes written by {@link serializeLexicalIndex}. Throws INDEX_CORRUPT on anything else, never returns garbage.
 * `checksumVerified`: the caller checked the bytes against a stronger checksum (the store's sha256), so the index's
 * own checksum pass over the whole body is skipped; the structure is still checked. Default false.
 */
export function deserializeLexicalIndex(bytes: Uint8Array, options: { checksumVerified?: boolean } = {}): LexicalIndex {
  const corrupt = corruptLexical;
  // Typed-array views need 4-byte alignment; a Buffer from a pool may not have it.
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  const header = readHeader(bytes, bytes.length);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const bodyStart = 12 + headerLength;
  const expected =
    pad4(header.vocabBytes) + header.docs * 4 + (header.terms + 1) * 4 + header.postings * 4 + pad4(header.postings * 2);
  if (bytes.length - bodyStart !== expected) throw corrupt(`size ${bytes.length - bodyStart} bytes, expected ${expected}`);
  const body = bytes.subarray(bodyStart);
  if (!options.checksumVerified && checksum(body) !== header.checksum) throw corrupt('checksum mismatch');

  const base = bytes.byteOffset + bodyStart;
  const vocabText = Buffer.from(bytes.buffer, base, header.vocabBytes).toString('utf8');
  const vocab = header.terms === 0 ? [] : vocabText.split('\n');
  if (vocab.length !== header.terms) throw corrupt(`vocabulary of ${vocab.length} terms, expected ${header.terms}`);
  let at = base + pad4(header.vocabBytes);
  const docLengths = new Float32Array(bytes.buffer, at, header.docs);
  at += header.docs * 4;
  const termOffsets = new Uint32Array(bytes.buffer, at, header.terms + 1);
  at += (header.terms + 1) * 4;
  const postingDocs = new Uint32Array(bytes.buffer, at, header.postings);
  at += header.postings * 4;
  const postingTfs = new Uint16Array(bytes.buffer, at, header.postings);
  if (termOffsets[0] !== 0 || termOffsets[header.terms] !== header.postings) throw corrupt('bad posting offsets');
  for (let t = 0; t < header.terms; t++) if (termOffsets[t + 1]! < termOffsets[t]!) throw corrupt('bad posting offsets');
  for (let i = 0; i < postingDocs.length; i++) if (postingDocs[i]! >= header.docs) throw corrupt('posting out of range');
  return new Bm25Index({
    ...pickSettings(header),
    vocab,
    docLengths,
    termOffsets,
    postingDocs,
    postingTfs,
  });
}
