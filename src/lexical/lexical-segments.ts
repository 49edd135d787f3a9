/**
 * The lexical index of a generation in two segments: a base (a full index of an earlier chunk table, written once and
 * hard-linked into the generations that follow) and a small delta (the chunks added since, and which base chunks are
 * gone). An incremental build then analyses and writes only the changed articles' chunks, instead of copying the 16
 * million postings of the base and writing 100 MB again for a 1% change.
 *
 * Searched together, the two answer exactly as one index of the same chunk table would: the number of chunks, the
 * average length and every document frequency count only the live chunks (a gone chunk's postings are skipped, and a
 * base term's live chunks are counted the first time a question needs them), so every score has the same bits and
 * the ranking is the same. A build reads only the base's header, never its postings, unless it merges.
 * When the delta and the gone chunks pass {@link MERGE_SHARE} of the base, the build merges them into a new base,
 * equal byte for byte to a full build's index.
 */
import { AppError } from '../core/app-error.js';
import type { Article, ScoredKey } from '../core/types.js';
import {
  bm25Idf,
  bm25Norms,
  checksum,
  deserializeLexicalIndex,
  forEachQueryTerm,
  invertChunks,
  lexicalIndexFromParts,
  lexicalIndexInfo,
  queryTerms,
  lexicalParts,
  lexicalSettingsOf,
  MAX_POSTING_LISTS,
  serializeLexicalIndex,
  TF_SCALE,
  topKeys,
  type LexicalIndex,
  type LexicalIndexInfo,
  type LexicalParts,
  type WeightedTerm,
} from './bm25-index.js';
import { checkChange, mergeLexicalIndex, type LexicalChange } from './update-lexical-index.js';

/**
 * Share of the base's chunks that the delta's chunks and the gone base chunks may reach together before the build
 * merges them into a new base (0.2: about five rounds of a 1%-changed, 1%-added, 1%-deleted update). Past it, a search
 * would walk many dead postings and the delta would cost more to rewrite than it saves.
 */
export const MERGE_SHARE = 0.2;

/** What a generation adds to its base index. */
export interface LexicalDelta {
  /** Base key -> key in the generation's chunk table, or -1 when the chunk is gone. Kept keys increase. */
  baseToCurrent: Int32Array;
  /** Delta key (position in `index`) -> key in the chunk table, increasing. */
  deltaKeys: Uint32Array;
  /** The delta's chunks, keyed by their position in `deltaKeys`, with the base's settings. */
  index: LexicalIndex;
}

/** A generation's lexical index as stored: a full index, or a base and its delta. */
export interface LexicalSegments {
  base: LexicalIndex;
  delta?: LexicalDelta;
}

/** A generation's lexical index as a build reads it: the base's header, its postings only when they are merged. */
export interface PreviousLexical {
  base: LexicalIndexInfo;
  /** The whole base, read when the build merges. */
  readBase: () => Promise<LexicalIndex>;
  delta?: LexicalDelta;
}

/** The segments of an index in memory, as a build reads them (for tests and tools). */
export function previousLexical(segments: LexicalSegments): PreviousLexical {
  return { base: lexicalIndexInfo(segments.base), readBase: () => Promise.resolve(segments.base), ...(segments.delta ? { delta: segments.delta } : {}) };
}

/** The index that serves a generation: the base itself when there is no delta. */
export function openLexicalSegments(segments: LexicalSegments): LexicalIndex {
  return segments.delta ? new SegmentedIndex(segments.base, segments.delta) : segments.base;
}

/** Number of chunks in the generation's table. */
export function segmentsSize(segments: PreviousLexical): number {
  return segments.delta ? segments.delta.deltaKeys.length + countKept(segments.delta.baseToCurrent) : segments.base.docs;
}

/**
 * The segments of a new chunk table, from the previous generation's and how the table changed (see
 * {@link LexicalChange}; `articles` are the new table's, for the added chunks' titles and leads). The base is kept
 * (the caller links its file) and a new delta made from the previous delta's kept chunks and the added ones; past
 * {@link MERGE_SHARE}, the result is one merged index instead (`index`, the full build's; the base is read for it).
 * Only the added chunks are analysed. Pure: the previous segments are read, never changed.
 * `mergeShare` (default {@link MERGE_SHARE}) is there for tests, which need both outcomes on small tables.
 */
