import type { ScoredKey } from '../core/types.js';

/**
 * Exact cosine nearest neighbours over a flat table of vectors (row `i` is key `i`), best first, ties by key.
 * Used for small or very selective searches and as the ground truth when measuring HNSW recall.
 * `filter` may throw: a key whose filter throws is left out (never the whole search).
 */
export function exactSearch(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  filter?: (key: number) => boolean,
): ScoredKey[] {
  const n = Math.floor(vectors.length / dim);
  const keep = filter ? safeFilter(filter) : undefined;
  const top = new TopK(k);
  const qNorm = norm(query, dim);
  if (qNorm === 0 || k <= 0) return [];
  for (let key = 0; key < n; key++) {
    if (keep && !keep(key)) continue;
    top.push(key, cosine(vectors, key * dim, query, dim, qNorm));
  }
  return top.sorted();
}

/** Exact search over the given keys, reading each key's vector through `vectorOf` (missing vectors are skipped). */
export function exactSearchKeys(
  keys: ArrayLike<number>,
  vectorOf: (key: number) => ArrayLike<number> | undefined,
  query: Float32Array,
  k: number,
): ScoredKey[] {
  const dim = query.length;
  const qNorm = norm(query, dim);
  if (qNorm === 0 || k <= 0) return [];
  const top = new TopK(k);
  // Copied into one typed scratch row so the inner loop sees a single array type (number[] from hnswlib or typed arrays).
  const scratch = new Float32Array(dim);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = vectorOf(key);
    if (!v || v.length !== dim) continue;
    if (v instanceof Float32Array) top.push(key, cosine(v, 0, query, dim, qNorm));
    else {
      for (let d = 0; d < dim; d++) scratch[d] = v[d]!;
      top.push(key, cosine(scratch, 0, query, dim, qNorm));
    }
  }
  return top.sorted();
}

/** Wraps a caller's filter so it can never throw (a throw inside hnswlib's native callback aborts the process). */
export function safeFilter(filter: (key: number) => boolean): (key: number) => boolean {
  return (key) => {
    try {
      return filter(key) === true;
    } catch {
      return false;
    }
  };
}

function norm(v: Float32Array, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i]!;
    s += x * x;
  }
  return Math.sqrt(s);
}

function cosine(v: Float32Array, offset: number, q: Float32Array, dim: number, qNorm: number): number {
  let dot = 0;
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[offset + i]!;
    dot += x * q[i]!;
    s += x * x;
  }
  return s === 0 ? 0 : dot / (Math.sqrt(s) * qNorm);
}

/** Keeps the k best (score, key) pairs seen; a min-heap on score so each push costs O(log k). */
class TopK {
  private readonly keys: number[] = [];
  private readonly scores: number[] = [];
  constructor(private readonly k: number) {}

  push(key: number, score: number): void {
    if (this.k <= 0 || Number.isNaN(score)) return;
    if (this.keys.length < this.k) {
      this.keys.push(key);
      this.scores.push(score);
      this.up(this.keys.length - 1);
    } else if (this.worse(0, score, key)) {
      this.keys[0] = key;
      this.scores[0] = score;
      this.down(0);
    }
  }

  sorted(): ScoredKey[] {
    return this.keys
      .map((key, i) => ({ key, score: this.scores[i]! }))
      .sort((a, b) => b.score - a.score || a.key - b.key);
  }

  /** Is the entry at `i` worse than (score, key)? Lower score is worse; on a tie the larger key is worse. */
  private worse(i: number, score: number, key: number): boolean {
    const s = this.scores[i]!;
    return s < score || (s === score && this.keys[i]! > key);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(i, this.scores[p]!, this.keys[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(l, this.scores[m]!, this.keys[m]!)) m = l;
      if (r < n && this.worse(r, this.scores[m]!, this.keys[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
  }
}
