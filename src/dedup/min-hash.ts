/**
 * Deterministic hashing for near-duplicate detection: word hashes, word shingles, one-permutation MinHash signatures
 * and the exact Jaccard similarity of two shingle sets. No randomness: every hash uses a fixed seed.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower-case, accent-free code unit for U+0000-U+024F (Latin-1 and Latin Extended): "É" -> "e", "œ" stays "œ". */
const FOLD = (() => {
  const table = new Uint16Array(0x250);
  for (let c = 0; c < table.length; c++) {
    const folded = String.fromCharCode(c).normalize('NFD').charAt(0).toLowerCase();
    table[c] = folded.length === 1 ? folded.charCodeAt(0) : c;
  }
  return table;
})();

/**
 * Hashes of the words of `text` after normalisation (lower case, accents removed, punctuation and spacing ignored),
 * in order. Two texts with the same word hashes are "the same normalised text". A word is a run of ASCII letters or
 * digits, or of letters from Latin-1 on (not ×, ÷, nor the punctuation block U+2000-U+303F).
 */
export function wordHashes(text: string): Uint32Array {
  const out: number[] = [];
  let h = 0x811c9dc5;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x300 && c <= 0x36f) continue; // combining accents (decomposed text): "é" and "e" are the same word
    if (c < 0x250) c = FOLD[c]!;
    const isWordChar = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000) || c >= 0x3040;
    if (isWordChar) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      out.push(mix32(h));
      h = 0x811c9dc5;
      inWord = false;
    }
  }
  if (inWord) out.push(mix32(h));
  return Uint32Array.from(out);
}

/** A key (two 32-bit hashes and the length) for a whole word sequence: equal keys mean equal normalised texts. */
export function sequenceKey(words: Uint32Array): string {
  let a = 0x9747b28c;
  let b = 0x27d4eb2f;
  for (let i = 0; i < words.length; i++) {
    a = mix32(a ^ words[i]!);
    b = mix32(Math.imul(b, 31) + words[i]!);
  }
  return `${words.length}:${a.toString(36)}:${b.toString(36)}`;
}

/** Hashes of the `size`-word shingles of a word sequence, in text order (repeats kept). A shorter text is one shingle. */
export function shingleHashes(words: Uint32Array, size: number): Uint32Array {
  if (words.length === 0) return new Uint32Array(0);
  const count = Math.max(1, words.length - size + 1);
  const shingles = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x3c6ef372;
    const end = Math.min(words.length, i + size);
    for (let j = i; j < end; j++) h = Math.imul(h ^ words[j]!, 0x01000193) + 0x6d2b79f5;
    shingles[i] = mix32(h);
  }
  return shingles;
}

/** Sorted unique copy of a hash list: the shingle set that `jaccard` compares. */
export function toSortedSet(hashes: Uint32Array): Uint32Array {
  const sorted = Uint32Array.from(hashes).sort();
  let unique = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[unique - 1]) sorted[unique++] = sorted[i]!;
  }
  return sorted.slice(0, unique);
}

/**
 * One-permutation MinHash (Li, Owen & Zhang 2012) with rotation densification (Shrivastava & Li 2014): each shingle
 * is hashed once with a fixed seed, the hash picks one of `bins` bins and the bin keeps its smallest value; an empty
 * bin borrows the value of the next non-empty bin to its right, offset by the distance. Two signatures agree in a bin
 * with probability close to the Jaccard similarity of the two sets, for one hash per shingle instead of one per
 * shingle and function (classic MinHash with 64 functions took 6.5 s on OrangeSum, this takes a fraction of a second).
 */
export function minHashSignature(shingles: Uint32Array, bins: number, seed = 0x5eed1e55, out?: Uint32Array): Uint32Array {
  const signature = out ?? new Uint32Array(bins);
  const EMPTY = 0xffffffff;
  signature.fill(EMPTY);
  // Values stay below `width`; a borrowed value is offset by multiples of it, so it is never mistaken for an own one.
  const width = Math.floor(0x100000000 / bins);
  for (let s = 0; s < shingles.length; s++) {
    const v = mix32(shingles[s]! ^ seed);
    const bin = v % bins;
    const value = Math.floor(v / bins);
    if (value < signature[bin]!) signature[bin] = value;
  }
  if (shingles.length === 0) return signature;
  for (let i = 0; i < bins; i++) {
    if (signature[i]! < width) continue;
    for (let distance = 1; distance < bins; distance++) {
      const j = (i + distance) % bins;
      if (signature[j]! < width) {
        signature[i] = signature[j]! + distance * width;
        break;
      }
    }
  }
  return signature;
}

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted unique hash sets (1 for two empty sets). */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  return jaccardOf(a.length, b.length, commonCount(a, b));
}

/** |A ∩ B| of two sorted unique hash sets. */
export function commonCount(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return common;
}

/** The Jaccard similarity of two sets of `sizeA` and `sizeB` elements with `common` in common (1 for two empty sets). */
export function jaccardOf(sizeA: number, sizeB: number, common: number): number {
  return sizeA === 0 && sizeB === 0 ? 1 : common / (sizeA + sizeB - common);
}
