/**
 * HNSW build time and recall@10 on the real chunk vectors of an index (tiny model), for several efConstruction / M.
 *   npx tsx bench/perf/hnsw-real.ts <indexDir> [efc=100,200] [m=16] [ef=64,128] [queries=200]
 * Queries are chunk vectors of the index itself with a small perturbation, so no model is needed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeVectors } from '../../src/indexing/chunk-table.js';
import { INDEX_FILES, type SourcierManifest } from '../../src/indexing/index-format.js';
import { openStore } from '../../src/store/index-store.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';

const [indexDir, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(rest.map((a) => a.split('=') as [string, string]));
const list = (k: string, d: string) => (args[k] ?? d).split(',').map(Number);
const live = (await openStore(indexDir!).readLive())!;
const m = live.manifest as unknown as SourcierManifest;
const dims = m.dimensions!;
const n = m.counts.chunks;
const flat = decodeVectors(await readFile(join(live.dir, INDEX_FILES.vectors)), dims, n);
const queries: Float32Array[] = [];
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
for (let i = 0; i < Number(args.queries ?? 200); i++) {
  const k = Math.floor((i * n) / Number(args.queries ?? 200));
  queries.push(flat.subarray(k * dims, (k + 1) * dims).map((x) => x + 0.1 * rand()));
}
const truth = queries.map((q) => exactSearch(flat, dims, q, 10));
for (const efc of list('efc', '100,200'))
  for (const mm of list('m', '16')) {
    const index = HnswVectorIndex.create(dims, n, { efConstruction: efc, m: mm });
    const t = performance.now();
    for (let k = 0; k < n; k++) index.add(k, flat.subarray(k * dims, (k + 1) * dims));
    const buildS = (performance.now() - t) / 1000;
    const path = join(live.dir, '..', `tune-${efc}-${mm}.hnsw`);
    await index.writeTo(path);
    for (const ef of list('ef', '64,128')) {
      const loaded = await HnswVectorIndex.readFrom(path, dims, n, { efSearch: ef, vectorOf: () => undefined });
      let hit = 0;
      queries.forEach((q, i) => {
        const want = new Set(truth[i]!.map((h) => h.key));
        const floor = truth[i]![9]!.score - 1e-6;
        hit += loaded.search(q, 10).filter((h) => want.has(h.key) || h.score >= floor).length;
      });
      console.log(`n=${n} efc=${efc} m=${mm} build=${buildS.toFixed(1)}s (${Math.round(n / buildS)}/s) ef=${ef} recall@10=${(hit / (queries.length * 10)).toFixed(4)}`);
    }
  }