export async function updateLexicalSegments(
  previous: PreviousLexical,
  change: LexicalChange,
  articles: Map<string, Article>,
  options: { mergeShare?: number } = {},
): Promise<{ delta: LexicalDelta; index?: undefined } | { delta?: undefined; index: LexicalIndex }> {
  const { base } = previous;
  const { keyMap, size } = change;
  const added = checkChange(change, segmentsSize(previous));
  const settings = base.settings;

  // Base key -> new key, through the previous delta's map when there is one.
  const baseToCurrent = new Int32Array(base.docs);
  if (previous.delta) {
    const before = previous.delta.baseToCurrent;
    for (let k = 0; k < before.length; k++) baseToCurrent[k] = before[k]! < 0 ? -1 : keyMap[before[k]!]!;
  } else {
    baseToCurrent.set(keyMap);
  }

  // The new delta: the previous delta's kept chunks and the added ones, in key order.
  const previousKeys = previous.delta?.deltaKeys ?? new Uint32Array(0);
  const keptKeys: number[] = [];
  for (const key of previousKeys) if (keyMap[key]! >= 0) keptKeys.push(keyMap[key]!);
  const deltaKeys = new Uint32Array(keptKeys.length + added.length);
  const deltaKeyMap = new Int32Array(previousKeys.length).fill(-1);
  const addedLocal: Array<{ key: number; chunk: (typeof added)[number]['chunk'] }> = [];
  {
    let i = 0;
    let j = 0;
    let l = 0;
    let p = 0;
    while (i < keptKeys.length || j < added.length) {
      if (j >= added.length || (i < keptKeys.length && keptKeys[i]! < added[j]!.key)) {
        while (keyMap[previousKeys[p]!]! < 0) p++;
        deltaKeyMap[p++] = l;
        deltaKeys[l++] = keptKeys[i++]!;
      } else {
        addedLocal.push({ key: l, chunk: added[j]!.chunk });
        deltaKeys[l++] = added[j++]!.key;
      }
    }
  }
  const fresh = invertChunks(
    addedLocal.map((a) => a.chunk),
    articles,
    settings,
  );
  const delta = previous.delta
    ? mergeLexicalIndex(previous.delta.index, deltaKeyMap, fresh, Uint32Array.from(addedLocal, (a) => a.key), deltaKeys.length)
    : lexicalIndexFromParts({ ...settings, ...fresh });

  const gone = base.docs - countKept(baseToCurrent);
  if (deltaKeys.length + gone > (options.mergeShare ?? MERGE_SHARE) * base.docs) {
    return { index: mergeLexicalIndex(await previous.readBase(), baseToCurrent, lexicalParts(delta), deltaKeys, size) };
  }
  return { delta: { baseToCurrent, deltaKeys, index: delta } };
}

/** The one index equal to the segments (a full build's, array for array). */
export function mergeLexicalSegments(segments: LexicalSegments): LexicalIndex {
  const { base, delta } = segments;
  if (!delta) return base;
  return mergeLexicalIndex(base, delta.baseToCurrent, lexicalParts(delta.index), delta.deltaKeys, delta.deltaKeys.length + countKept(delta.baseToCurrent));
}

function countKept(map: Int32Array): number {
  let kept = 0;
  for (let k = 0; k < map.length; k++) if (map[k]! >= 0) kept++;
  return kept;
}

/** Live chunks among the postings `[from, to)` of a base term. */
function countLive(from: number, to: number, docs: Uint32Array, map: Int32Array): number {
  let n = 0;
  for (let p = from; p < to; p++) if (map[docs[p]!]! >= 0) n++;
  return n;
}

/** A base and its delta searched as one index over the generation's chunk table. */
class SegmentedIndex implements LexicalIndex {
  readonly size: number;
  private readonly baseParts: Readonly<LexicalParts>;
  private readonly deltaParts: Readonly<LexicalParts>;
  /** Live chunks of each base term, counted on first use (-1: not yet). */
  private readonly liveDf: Int32Array;
  private readonly norms: Float32Array;
  private readonly scores: Float32Array;
  private readonly touched: Uint32Array;
  private baseIds: Map<string, number> | undefined;
  private deltaIds: Map<string, number> | undefined;
  private terms: number | undefined;

