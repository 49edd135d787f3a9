/**
 * Incremental HNSW update against a full graph build, on the real chunk vectors of an index (tiny model):
 *   npx tsx bench/perf/hnsw-update.ts [indexDir=/tmp/perf2/itiny] [share=0.01] [rounds=1] [modes=append,reuse]
 *     [full=1] [queries=200] [work=/tmp/sourcier-hnsw-update]
 * Each round simulates a re-index where `share` of the articles are removed, `share` changed (their chunks gone and
 * re-embedded: the same vectors with a small noise) and `share` added (copies of other articles' chunks with noise),
 * so about 2 x share of the keys go and 2 x share come, keys shifting as chunk positions do. The update is timed
 * against a full build of the same final vectors (`full=0` skips it), and recall@10 is measured against exact search
 * for query vectors near the final vectors (as bench/perf/hnsw-real.ts does). Rounds chain: each update starts from the
 * previous round's file, which shows the fallback to a full build once deleted elements pass 20%.
 * The index folder is only read; files are written under `work`.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeVectors } from '../../src/indexing/chunk-table.js';
import { INDEX_FILES, type SourcierManifest } from '../../src/indexing/index-format.js';
import { updateHnswFile } from '../../src/indexing/update-hnsw-file.js';
import { openStore } from '../../src/store/index-store.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';
import { rng } from '../../tests/helpers/seeded-random.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => (a.includes('=') ? (a.split('=') as [string, string]) : ['dir', a])));
const indexDir = args.dir ?? '/tmp/perf2/itiny';
const share = Number(args.share ?? 0.01);
const rounds = Number(args.rounds ?? 1);
const modes = (args.modes ?? 'append,reuse').split(',') as Array<'append' | 'reuse'>;
const work = args.work ?? '/tmp/sourcier-hnsw-update';
const queryCount = Number(args.queries ?? 200);

const live = (await openStore(indexDir).readLive())!;
const manifest = live.manifest as unknown as SourcierManifest;
const dims = manifest.dimensions!;
const n0 = manifest.counts.chunks;
let vectors = decodeVectors(await readFile(join(live.dir, INDEX_FILES.vectors)), dims, n0);
// chunks.bin: 4 header ints, then 7 ints per chunk whose first is the article index (src/indexing/chunk-table.ts).
const table = await readFile(join(live.dir, INDEX_FILES.chunks));
const ints = new Int32Array(table.buffer, table.byteOffset, table.byteLength / 4);
let articleOf = Int32Array.from({ length: n0 }, (_, i) => ints[4 + 7 * i]!);
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });

const r = rng(2024);
const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
/** A unit vector near `v` (cosine about 0.99 at noise 0.02 per component in 32 dimensions). */
const noisy = (v: Float32Array, noise = 0.02) => {
  const out = v.map((x) => x + noise * gauss());
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
};
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const rss = () => `rss ${mb(process.memoryUsage().rss)} MB`;

/** One simulated re-index of (vectors, articleOf): key map, added rows, and the final table. */
function simulate() {
  const n = articleOf.length;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || articleOf[i] !== articleOf[i - 1]) starts.push(i);
  starts.push(n);
  const articles = starts.length - 1;
  const keyMap = new Int32Array(n).fill(-1);
  const rows: Float32Array[] = [];
  const nextArticle: number[] = [];
  const addedKeys: number[] = [];
  let removed = 0;
  let changed = 0;
  let created = 0;
  const addRow = (v: Float32Array, article: number) => {
    addedKeys.push(rows.length);
    rows.push(v);
    nextArticle.push(article);
  };
  let articleIndex = 0;
  for (let a = 0; a < articles; a++) {
    const [from, to] = [starts[a]!, starts[a + 1]!];
    if (r() < share) {
      // A new article before this one: a noisy copy of a random article's chunks.
      const b = Math.floor(r() * articles);
      for (let i = starts[b]!; i < starts[b + 1]!; i++) addRow(noisy(vectors.subarray(i * dims, (i + 1) * dims)), articleIndex);
      articleIndex++;
      created++;
    }
    const draw = r();
    if (draw < share) {
      removed++;
      continue;
    }
    if (draw < 2 * share) {
      changed++;
      for (let i = from; i < to; i++) addRow(noisy(vectors.subarray(i * dims, (i + 1) * dims)), articleIndex);
    } else {
      for (let i = from; i < to; i++) {
        keyMap[i] = rows.length;
        rows.push(vectors.subarray(i * dims, (i + 1) * dims));
        nextArticle.push(articleIndex);
      }
    }
    articleIndex++;
  }
  const size = rows.length;
  const flat = new Float32Array(size * dims);
  rows.forEach((v, k) => flat.set(v, k * dims));
  const addedVectors = new Float32Array(addedKeys.length * dims);
  addedKeys.forEach((k, j) => addedVectors.set(flat.subarray(k * dims, (k + 1) * dims), j * dims));
  let gone = 0;
  for (const k of keyMap) if (k < 0) gone++;
  return { keyMap, addedKeys: Int32Array.from(addedKeys), addedVectors, size, flat, articleOf: Int32Array.from(nextArticle), gone, removed, changed, created, articles };
}

