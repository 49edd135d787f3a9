import { AppError } from '../core/app-error.js';
import { commonCount, jaccardOf, minHashSignature, mix32, sequenceKey, shingleHashes, toSortedSet, wordHashes } from './min-hash.js';

/** What `groupDuplicates` needs of an article. */
export interface DedupArticle {
  id: string;
  title: string;
  /** Body text; only the text is compared (wire copies are often republished under another title). */
  text: string;
  /** `YYYY-MM-DD` or `YYYY-MM`; the earliest copy is the one to cite. */
  date?: string;
}

/**
 * What grouping keeps of one text: its word count, the key of its whole normalised word sequence (exact copies) and
 * its MinHash signature (near copies). It depends only on the text and the options' `shingleSize` and `hashes`, so a
 * build can store it and hand it back for unchanged articles instead of hashing their text again.
 */
export interface DedupSketch {
  words: number;
  /** {@link sequenceKey} of the words. */
  key: string;
  /** `hashes` MinHash values; empty when the text has fewer than `minWords` words (never grouped). */
  signature: Uint32Array;
}

export interface GroupDuplicatesOptions {
  /**
   * Jaccard similarity of the two texts' word-shingle sets at or above which they are the same story (default 0.8).
   * With 4-word shingles, 0.8 tolerates about one changed word in 40 (a few words in a wire story) or an added
   * line of a tenth of the text; two articles written separately on the same event stay far below (typically < 0.2).
   */
  threshold?: number;
  /** Words per shingle (default 4). Longer shingles make edits cost more similarity. */
  shingleSize?: number;
  /** MinHash signature length (default 64 one-permutation bins); must be a multiple of `bands`. */
  hashes?: number;
  /**
   * LSH bands (default 16, so 4 rows each): two texts become a candidate pair when one band of their signatures is
   * equal. With 16 x 4, a pair at Jaccard 0.8 is found with probability 0.9998, one at 0.5 with 0.64.
   */
  bands?: number;
  /** Texts with fewer words are never grouped (default 8): empty or one-line bodies say nothing about the story. */
  minWords?: number;
  /**
   * Sketches computed earlier with the same `shingleSize`, `hashes` and `minWords`, by position in `articles`
   * (undefined: compute it). The result is the same as without them, as long as each sketch belongs to its text.
   */
  sketches?: ReadonlyArray<DedupSketch | undefined>;
  /**
   * What an earlier run found when it checked the candidate pair of articles at positions `a` < `b` of this input
   * (undefined: unknown, check it). Only valid when both texts are unchanged since, with the same `shingleSize`.
   * Checking a pair needs the shingle sets of both texts, by far the largest cost once sketches are reused.
   */
  checkedPair?: (a: number, b: number) => PairCheck | undefined;
}

/** What checking a candidate pair found: the sizes of the two shingle sets and, when it was needed, their overlap. */
export interface PairCheck {
  sizeA: number;
  sizeB: number;
  /** |A ∩ B|, or -1 when the sizes alone ruled the pair out. */
  common: number;
}

/** A checked pair, by the positions of its two articles in the input (`a` < `b`). */
export interface CheckedPair extends PairCheck {
  a: number;
  b: number;
}

/**
 * Duplicate groups: for every article in a group, the other members in citation order (earliest date, then
 * smallest id). A plain Map (it serialises with `Object.fromEntries`); `dates` remembers the dates used to order it.
 */
export class DuplicateGroups extends Map<string, string[]> {
  readonly dates = new Map<string, string | undefined>();
  /** The sketch of every article, by position in the input (to store for the next build). */
  sketches: DedupSketch[] = [];
  /** Every candidate pair checked, in the order checked (to store for the next build, see `checkedPair`). */
  checked: CheckedPair[] = [];
}

const DEFAULTS = { threshold: 0.8, shingleSize: 4, hashes: 64, bands: 16, minWords: 8 } satisfies Required<Omit<GroupDuplicatesOptions, 'sketches' | 'checkedPair'>>;

/** Default `shingleSize`, `hashes` and `minWords`: sketches made with other values must not be reused. */
export const SKETCH_SETTINGS = { shingleSize: DEFAULTS.shingleSize, hashes: DEFAULTS.hashes, minWords: DEFAULTS.minWords } as const;

/** The {@link DedupSketch} of a text. */
export function sketchText(text: string, options: Pick<GroupDuplicatesOptions, 'shingleSize' | 'hashes' | 'minWords'> = {}): DedupSketch {
  const o = { ...DEFAULTS, ...options };
  const words = wordHashes(text);
  const signature = words.length < o.minWords ? new Uint32Array(0) : minHashSignature(shingleHashes(words, o.shingleSize), o.hashes);
  return { words: words.length, key: sequenceKey(words), signature };
}

/**
 * Groups exact duplicates (same normalised text: case, accents, punctuation and spacing ignored) and near-duplicates
 * (wire copy republished with a different title, a trailing line or a few words changed). Near-duplicates are found
 * with MinHash over word shingles and LSH banding, then every candidate pair is verified by the exact Jaccard
 * similarity of the two shingle sets (hashed to 32 bits) against `threshold`. Groups are the connected components of
 * the verified pairs, so a chain of close copies ends in one group. Deterministic: no randomness, and the result does
 * not depend on the input order.
 */
