import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactSearch, exactSearchKeys } from '../../src/vector-index/exact-search.js';
import { clusteredVectors, row } from './vectors.js';

describe('exactSearch', () => {
  it('ranks by cosine similarity like a full sort, for any k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 1000 }), (n, k, seed) => {
        const dim = 5;
        const data = clusteredVectors(n, dim, seed, 3);
        const query = row(clusteredVectors(1, dim, seed + 1), dim, 0);
        const cos = (i: number) => {
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += data[i * dim + d]! * query[d]!;
          return dot; // both unit length
        };
        const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => cos(b) - cos(a) || a - b).slice(0, k);
        const hits = exactSearch(data, dim, query, k);
        expect(hits.map((h) => h.key)).toEqual(expected);
        hits.forEach((h) => expect(h.score).toBeCloseTo(cos(h.key), 5));
      }),
      { numRuns: 60 },
    );
  });

  it('leaves out keys the filter rejects or throws on', () => {
    const data = clusteredVectors(50, 4, 3);
    const hits = exactSearch(data, 4, row(data, 4, 0), 50, (key) => {
      if (key === 7) throw new Error('bad filter');
      return key % 2 === 1;
    });
    expect(hits).toHaveLength(24);
    expect(hits.every((h) => h.key % 2 === 1 && h.key !== 7)).toBe(true);
  });

  it('scores vectors that are not unit length by cosine, and a zero query finds nothing', () => {
    const data = Float32Array.from([2, 0, 0, 3, 1, 1]);
    const hits = exactSearch(data, 2, Float32Array.from([0, 5]), 3);
    expect(hits.map((h) => h.key)).toEqual([1, 2, 0]);
    expect(hits[0]!.score).toBeCloseTo(1, 6);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(exactSearch(data, 2, Float32Array.from([0, 0]), 3)).toEqual([]);
  });

  it('searches given keys through a vector lookup, skipping keys without a vector', () => {
    const vectors = new Map<number, number[]>([[10, [1, 0]], [20, [0, 1]], [30, [0.6, 0.8]]]);
    const hits = exactSearchKeys([10, 20, 30, 40], (key) => vectors.get(key), Float32Array.from([0, 1]), 2);
    expect(hits.map((h) => h.key)).toEqual([20, 30]);
  });
});
