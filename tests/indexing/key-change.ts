/** Simulated re-index changes for HNSW update tests: chunks gone, chunks added, keys shifted as positions do. */
import { rng } from '../helpers/seeded-random.js';

export interface SimulatedChange {
  keyMap: Int32Array;
  addedKeys: Int32Array;
  addedVectors: Float32Array;
  size: number;
  /** Row k = the vector of new key k. */
  vectors: Float32Array;
  /** Previous keys whose vector is gone. */
  gone: number[];
}

/**
 * From `previous` (row i = key i), drops about `goneShare` of the keys and inserts `added` new rows at random places,
 * so the kept keys shift but keep their order, as chunk positions do when articles come and go. New rows are drawn by
 * `newVector` (unit vectors).
 */
export function simulateChange(
  previous: Float32Array,
  dim: number,
  options: { seed: number; goneShare: number; added: number; newVector: (i: number) => Float32Array },
): SimulatedChange {
  // Separate draws for removals and insertions: the same seed removes the same keys whatever the number added.
  const r = rng(options.seed);
  const rAdd = rng(options.seed ^ 0x5bd1e995);
  const n = previous.length / dim;
  const keyMap = new Int32Array(n).fill(-1);
  const gone: number[] = [];
  const rows: Float32Array[] = [];
  const addedAt: number[] = [];
  const addShare = options.added / Math.max(1, n);
  let added = 0;
  const add = () => {
    addedAt.push(rows.length);
    rows.push(options.newVector(added++));
  };
  for (let i = 0; i < n; i++) {
    if (added < options.added && rAdd() < addShare) add();
    if (r() < options.goneShare) {
      gone.push(i);
      continue;
    }
    keyMap[i] = rows.length;
    rows.push(previous.subarray(i * dim, (i + 1) * dim));
  }
  while (added < options.added) add();
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((v, k) => vectors.set(v, k * dim));
  const addedVectors = new Float32Array(addedAt.length * dim);
  addedAt.forEach((k, j) => addedVectors.set(rows[k]!, j * dim));
  return { keyMap, addedKeys: Int32Array.from(addedAt), addedVectors, size: rows.length, vectors, gone };
}

/** A unit vector near `base` (cosine about 0.99 at noise 0.1 in 16 dimensions). */
export function near(base: Float32Array, noise: number, r: () => number): Float32Array {
  const out = base.map((x) => x + noise * (r() - 0.5));
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
}
