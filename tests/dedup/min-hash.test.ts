import { describe, expect, it } from 'vitest';
import { jaccard, minHashSignature, mix32, sequenceKey, shingleHashes, toSortedSet, wordHashes } from '../../src/dedup/min-hash.js';

const set = (values: number[]) => toSortedSet(Uint32Array.from(values.map((v) => mix32(v))));

describe('min-hash helpers', () => {
  it('normalises words: case, accents, punctuation and spacing do not matter, word order does', () => {
    const a = wordHashes("L'Élysée a réagi, mardi : « Non ! »");
    const b = wordHashes('l elysee   A REAGI mardi non');
    expect(sequenceKey(a)).toBe(sequenceKey(b));
    expect(sequenceKey(wordHashes('mardi a réagi'))).not.toBe(sequenceKey(wordHashes('a réagi mardi')));
    // Decomposed accents (NFD) read like composed ones.
    expect(sequenceKey(wordHashes('e\u0301te\u0301'))).toBe(sequenceKey(wordHashes('été')));
  });

  it('computes the exact Jaccard similarity of two sorted sets', () => {
    expect(jaccard(set([1, 2, 3, 4]), set([3, 4, 5, 6]))).toBeCloseTo(2 / 6);
    expect(jaccard(set([1, 2]), set([1, 2]))).toBe(1);
    expect(jaccard(set([1]), set([2]))).toBe(0);
    expect(jaccard(new Uint32Array(0), new Uint32Array(0))).toBe(1);
  });

  it('counts the shingles of a text, one for a text shorter than the shingle', () => {
    expect(shingleHashes(wordHashes('un deux trois quatre cinq'), 4)).toHaveLength(2);
    expect(shingleHashes(wordHashes('un deux'), 4)).toHaveLength(1);
    expect(shingleHashes(wordHashes(''), 4)).toHaveLength(0);
  });

  it('gives signatures whose agreement follows the Jaccard similarity', () => {
    const base = Array.from({ length: 400 }, (_, i) => i);
    const agreement = (other: number[]) => {
      const a = minHashSignature(set(base), 64);
      const b = minHashSignature(set(other), 64);
      return a.filter((v, i) => v === b[i]).length / 64;
    };
    // 360 shared of 440: Jaccard 0.82; 100 shared of 700: 0.14.
    const near = agreement([...base.slice(0, 360), ...Array.from({ length: 40 }, (_, i) => 10_000 + i)]);
    const far = agreement([...base.slice(0, 100), ...Array.from({ length: 300 }, (_, i) => 20_000 + i)]);
    expect(near).toBeGreaterThan(0.65);
    expect(far).toBeLessThan(0.35);
    expect(agreement(base)).toBe(1);
  });

  it('fills every bin of a short text and is deterministic', () => {
    const signature = minHashSignature(set([1, 2, 3]), 64);
    expect(signature.every((v) => v !== 0xffffffff)).toBe(true);
    expect([...minHashSignature(set([1, 2, 3]), 64)]).toEqual([...signature]);
  });
});