export function groupDuplicates(articles: readonly DedupArticle[], options: GroupDuplicatesOptions = {}): DuplicateGroups {
  const o = { ...DEFAULTS, ...options };
  if (!(o.threshold > 0 && o.threshold <= 1)) throw new AppError('CONFIG_INVALID', `Dedup threshold ${o.threshold} is outside (0, 1]; use a Jaccard similarity such as 0.8.`);
  if (!Number.isInteger(o.bands) || o.bands < 1 || !Number.isInteger(o.hashes) || o.hashes % o.bands !== 0) {
    throw new AppError('CONFIG_INVALID', `Dedup hashes (${o.hashes}) must be a multiple of bands (${o.bands}); use e.g. 64 hashes in 16 bands.`);
  }
  if (!Number.isInteger(o.shingleSize) || o.shingleSize < 1) throw new AppError('CONFIG_INVALID', `Dedup shingleSize ${o.shingleSize} must be a positive integer.`);

  const n = articles.length;
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  // Exact duplicates first: only one representative per distinct text goes through MinHash.
  const byText = new Map<string, number>();
  const representatives: number[] = [];
  const sketches: DedupSketch[] = new Array(n);
  // Shingle sets by article position, made from the text only for pairs that get verified.
  const sets: Array<Uint32Array | undefined> = new Array(n);
  const setOf = (i: number) => (sets[i] ??= toSortedSet(shingleHashes(wordHashes(articles[i]!.text), o.shingleSize)));
  for (let i = 0; i < n; i++) {
    const given = o.sketches?.[i];
    const sketch = given && (given.words < o.minWords || given.signature.length === o.hashes) ? given : sketchText(articles[i]!.text, o);
    sketches[i] = sketch;
    if (sketch.words < o.minWords) continue;
    const first = byText.get(sketch.key);
    if (first !== undefined) {
      union(first, i);
      continue;
    }
    byText.set(sketch.key, i);
    representatives.push(i);
  }

  // LSH banding: representatives whose signatures agree on all rows of a band share that band's key. Per band, an
  // open-addressing table of keys and, per representative, the previous one with the same key (allocation-free: a
  // Map of arrays over 36,000 articles and 16 bands cost 0.8 s, mostly allocating).
  const rows = o.hashes / o.bands;
  const m = representatives.length;
  let capacity = 16;
  while (capacity < m * 2) capacity *= 2;
  const slotKey = new Int32Array(capacity);
  const slotLast = new Int32Array(capacity);
  const sameKeyBefore = new Int32Array(m);
  const checks: CheckedPair[] = [];
  const checked = new Set<number>();
  const check = (a: number, b: number) => {
    if (find(a) === find(b)) return;
    const pair = a * n + b;
    if (checked.has(pair)) return;
    checked.add(pair);
    const known = o.checkedPair?.(a, b);
    const sizeA = known ? known.sizeA : setOf(a).length;
    const sizeB = known ? known.sizeB : setOf(b).length;
    let common = known ? known.common : -1;
    // Jaccard cannot exceed the ratio of the set sizes: skip the merge when that already rules the pair out.
    if (Math.min(sizeA, sizeB) >= o.threshold * Math.max(sizeA, sizeB)) {
      if (common < 0) common = commonCount(setOf(a), setOf(b));
      if (jaccardOf(sizeA, sizeB, common) >= o.threshold) union(a, b);
    }
    checks.push({ a, b, sizeA, sizeB, common });
  };
  for (let band = 0; band < o.bands; band++) {
    slotLast.fill(-1);
    for (let r = 0; r < m; r++) {
      const signature = sketches[representatives[r]!]!.signature;
      let key = 0x2545f491 ^ band;
      for (let h = band * rows; h < (band + 1) * rows; h++) key = mix32(key ^ signature[h]!);
      key |= 0;
      let slot = mix32(key) & (capacity - 1);
      while (slotLast[slot] !== -1 && slotKey[slot] !== key) slot = (slot + 1) & (capacity - 1);
      sameKeyBefore[r] = slotLast[slot]!;
      slotKey[slot] = key;
      slotLast[slot] = r;
    }
    for (let r = 0; r < m; r++) {
      for (let q = sameKeyBefore[r]!; q !== -1; q = sameKeyBefore[q]!) check(representatives[q]!, representatives[r]!);
    }
  }

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const list = members.get(root);
    if (list) list.push(i);
    else members.set(root, [i]);
  }

  const groups = new DuplicateGroups();
  groups.sketches = sketches;
  groups.checked = checks;
  const dateOf = (id: string) => groups.dates.get(id);
  for (const list of members.values()) {
    if (list.length < 2) continue;
    const ids = list.map((i) => articles[i]!.id);
    for (const i of list) groups.dates.set(articles[i]!.id, articles[i]!.date);
    ids.sort((a, b) => compareForCitation(a, b, dateOf));
    for (const id of ids) groups.set(id, ids.filter((other) => other !== id));
  }
  return groups;
}

/**
 * The member of `id`'s group to cite: the earliest date, then the smallest id (numeric ids compare as numbers).
 * Dates come from `dateOf` when given, else from the `DuplicateGroups` that `groupDuplicates` returned; a map read
 * back from JSON has no dates, so pass `dateOf` then. An article in no group is its own canonical member.
 */
export function canonicalOf(groups: ReadonlyMap<string, readonly string[]>, id: string, dateOf?: (id: string) => string | undefined): string {
  const others = groups.get(id);
  if (!others || others.length === 0) return id;
  const dates = dateOf ?? (groups instanceof DuplicateGroups ? (member: string) => groups.dates.get(member) : () => undefined);
  let best = id;
  for (const other of others) if (compareForCitation(other, best, dates) < 0) best = other;
  return best;
}

/** Earliest date first (undated last), then smallest id. */
function compareForCitation(a: string, b: string, dateOf: (id: string) => string | undefined): number {
  const da = dateOf(a);
  const db = dateOf(b);
  if (da !== db) {
    if (da === undefined) return 1;
    if (db === undefined) return -1;
    return da < db ? -1 : 1;
  }
  return compareIds(a, b);
}

function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
