/**
 * HNSW build rate, query time and recall@10 against exact search, on random clustered vectors.
 *   npx tsx bench/hnsw.ts [n=10000,100000] [dims=384,32] [ef=16,32,64,128] [m=16] [efc=200] [noise=0.6] [queries=200]
 * Arguments are key=value, lists comma-separated. `noise` is the spread of points around their cluster centre
 * (centres are N(0,1) per dimension): larger is harder for HNSW. Single-threaded; run it alone on a quiet machine.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactSearch } from '../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../src/vector-index/hnsw-vector-index.js';
import { rng } from '../tests/helpers/seeded-random.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const list = (name: string, fallback: string) => (args[name] ?? fallback).split(',').map(Number);
const sizes = list('n', '10000,100000');
const dimsList = list('dims', '384,32');
const efs = list('ef', '16,32,64,128');
const m = Number(args.m ?? 16);
const efConstruction = Number(args.efc ?? 200);
const queries = Number(args.queries ?? 200);
const noise = Number(args.noise ?? 0.6);
const k = 10;

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** n vectors around n/100 cluster centres (like chunks of the same stories), unit length. */
function clustered(n: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const clusters = Math.max(1, Math.floor(n / 100));
  const centres = new Float32Array(clusters * dim).map(() => gaussian(r));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * clusters);
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const x = centres[c * dim + d]! + noise * gaussian(r);
      out[i * dim + d] = x;
      s += x * x;
    }
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) out[i * dim + d]! *= inv;
  }
  return out;
}

const dir = await mkdtemp(join(tmpdir(), 'sourcier-bench-'));
console.log(`M=${m} efConstruction=${efConstruction} k=${k} queries=${queries} noise=${noise}`);
try {
  for (const dim of dimsList) {
    for (const n of sizes) {
      const data = clustered(n, dim, 1);
      // Queries: perturbed copies of stored points, as a question lands near the passages that answer it.
      const qs = clustered(queries, dim, 2).map((x, i) => x * 0.3 + data[(i % dim) + dim * ((Math.floor(i / dim) * 7919) % n)]!);
      const query = (i: number) => qs.subarray(i * dim, (i + 1) * dim);

      const index = HnswVectorIndex.create(dim, n, { m, efConstruction });
      let t = performance.now();
      for (let i = 0; i < n; i++) index.add(i, data.subarray(i * dim, (i + 1) * dim));
      const buildS = (performance.now() - t) / 1000;

      t = performance.now();
      const truth = Array.from({ length: queries }, (_, i) => new Set(exactSearch(data, dim, query(i), k).map((h) => h.key)));
      const exactMs = (performance.now() - t) / queries;

      const file = join(dir, `b-${dim}-${n}.hnsw`);
      t = performance.now();
      await index.writeTo(file);
      const writeS = (performance.now() - t) / 1000;
      t = performance.now();
      const loaded = await HnswVectorIndex.readFrom(file, dim, n);
      const readS = (performance.now() - t) / 1000;
      const bytes = (await stat(file)).size;

      const row = [`dim=${dim}`, `n=${n}`, `build=${Math.round(n / buildS)}/s (${buildS.toFixed(1)} s)`, `exact=${exactMs.toFixed(2)} ms/q`];
      row.push(`write+verify=${writeS.toFixed(2)} s`, `check+read=${readS.toFixed(2)} s`, `file=${(bytes / 2 ** 20).toFixed(1)} MiB`);
      console.log(row.join('  '));
      for (const ef of efs) {
        const probe = await HnswVectorIndex.readFrom(file, dim, n, { efSearch: ef });
        let found = 0;
        t = performance.now();
        for (let i = 0; i < queries; i++) for (const h of probe.search(query(i), k)) if (truth[i]!.has(h.key)) found++;
        const ms = (performance.now() - t) / queries;
        console.log(`    efSearch=${ef}: recall@10=${(found / (queries * k)).toFixed(4)}  query=${ms.toFixed(3)} ms`);
      }
      // Filters letting 1% (answered exactly over the allowed keys), 8% and 50% of the keys through.
      const f1 = timeFilter(loaded, query, (key) => key % 100 === 7);
      const f8 = timeFilter(loaded, query, (key) => key % 12 === 7);
      const f50 = timeFilter(loaded, query, (key) => key % 2 === 0);
      console.log(`    filtered (efSearch 64): 1% ${f1} ms/q   8% ${f8} ms/q   50% ${f50} ms/q`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

function timeFilter(index: HnswVectorIndex, query: (i: number) => Float32Array, filter: (key: number) => boolean): string {
  const t = performance.now();
  for (let i = 0; i < queries; i++) index.search(query(i), k, filter);
  return ((performance.now() - t) / queries).toFixed(3);
}
