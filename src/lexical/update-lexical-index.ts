/**
 * Incremental update of the BM25F index: when a few articles change, only their chunks are analysed; every kept
 * chunk's postings are copied under its new key. The result is the index a full {@link buildLexicalIndex} over the
 * new chunk table would give, array for array (hence the same scores and the same serialised bytes).
 */
import { AppError } from '../core/app-error.js';
import type { Article, Chunk } from '../core/types.js';
import { invertChunks, lexicalIndexFromParts, lexicalParts, lexicalSettingsOf, type InvertedChunks, type LexicalIndex } from './bm25-index.js';

/** How the chunk table changed between the previous index and the new one. */
export interface LexicalChange {
  /**
   * One entry per key of the previous index: the chunk's key in the new table, or -1 when it is gone. Kept keys must
   * increase (both tables are in article order). A kept chunk must be the same chunk (text and start) of an article
   * whose title and text are unchanged, since its postings are copied, not recomputed.
   */
  keyMap: Int32Array;
  /** The chunks that are new to the table (added or re-chunked articles), with their keys in the new table. */
  added: ReadonlyArray<{ key: number; chunk: Chunk }>;
  /** Number of chunks in the new table: every key below it is either a kept key's image or an added key. */
  size: number;
}

/**
 * The index of the new chunk table, from `previous` and the change: added chunks are analysed with `articles` (the
 * new table's articles, for titles and leads) and the index options of `previous`; kept chunks keep their postings
 * and lengths; terms that no chunk holds any more are dropped. Equal to `buildLexicalIndex(newChunks, articles,
 * options of previous)`, vocabulary order included. Pure: `previous` is read, never changed. Costs one pass over the
 * previous postings plus the analysis of the added chunks. Throws INTERNAL when the change is inconsistent.
 */
export function updateLexicalIndex(previous: LexicalIndex, change: LexicalChange, articles: Map<string, Article>): LexicalIndex {
  const added = checkChange(change, previous.size);
  const fresh = invertChunks(added.map((a) => a.chunk), articles, lexicalSettingsOf(previous));
  return mergeLexicalIndex(previous, change.keyMap, fresh, Uint32Array.from(added, (a) => a.key), change.size);
}

/**
 * The index of a new chunk table made of `previous`'s kept chunks (`keyMap`: previous key -> new key, or -1; kept
 * keys increasing) and of already inverted chunks (`fresh`, whose position `i` gets key `freshKeys[i]`, increasing),
 * with the settings of `previous`. Every key below `size` must be either a kept key's image or a fresh key (the
 * caller checked it). Equal, array for array, to a full build over the new table: what {@link updateLexicalIndex}
 * does after analysing the added chunks, and how a segmented index is merged back into one.
 */
export function mergeLexicalIndex(previous: LexicalIndex, keyMap: Int32Array, fresh: InvertedChunks, freshKeys: Uint32Array, size: number): LexicalIndex {
  const prev = lexicalParts(previous);
  const settings = lexicalSettingsOf(previous);
  const addedKeys = freshKeys;

  const docLengths = new Float32Array(size);
  for (let k = 0; k < keyMap.length; k++) {
    const to = keyMap[k]!;
    if (to >= 0) docLengths[to] = prev.docLengths[k]!;
  }
  for (let i = 0; i < addedKeys.length; i++) docLengths[addedKeys[i]!] = fresh.docLengths[i]!;

  const oldDocs = prev.postingDocs;
  const oldTfs = prev.postingTfs;
  // Room for every previous posting: counting the kept ones first would cost a pass as long as the copy. The few
  // slots of deleted chunks are left over (trimmed below when they are many).
  const capacity = oldDocs.length + fresh.postingDocs.length;
  const postingDocs = new Uint32Array(capacity);
  const postingTfs = new Uint16Array(capacity);

  // Both vocabularies in sorted order (an index written before vocabularies were sorted is read through a
  // permutation), merged; per term, the kept postings (remapped, still increasing) and the added ones are merged.
  const oldVocab = prev.vocab;
  const oldOrder = isSorted(oldVocab)
    ? undefined
    : Uint32Array.from(oldVocab.keys()).sort((x, y) => (oldVocab[x]! < oldVocab[y]! ? -1 : 1));
  const newVocab = fresh.vocab;
  const freshDocs = fresh.postingDocs;
  const freshTfs = fresh.postingTfs;
  const vocab: string[] = [];
  const termOffsets = new Uint32Array(oldVocab.length + newVocab.length + 1);
  let out = 0;
  let i = 0;
  let j = 0;
  while (i < oldVocab.length || j < newVocab.length) {
    const oldId = i < oldVocab.length ? (oldOrder ? oldOrder[i]! : i) : -1;
    const oldTerm = oldId >= 0 ? oldVocab[oldId]! : undefined;
    const newTerm = j < newVocab.length ? newVocab[j]! : undefined;
    const takeOld = oldTerm !== undefined && (newTerm === undefined || oldTerm <= newTerm);
    const takeNew = newTerm !== undefined && (oldTerm === undefined || newTerm <= oldTerm);
    const term = (takeOld ? oldTerm : newTerm)!;
    const start = out;
    const q = takeNew ? fresh.termOffsets[j]! : 0;
    const qEnd = takeNew ? fresh.termOffsets[j + 1]! : 0;
    if (takeOld) {
      const from = prev.termOffsets[oldId]!;
      const to = prev.termOffsets[oldId + 1]!;
      out =
        q === qEnd
          ? copyKept(from, to, keyMap, oldDocs, oldTfs, postingDocs, postingTfs, out)
          : mergeKept(from, to, q, qEnd, keyMap, oldDocs, oldTfs, addedKeys, freshDocs, freshTfs, postingDocs, postingTfs, out);
      i++;
    } else {
      out = copyAdded(q, qEnd, addedKeys, freshDocs, freshTfs, postingDocs, postingTfs, out);
    }
    if (takeNew) j++;
    if (out > start) {
      vocab.push(term);
      termOffsets[vocab.length] = out;
    }
  }
  // A view keeps the whole buffer alive: copied out when more than 1/16 of it is unused.
  const wasteful = out < capacity - (capacity >> 4);
  const trim = <T extends Uint32Array | Uint16Array>(a: T): T => (wasteful ? a.slice(0, out) : a.subarray(0, out)) as T;
  return lexicalIndexFromParts({
    ...settings,
    vocab,
    docLengths,
    termOffsets: termOffsets.slice(0, vocab.length + 1),
    postingDocs: trim(postingDocs),
    postingTfs: trim(postingTfs),
  });
}

