/**
 * Query-side figures in a process of their own (clean RSS): open the index, then latency of questions one at a
 * time, throughput with N in flight, and (hybrid) HNSW recall@10 against exact search on the real chunk vectors.
 *   node --import tsx bench/perf/query-child.ts <json options>      prints one JSON line
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { loadTransformersEmbedder } from '../../src/embed/transformers-embedder.js';
import { timedEmbedder } from './timed-embedder.js';
import { decodeVectors } from '../../src/indexing/chunk-table.js';
import { INDEX_FILES, type SourcierManifest } from '../../src/indexing/index-format.js';
import { openStore } from '../../src/store/index-store.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';

interface Options {
  corpusDir: string;
  indexDir: string;
  model?: string;
  questions: string[];
  concurrency: number;
  recallQueries: number;
}
const o = JSON.parse(process.argv[2]!) as Options;
const mb = (bytes: number) => Math.round(bytes / 1048576);

const rssStart = process.memoryUsage().rss;
let timed: ReturnType<typeof timedEmbedder> | undefined;
if (o.model) {
  // Times the model's share of each question, so that latency "excluding the model" can be reported.
  timed = timedEmbedder(await loadTransformersEmbedder({ model: o.model, cacheDir: join(tmpdir(), 'sourcier-models'), allowRemote: false }));
  await timed.embedQuery('échauffement'); // first call allocates the session's buffers
}
global.gc?.();
const rssModel = process.memoryUsage().rss;
const t0 = performance.now();
const sourcier = await openSourcier(
  { corpusDir: o.corpusDir, indexDir: o.indexDir, embeddingModel: o.model ?? 'none', modelCacheDir: tmpdir(), allowRemoteModels: false, logLevel: 'silent' },
  { embedder: timed ?? null },
);
const openMs = performance.now() - t0;
global.gc?.();
const rssOpen = process.memoryUsage().rss;

// Warm-up (JIT), not counted.
for (const q of o.questions.slice(0, 20)) await sourcier.ask(q);

const total: number[] = [];
const outside: number[] = [];
let abstained = 0;
for (const q of o.questions) {
  const m0 = timed?.modelMs ?? 0;
  const s = performance.now();
  const a = await sourcier.ask(q);
  const ms = performance.now() - s;
  total.push(ms);
  outside.push(ms - ((timed?.modelMs ?? 0) - m0));
  if (a.abstained) abstained++;
}
const rssQueries = process.memoryUsage().rss;

// Throughput: `concurrency` questions in flight at a time.
let next = 0;
const c0 = performance.now();
await Promise.all(
  Array.from({ length: o.concurrency }, async () => {
    while (next < o.questions.length) await sourcier.ask(o.questions[next++]!);
  }),
);
const qps = o.questions.length / ((performance.now() - c0) / 1000);
await sourcier.close();

interface RecallRow { efSearch: number; recallAt10: number; recallAt10TiesAllowed: number; hnswMs: number }
let recall: { queries: number; exactMs: number; rows: RecallRow[] } | undefined;
if (timed) {
  const live = (await openStore(o.indexDir).readLive())!;
  const m = live.manifest as unknown as SourcierManifest;
  const dims = m.dimensions!;
  const flat = decodeVectors(await readFile(join(live.dir, INDEX_FILES.vectors)), dims, m.counts.chunks);
  const qs = o.questions.slice(0, o.recallQueries);
  const vectors: Float32Array[] = [];
  for (const q of qs) vectors.push(await timed.embedQuery(q));
  let exactMs = 0;
  const truth = vectors.map((v) => {
    const s = performance.now();
    const exact = exactSearch(flat, dims, v, 10);
    exactMs += performance.now() - s;
    return exact;
  });
  const rows: RecallRow[] = [];
  // The first row is the shipped efSearch (HnswVectorIndex default); larger ones show what recall costs.
  for (const ef of [undefined, 64, 128, 384]) {
    const hnsw = await HnswVectorIndex.readFrom(join(live.dir, INDEX_FILES.hnsw), dims, m.counts.chunks, { vectorOf: () => undefined, ...(ef ? { efSearch: ef } : {}) });
    let hit = 0;
    let hitTies = 0;
    let hnswMs = 0;
    vectors.forEach((v, i) => {
      const s = performance.now();
      const approx = hnsw.search(v, 10);
      hnswMs += performance.now() - s;
      const exact = truth[i]!;
      const want = new Set(exact.map((h) => h.key));
      hit += approx.filter((h) => want.has(h.key)).length;
      // Tiny-model vectors of repeated text are identical: a different key with the 10th score is as good.
      const floor = exact[exact.length - 1]!.score - 1e-6;
      hitTies += approx.filter((h) => want.has(h.key) || h.score >= floor).length;
    });
    rows.push({ efSearch: hnsw.efSearch, recallAt10: hit / (qs.length * 10), recallAt10TiesAllowed: hitTies / (qs.length * 10), hnswMs: hnswMs / qs.length });
  }
  recall = { queries: qs.length, exactMs: exactMs / qs.length, rows };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), mean: xs.reduce((a, b) => a + b, 0) / xs.length });
console.log(
  JSON.stringify({
    questions: o.questions.length,
    abstained,
    openMs,
    latencyMs: summary(total),
    latencyOutsideModelMs: summary(outside),
    qps,
    concurrency: o.concurrency,
    rssMB: { start: mb(rssStart), withModel: mb(rssModel), indexOpen: mb(rssOpen), afterQueries: mb(rssQueries), peak: Math.round(process.resourceUsage().maxRSS / 1024) },
    recall,
  }),
);
