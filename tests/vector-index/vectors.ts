/** Deterministic clustered unit vectors for vector-index tests (seeded, so failures reproduce). */
import { rng } from '../helpers/seeded-random.js';

/** `n` unit vectors of `dim` dimensions around `clusters` random centres, flat (row i = key i). */
export function clusteredVectors(n: number, dim: number, seed = 1, clusters = Math.max(1, Math.floor(n / 50))): Float32Array {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters * dim }, g);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * clusters);
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const x = centres[c * dim + d]! + 0.5 * g();
      out[i * dim + d] = x;
      s += x * x;
    }
    for (let d = 0; d < dim; d++) out[i * dim + d]! /= Math.sqrt(s);
  }
  return out;
}

export function row(flat: Float32Array, dim: number, i: number): Float32Array {
  return flat.slice(i * dim, (i + 1) * dim);
}