// The loops over postings are small functions of typed arrays, so that the engine optimises them on their own.

/** Copies the kept postings of `[from, to)` under their new keys; returns the new end of the output. */
function copyKept(
  from: number,
  to: number,
  keyMap: Int32Array,
  docs: Uint32Array,
  tfs: Uint16Array,
  outDocs: Uint32Array,
  outTfs: Uint16Array,
  out: number,
): number {
  for (let p = from; p < to; p++) {
    const key = keyMap[docs[p]!]!;
    if (key < 0) continue;
    outDocs[out] = key;
    outTfs[out++] = tfs[p]!;
  }
  return out;
}

/** Copies added postings `[q, qEnd)` (positions among the added chunks) under their keys. */
function copyAdded(
  q: number,
  qEnd: number,
  addedKeys: Uint32Array,
  docs: Uint32Array,
  tfs: Uint16Array,
  outDocs: Uint32Array,
  outTfs: Uint16Array,
  out: number,
): number {
  for (; q < qEnd; q++) {
    outDocs[out] = addedKeys[docs[q]!]!;
    outTfs[out++] = tfs[q]!;
  }
  return out;
}

/** Merges the kept postings of `[from, to)` with added postings `[q, qEnd)`, in key order. */
function mergeKept(
  from: number,
  to: number,
  q: number,
  qEnd: number,
  keyMap: Int32Array,
  docs: Uint32Array,
  tfs: Uint16Array,
  addedKeys: Uint32Array,
  addedDocs: Uint32Array,
  addedTfs: Uint16Array,
  outDocs: Uint32Array,
  outTfs: Uint16Array,
  out: number,
): number {
  let next = addedKeys[addedDocs[q]!]!;
  for (let p = from; p < to; p++) {
    const key = keyMap[docs[p]!]!;
    if (key < 0) continue;
    while (q < qEnd && next < key) {
      outDocs[out] = next;
      outTfs[out++] = addedTfs[q++]!;
      if (q < qEnd) next = addedKeys[addedDocs[q]!]!;
    }
    outDocs[out] = key;
    outTfs[out++] = tfs[p]!;
  }
  return copyAdded(q, qEnd, addedKeys, addedDocs, addedTfs, outDocs, outTfs, out);
}

function isSorted(vocab: readonly string[]): boolean {
  for (let i = 1; i < vocab.length; i++) if (!(vocab[i - 1]! < vocab[i]!)) return false;
  return true;
}

/**
 * Checks that kept and added keys cover the new table once each (INTERNAL otherwise); returns the added chunks in key
 * order.
 */
export function checkChange(change: LexicalChange, previousSize: number): ReadonlyArray<{ key: number; chunk: Chunk }> {
  const { keyMap, added, size } = change;
  const bad = (what: string) => new AppError('INTERNAL', `updateLexicalIndex was given an inconsistent change: ${what}.`);
  if (!Number.isInteger(size) || size < 0) throw bad(`size ${size}`);
  if (keyMap.length !== previousSize) throw bad(`a key map of ${keyMap.length} entries for an index of ${previousSize} chunks`);
  const covered = new Uint8Array(size);
  let last = -1;
  let kept = 0;
  for (let k = 0; k < keyMap.length; k++) {
    const to = keyMap[k]!;
    if (to === -1) continue;
    if (to < 0 || to >= size) throw bad(`previous key ${k} maps to ${to}, outside 0..${size - 1}`);
    if (to <= last) throw bad(`previous key ${k} maps to ${to}, not after ${last}`);
    covered[to] = 1;
    last = to;
    kept++;
  }
  let ordered = true;
  for (let i = 0; i < added.length; i++) {
    const key = added[i]!.key;
    if (!Number.isInteger(key) || key < 0 || key >= size) throw bad(`added key ${key}, outside 0..${size - 1}`);
    if (covered[key] === 1) throw bad(`key ${key} is both kept and added, or added twice`);
    covered[key] = 1;
    if (i > 0 && key < added[i - 1]!.key) ordered = false;
  }
  if (kept + added.length !== size) throw bad(`${kept} kept and ${added.length} added chunks for a table of ${size}`);
  return ordered ? added : [...added].sort((x, y) => x.key - y.key);
}