  constructor(
    base: LexicalIndex,
    private readonly delta: LexicalDelta,
  ) {
    this.baseParts = lexicalParts(base);
    this.deltaParts = lexicalParts(delta.index);
    this.size = delta.deltaKeys.length + countKept(delta.baseToCurrent);
    this.liveDf = new Int32Array(this.baseParts.vocab.length).fill(-1);
    // The chunk lengths in key order, as one index of this table holds them: the same norms, bit for bit.
    const lengths = new Float32Array(this.size);
    const { baseToCurrent, deltaKeys } = delta;
    for (let k = 0; k < baseToCurrent.length; k++) if (baseToCurrent[k]! >= 0) lengths[baseToCurrent[k]!] = this.baseParts.docLengths[k]!;
    for (let d = 0; d < deltaKeys.length; d++) lengths[deltaKeys[d]!] = this.deltaParts.docLengths[d]!;
    this.norms = bm25Norms(lengths, this.baseParts.k1, this.baseParts.b);
    this.scores = new Float32Array(this.size);
    this.touched = new Uint32Array(this.size);
  }

  get vocabularySize(): number {
    if (this.terms === undefined) {
      // Both vocabularies are sorted: one merge, counting the terms some live chunk holds.
      const a = this.baseParts.vocab;
      const b = this.deltaParts.vocab;
      let n = 0;
      let i = 0;
      let j = 0;
      while (i < a.length || j < b.length) {
        if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
          if (this.baseDf(i++) > 0) n++;
        } else {
          if (i < a.length && a[i] === b[j]) i++;
          j++;
          n++;
        }
      }
      this.terms = n;
    }
    return this.terms;
  }

  private baseDf(id: number): number {
    let df = this.liveDf[id]!;
    if (df < 0) {
      // One walk of the term's postings, once: a question's terms are counted as their lists are about to be walked.
      const o = this.baseParts.termOffsets;
      this.liveDf[id] = df = countLive(o[id]!, o[id + 1]!, this.baseParts.postingDocs, this.delta.baseToCurrent);
    }
    return df;
  }

  private ids(term: string): { base: number | undefined; delta: number | undefined } {
    // Built on first use, as a single index does.
    this.baseIds ??= new Map(this.baseParts.vocab.map((t, i) => [t, i]));
    this.deltaIds ??= new Map(this.deltaParts.vocab.map((t, i) => [t, i]));
    return { base: this.baseIds.get(term), delta: this.deltaIds.get(term) };
  }

  docFreq(term: string): number {
    const { base, delta } = this.ids(term);
    const o = this.deltaParts.termOffsets;
    return (base === undefined ? 0 : this.baseDf(base)) + (delta === undefined ? 0 : o[delta + 1]! - o[delta]!);
  }

  idf(term: string): number {
    return bm25Idf(this.size, this.docFreq(term));
  }

  search(query: string, k: number, filter?: (key: number) => boolean): ScoredKey[] {
    return this.searchTerms(queryTerms(query), k, filter);
  }

  searchTerms(terms: WeightedTerm[], k: number, filter?: (key: number) => boolean): ScoredKey[] {
    if (k <= 0 || this.size === 0) return [];
    // As a single index scores: the same weights added in the same order, the same bounds, the same lists walked,
    // and each chunk's contributions added in the same order (a chunk is in one segment only).
    const weights = new Map<string, number>();
    forEachQueryTerm(terms, this.baseParts, (term, weight) => {
      if (weight > 0 && this.docFreq(term) > 0) weights.set(term, (weights.get(term) ?? 0) + weight);
    });
    const n = this.size;
    const k1 = this.baseParts.k1;
    const entries: Array<{ term: string; base: number | undefined; delta: number | undefined; bound: number }> = [];
    for (const [term, weight] of weights) {
      const { base, delta } = this.ids(term);
      entries.push({ term, base, delta, bound: weight * bm25Idf(n, this.docFreq(term)) * (k1 + 1) });
    }
    if (entries.length > MAX_POSTING_LISTS) {
      // Ties in vocabulary order, as a single index breaks them (its lists lie in vocabulary order).
      entries.sort((a, b) => b.bound - a.bound || (a.term < b.term ? -1 : 1));
      entries.length = MAX_POSTING_LISTS;
    }
    const { baseToCurrent, deltaKeys } = this.delta;
    let touchedCount = 0;
    for (const { base, delta, bound } of entries) {
      if (base !== undefined) {
        const o = this.baseParts.termOffsets;
        touchedCount = walk(o[base]!, o[base + 1]!, this.baseParts.postingDocs, this.baseParts.postingTfs, baseToCurrent, bound, this.norms, this.scores, this.touched, touchedCount);
      }
      if (delta !== undefined) {
        const o = this.deltaParts.termOffsets;
        touchedCount = walkDelta(o[delta]!, o[delta + 1]!, this.deltaParts.postingDocs, this.deltaParts.postingTfs, deltaKeys, bound, this.norms, this.scores, this.touched, touchedCount);
      }
    }
    return topKeys(k, this.scores, this.touched, touchedCount, filter);
  }
}