/** recall@10 (a hit at the 10th score counts) and ms per query. */
function recall(index: HnswVectorIndex, queries: Float32Array[], truth: Array<Array<{ key: number; score: number }>>): string {
  let hit = 0;
  const t = performance.now();
  const answers = queries.map((q) => index.search(q, 10));
  const ms = (performance.now() - t) / queries.length;
  answers.forEach((hits, i) => {
    const want = new Set(truth[i]!.map((h) => h.key));
    const floor = truth[i]![9]!.score - 1e-6;
    hit += hits.filter((h) => want.has(h.key) || h.score >= floor).length;
  });
  return `${(hit / (queries.length * 10)).toFixed(4)} (${ms.toFixed(2)} ms/query)`;
}

const previousFiles: Record<string, string> = Object.fromEntries(modes.map((m) => [m, join(live.dir, INDEX_FILES.hnsw)]));
console.log(`index ${indexDir}: ${n0} chunks x ${dims} dims; vectors.hnsw ${mb((await stat(previousFiles[modes[0]!]!)).size)} MB; ${rss()}`);
for (let round = 1; round <= rounds; round++) {
  const c = simulate();
  console.log(
    `\nround ${round}: ${c.articles} articles, ${c.removed} removed, ${c.changed} changed, ${c.created} added -> ` +
      `${c.gone} keys gone (${((100 * c.gone) / articleOf.length).toFixed(2)}%), ${c.addedKeys.length} added (${((100 * c.addedKeys.length) / c.size).toFixed(2)}%), size ${articleOf.length} -> ${c.size}`,
  );
  const queries = Array.from({ length: queryCount }, (_, i) => {
    const k = Math.floor(((i + 0.5) * c.size) / queryCount);
    return noisy(c.flat.subarray(k * dims, (k + 1) * dims), 0.1 / Math.sqrt(12));
  });
  const t0 = performance.now();
  const truth = queries.map((q) => exactSearch(c.flat, dims, q, 10));
  console.log(`  exact truth for ${queryCount} queries: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const mode of modes) {
    let next = previousFiles[mode]!;
    for (const checksumVerified of round === 1 ? [false, true] : [false]) {
      const file = join(work, `r${round}-${mode}${checksumVerified ? '-hv' : ''}.hnsw`);
      const t = performance.now();
      const result = await updateHnswFile(previousFiles[mode]!, file, {
        dimensions: dims,
        keyMap: c.keyMap,
        addedKeys: c.addedKeys,
        addedVectors: c.addedVectors,
        size: c.size,
        vectorOf: (key) => c.flat.subarray(key * dims, (key + 1) * dims),
        reuseDeleted: mode === 'reuse',
        checksumVerified,
      });
      const seconds = (performance.now() - t) / 1000;
      const loaded = await HnswVectorIndex.readFrom(file, dims, c.size, { vectorOf: () => undefined });
      console.log(
        `  update ${mode}${checksumVerified ? ' (previous checked by header)' : ' (previous checked link by link)'}: ${seconds.toFixed(2)} s, ` +
          `${result.mode}${result.reason ? ` (${result.reason})` : ''}, ${result.elements} elements, ${result.deleted} deleted ` +
          `(${((100 * result.deleted) / result.elements).toFixed(1)}%), file ${mb((await stat(file)).size)} MB, recall@10 ${recall(loaded, queries, truth)}; ${rss()}`,
      );
      if (!checksumVerified) next = file;
    }
    previousFiles[mode] = next;
  }
  if (args.full !== '0') {
    const t = performance.now();
    const index = HnswVectorIndex.create(dims, c.size);
    for (let k = 0; k < c.size; k++) index.add(k, c.flat.subarray(k * dims, (k + 1) * dims));
    const file = join(work, `r${round}-full.hnsw`);
    await index.writeTo(file);
    const seconds = (performance.now() - t) / 1000;
    const loaded = await HnswVectorIndex.readFrom(file, dims, c.size, { vectorOf: () => undefined });
    console.log(`  full build (calling thread, verified write): ${seconds.toFixed(1)} s, file ${mb((await stat(file)).size)} MB, recall@10 ${recall(loaded, queries, truth)}; ${rss()}`);
  }
  vectors = c.flat;
  articleOf = c.articleOf;
}
await rm(work, { recursive: true, force: true });
