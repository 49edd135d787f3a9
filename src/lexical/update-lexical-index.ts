/**
 * Incremental update of the BM25F index: when a few articles change, only their chunks are analysed; every kept
 * chunk's postings are copied under its new key. The result is the index a full {@link buildLexicalIndex} over the
 * new chunk table would give, array for array (hence the same scores and the same serialised bytes).
 */
import { AppError } from '../core/app-error.js';
import type { Article, Chunk } from '../core/types.js';
import { invertChunks, lexicalIndexFromParts, lexicalParts, type LexicalIndex, type LexicalSettings } from './bm25-index.js';

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
  const prev = lexicalParts(previous);
  const { keyMap, size } = change;
  const added = checkChange(change, prev.docLengths.length);
  const settings: LexicalSettings = {
    bigramWeight: prev.bigramWeight,
    prefixLength: prev.prefixLength,
    prefixWeight: prev.prefixWeight,
    k1: prev.k1,
    b: prev.b,
    titleWeight: prev.titleWeight,
    leadWeight: prev.leadWeight,
  };
  const fresh = invertChunks(
    added.map((a) => a.chunk),
    articles,
    settings,
  );
  const addedKeys = Uint32Array.from(added, (a) => a.key);

  const docLengths = new Float32Array(size);
  for (let k = 0; k < keyMap.length; k++) {
    const to = keyMap[k]!;
    if (to >= 0) docLengths[to] = prev.docLengths[k]!;
  }
  for (let i = 0; i < addedKeys.length; i++) docLengths[addedKeys[i]!] = fresh.docLengths[i]!;

  const oldDocs = prev.postingDocs;
  const oldTfs = prev.postingTfs;
  let keptPostings = 0;
  for (let p = 0; p < oldDocs.length; p++) if (keyMap[oldDocs[p]!]! >= 0) keptPostings++;
  const postingDocs = new Uint32Array(keptPostings + fresh.postingDocs.length);
  const postingTfs = new Uint16Array(postingDocs.length);

  // Both vocabularies in sorted order (an index written before vocabularies were sorted is read through a
  // permutation), merged; per term, the kept postings (remapped, still increasing) and the added ones are merged.
  const oldVocab = prev.vocab;
  const oldOrder = isSorted(oldVocab) ? undefined : Uint32Array.from(oldVocab.keys()).sort((x, y) => (oldVocab[x]! < oldVocab[y]! ? -1 : 1));
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
    let q = takeNew ? fresh.termOffsets[j]! : 0;
    const qEnd = takeNew ? fresh.termOffsets[j + 1]! : 0;
    if (takeOld) {
      const end = prev.termOffsets[oldId + 1]!;
      for (let p = prev.termOffsets[oldId]!; p < end; p++) {
        const key = keyMap[oldDocs[p]!]!;
        if (key < 0) continue;
        while (q < qEnd && addedKeys[freshDocs[q]!]! < key) {
          postingDocs[out] = addedKeys[freshDocs[q]!]!;
          postingTfs[out++] = freshTfs[q++]!;
        }
        postingDocs[out] = key;
        postingTfs[out++] = oldTfs[p]!;
      }
      i++;
    }
    for (; q < qEnd; q++) {
      postingDocs[out] = addedKeys[freshDocs[q]!]!;
      postingTfs[out++] = freshTfs[q]!;
    }
    if (takeNew) j++;
    if (out > start) {
      vocab.push(term);
      termOffsets[vocab.length] = out;
    }
  }
  return lexicalIndexFromParts({ ...settings, vocab, docLengths, termOffsets: termOffsets.slice(0, vocab.length + 1), postingDocs, postingTfs });
}

function isSorted(vocab: readonly string[]): boolean {
  for (let i = 1; i < vocab.length; i++) if (!(vocab[i - 1]! < vocab[i]!)) return false;
  return true;
}

/** Checks that kept and added keys cover the new table once each; returns the added chunks in key order. */
function checkChange(change: LexicalChange, previousSize: number): ReadonlyArray<{ key: number; chunk: Chunk }> {
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