/** Adds a base posting list's contributions under the chunks' current keys, skipping gone chunks. */
function walk(
  from: number,
  to: number,
  docs: Uint32Array,
  tfs: Uint16Array,
  map: Int32Array,
  w: number,
  norms: Float32Array,
  scores: Float32Array,
  touched: Uint32Array,
  touchedCount: number,
): number {
  for (let p = from; p < to; p++) {
    const doc = map[docs[p]!]!;
    if (doc < 0) continue;
    const tf = tfs[p]! / TF_SCALE;
    if (tf === 0) continue; // adds nothing (see Bm25Index.searchTerms)
    if (scores[doc] === 0) touched[touchedCount++] = doc;
    scores[doc] += (w * tf) / (tf + norms[doc]!);
  }
  return touchedCount;
}

/**
 * Adds a delta posting list's contributions under the chunks' current keys. Kept apart from `walk` rather than
 * sharing it with a flag: the delta's chunks are never gone, and this loop runs for every posting of every query term.
 */
function walkDelta(
  from: number,
  to: number,
  docs: Uint32Array,
  tfs: Uint16Array,
  keys: Uint32Array,
  w: number,
  norms: Float32Array,
  scores: Float32Array,
  touched: Uint32Array,
  touchedCount: number,
): number {
  for (let p = from; p < to; p++) {
    const doc = keys[docs[p]!]!;
    const tf = tfs[p]! / TF_SCALE;
    if (tf === 0) continue; // adds nothing (see Bm25Index.searchTerms)
    if (scores[doc] === 0) touched[touchedCount++] = doc;
    scores[doc] += (w * tf) / (tf + norms[doc]!);
  }
  return touchedCount;
}

/*
 * Byte layout of a delta file (little-endian, every array 4-byte aligned):
 *   "SRCLXD01" | u32 headerBytes | header JSON (padded with spaces to 4) | i32 baseToCurrent[baseDocs]
 *   | u32 deltaKeys[deltaDocs] | the delta's index (lexical.bin's format)
 * The header holds the counts, the base's counts (docs, terms, postings: which base it belongs to) and a checksum of
 * the arrays (the delta's index carries its own).
 */
const DELTA_MAGIC = 'SRCLXD01';
const DELTA_VERSION = 1;

interface DeltaHeader {
  version: number;
  baseDocs: number;
  baseTerms: number;
  basePostings: number;
  deltaDocs: number;
  checksum: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** The bytes of a delta (the base's own file is written, or linked, apart). */
export function serializeLexicalDelta(base: LexicalIndexInfo, delta: LexicalDelta): Uint8Array {
  const arrays = [delta.baseToCurrent, delta.deltaKeys];
  const arraysLength = arrays.reduce((n, a) => n + a.byteLength, 0);
  const index = serializeLexicalIndex(delta.index);
  const body = new Uint8Array(arraysLength);
  let at = 0;
  for (const a of arrays) {
    body.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const header: DeltaHeader = {
    version: DELTA_VERSION,
    baseDocs: base.docs,
    baseTerms: base.terms,
    basePostings: base.postings,
    deltaDocs: delta.deltaKeys.length,
    checksum: checksum(body),
  };
  let json = JSON.stringify(header);
  json += ' '.repeat(pad4(json.length) - json.length);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(12 + headerBytes.length + body.length + index.length);
  out.set(Buffer.from(DELTA_MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  out.set(body, 12 + headerBytes.length);
  out.set(index, 12 + headerBytes.length + body.length);
  return out;
}

/**
 * Reads a delta written by {@link serializeLexicalDelta} for `base`. Throws INDEX_CORRUPT on anything else, or when it
 * belongs to another base, never returns garbage. `checksumVerified`: as for the base (the store checked the file's
 * sha256), the checksum passes are skipped; the structure is still checked.
 */
export function deserializeLexicalDelta(bytes: Uint8Array, base: LexicalIndexInfo, options: { checksumVerified?: boolean } = {}): LexicalDelta {
  const corrupt = (what: string, cause?: unknown) =>
    new AppError('INDEX_CORRUPT', `The lexical index delta is damaged (${what}); rebuild it with "sourcier index --rebuild".`, { cause });
  if (bytes.length < 12 || Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== DELTA_MAGIC) {
    throw corrupt('not a Sourcier lexical delta: bad magic');
  }
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (headerLength % 4 !== 0 || 12 + headerLength > bytes.length) throw corrupt('bad header length');
  let header: DeltaHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 12, headerLength).toString('utf8')) as DeltaHeader;
  } catch (error) {
    throw corrupt('unreadable header', error);
  }
  if (header.version !== DELTA_VERSION) throw corrupt(`format version ${header.version}, expected ${DELTA_VERSION}`);
  const counts = [header.baseDocs, header.baseTerms, header.basePostings, header.deltaDocs];
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) throw corrupt('bad counts');
  if (header.baseDocs !== base.docs || header.baseTerms !== base.terms || header.basePostings !== base.postings) {
    throw corrupt('made for another base index');
  }
  const bodyStart = 12 + headerLength;
  const bodyLength = (header.baseDocs + header.deltaDocs) * 4;
  if (bytes.length < bodyStart + bodyLength) throw corrupt('truncated');
  const body = bytes.subarray(bodyStart, bodyStart + bodyLength);
  if (!options.checksumVerified && checksum(body) !== header.checksum) throw corrupt('checksum mismatch');
  let at = bytes.byteOffset + bodyStart;
  const baseToCurrent = new Int32Array(bytes.buffer, at, header.baseDocs);
  at += header.baseDocs * 4;
  const deltaKeys = new Uint32Array(bytes.buffer, at, header.deltaDocs);
  const index = deserializeLexicalIndex(bytes.subarray(bodyStart + bodyLength), options);
  if (index.size !== header.deltaDocs) throw corrupt(`an index of ${index.size} chunks for ${header.deltaDocs} delta keys`);
  const settings = base.settings;
  const own = lexicalSettingsOf(index);
  if ((Object.keys(settings) as Array<keyof typeof settings>).some((k) => settings[k] !== own[k])) throw corrupt('settings differ from the base');

  // Every key of the table once: kept base keys and delta keys, each increasing, together 0..size-1.
  const size = header.deltaDocs + countKept(baseToCurrent);
  const covered = new Uint8Array(size);
  let last = -1;
  for (let k = 0; k < baseToCurrent.length; k++) {
    const to = baseToCurrent[k]!;
    if (to === -1) continue;
    if (to < 0 || to >= size || to <= last) throw corrupt('bad base key map');
    covered[to] = 1;
    last = to;
  }
  last = -1;
  for (let d = 0; d < deltaKeys.length; d++) {
    const to = deltaKeys[d]!;
    if (to >= size || (d > 0 && to <= last) || covered[to] === 1) throw corrupt('bad delta keys');
    covered[to] = 1;
    last = to;
  }
  return { baseToCurrent, deltaKeys, index };
}
