/**
 * Incremental lexical update against a full rebuild on a real index: loads a generation, simulates a corpus where
 * 1 % of the articles changed, 1 % were added and 1 % deleted (seeded), builds the new chunk table the way an
 * incremental build does, then times updateLexicalIndex and buildLexicalIndex on it and checks that both give the
 * same bytes and the same hits and scores for real questions. Prints one JSON line.
 *   npx tsx bench/perf/lexical-update.ts <indexDir> [share=0.01] [seed=1] [questions=400] [only=update|build]
 * `only` skips the other path (and the comparison), so that `/usr/bin/time -v` gives each path's own peak RSS.
 * The update runs before the full build, with the analyser's word memo cold, as in a fresh `sourcier index` process.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import type { Article, Chunk } from '../../src/core/types.js';
import type { SourcierManifest } from '../../src/indexing/index-format.js';
import { loadGeneration } from '../../src/indexing/load-generation.js';
import { hashArticle } from '../../src/ingest/hash-article.js';
import { buildLexicalIndex, lexicalParts, serializeLexicalIndex, type LexicalIndex } from '../../src/lexical/bm25-index.js';
import { updateLexicalIndex, type LexicalChange } from '../../src/lexical/update-lexical-index.js';
import { openStore } from '../../src/store/index-store.js';
import { rng } from '../../tests/helpers/seeded-random.js';
import { makeQuestions } from './make-questions.js';

const [indexDir, ...rest] = process.argv.slice(2);
if (!indexDir) throw new Error('usage: lexical-update.ts <indexDir> [share=0.01] [seed=1] [questions=400] [only=update|build]');
const args = Object.fromEntries(rest.map((a) => a.split('=') as [string, string]));
const share = Number(args.share ?? 0.01);
const random = rng(Number(args.seed ?? 1));
const only = args.only as 'update' | 'build' | undefined;

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const memory = () => {
  const m = process.memoryUsage();
  return { rssMB: mb(m.rss), heapMB: mb(m.heapUsed), arrayBuffersMB: mb(m.arrayBuffers), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
};
/** Runs `f`: its result, wall ms, and CPU ms of the process (less sensitive to other work on shared cores). */
const cpuOf: Record<string, number> = {};
const time = <T>(f: () => T, name?: string): [T, number] => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  if (name) cpuOf[name] = Math.round((c.user + c.system) / 1000);
  return [out, Math.round(performance.now() - t0)];
};

let t0 = performance.now();
const live = await openStore(indexDir).readLive();
if (!live) throw new Error(`no live generation in ${indexDir}`);
const previous = await loadGeneration(live, { serving: true });
const previousIndex = previous.lexical!;
const manifest = previous.manifest as SourcierManifest;
const loadMs = Math.round(performance.now() - t0);
const afterLoad = memory();

// Simulated corpus: the same articles (already in id order) minus deletions, with changes, plus additions whose ids
// fall right after existing ones (so new chunks interleave with kept ones). Changed and added texts carry made-up
// words, so the vocabulary gains terms; deleted articles take their rare terms with them.
const count = Math.round(previous.articles.length * share);
const shuffled = previous.articles.map((a) => a.id);
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
}
const deleted = new Set(shuffled.slice(0, count));
const changed = new Set(shuffled.slice(count, 2 * count));
const afterIds = shuffled.slice(2 * count, 3 * count);
const madeUp = () => `zq${Math.floor(random() * 1e6).toString(36)}`;
const rewrite = (a: Article, id: string, text: string, title: string): Article => {
  const next = { ...a, id, text, title, path: `${id}.jsonl` };
  return { ...next, hash: hashArticle(next) };
};
const byId = new Map(previous.articles.map((a) => [a.id, a]));
const newArticles: Article[] = [];
for (const a of previous.articles) {
  if (deleted.has(a.id)) continue;
  if (!changed.has(a.id)) {
    newArticles.push(a);
    continue;
  }
  const paragraphs = a.text.split('\n');
  newArticles.push(rewrite(a, a.id, [...paragraphs.slice(1), `Mise à jour : le ${madeUp()} a été corrigé.`, paragraphs[0]!].join('\n'), a.title));
}
for (const id of afterIds) {
  const a = byId.get(id)!;
  const other = byId.get(shuffled[Math.floor(random() * shuffled.length)]!)!;
  newArticles.push(rewrite(a, `${id}~suite`, `${other.text}\n${a.text.split('\n')[0]!} Le ${madeUp()} selon ${madeUp()}.`, `Suite : ${a.title}`));
}
newArticles.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

// The new chunk table and the change, as build-index makes them (unchanged articles keep their chunks).
t0 = performance.now();
const keysOf = new Map<string, number[]>();
previous.chunks.forEach((c, key) => {
  const list = keysOf.get(c.articleId);
  if (list) list.push(key);
  else keysOf.set(c.articleId, [key]);
});
const previousById = new Map(previous.articles.map((a) => [a.id, a]));
const keyMap = new Int32Array(previous.chunks.length).fill(-1);
const chunks: Chunk[] = [];
const added: Array<{ key: number; chunk: Chunk }> = [];
const chunking = { tokenCounter: estimateTokenCounter, ...manifest.chunking };
for (const a of newArticles) {
  if (previousById.get(a.id)?.hash === a.hash) {
    for (const key of keysOf.get(a.id) ?? []) {
      keyMap[key] = chunks.length;
      chunks.push(previous.chunks[key]!);
    }
  } else {
    for (const chunk of chunkArticle(a, chunking)) {
      added.push({ key: chunks.length, chunk });
      chunks.push(chunk);
    }
  }
}
const change: LexicalChange = { keyMap, added, size: chunks.length };
const articles = new Map(newArticles.map((a) => [a.id, a]));
const tableMs = Math.round(performance.now() - t0);
const beforeIndexing = memory();

const report: Record<string, unknown> = {
  indexDir,
  previous: { articles: previous.articles.length, chunks: previous.chunks.length, terms: previousIndex.vocabularySize, postings: lexicalParts(previousIndex).postingDocs.length },
  simulated: { deleted: deleted.size, changed: changed.size, added: afterIds.length, chunks: chunks.length, chunksAdded: added.length, chunksGone: keyMap.filter((k) => k < 0).length },
  loadMs,
  tableMs,
  memory: { afterLoad, beforeIndexing },
};

let updated: LexicalIndex | undefined;
if (only !== 'build') {
  // An index written before vocabularies were sorted is read through a permutation; the first update after the
  // upgrade pays for it once. Its cost is measured on its own (an update with no change, no analysis), then the
  // steady state: an update from a sorted index with the analyser's word memo still cold, then warm.
  const unsorted = !isSorted(lexicalParts(previousIndex).vocab);
  const identity: LexicalChange = { keyMap: Int32Array.from(previous.chunks.keys()), added: [], size: previous.chunks.length };
  const [sortedPrevious, noChangeMs] = time(() => updateLexicalIndex(previousIndex, identity, new Map()), 'noChangeFromLoaded');
  const before = memory();
  let coldMs: number;
  [updated, coldMs] = time(() => updateLexicalIndex(sortedPrevious, change, articles), 'cold');
  const after = memory();
  const warmMs = [0, 1, 2].map((i) => time(() => updateLexicalIndex(sortedPrevious, change, articles), `warm${i}`)[1]);
  const [addedOnly, analyseWarmMs] = time(() => buildLexicalIndex(added.map((a) => a.chunk), articles), 'analyseAddedWarm');
  report.update = {
    coldMs,
    warmMs,
    analyseAddedWarmMs: analyseWarmMs,
    previousVocabularyUnsorted: unsorted,
    noChangeFromLoadedMs: noChangeMs,
    addedTerms: addedOnly.vocabularySize,
    terms: updated.vocabularySize,
    postings: lexicalParts(updated).postingDocs.length,
    memory: { before, after },
  };
}

let full: LexicalIndex | undefined;
if (only !== 'update') {
  let ms: number;
  [full, ms] = time(() => buildLexicalIndex(chunks, articles), 'build');
  report.build = { ms, terms: full.vocabularySize, memoryAfter: memory() };
}

if (updated && full) {
  const a = serializeLexicalIndex(updated);
  const b = serializeLexicalIndex(full);
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const questions = makeQuestions(
    newArticles.map((x) => ({ title: x.title, lead: x.text.split('\n')[0], ...(x.date ? { date: x.date } : {}) })),
    Number(args.questions ?? 400),
    Number(args.seed ?? 1),
  );
  // Plus the made-up words of changed and added articles, and rare words of deleted ones.
  const extra = newArticles.filter((x) => !previousById.has(x.id) || changed.has(x.id)).slice(0, 50).map((x) => x.text.slice(-40));
  for (const id of [...deleted].slice(0, 50)) extra.push(byId.get(id)!.title);
  let differing = 0;
  let hits = 0;
  for (const q of [...questions.map((x) => x.text), ...extra]) {
    const x = updated.search(q, 20);
    const y = full.search(q, 20);
    hits += x.length;
    if (x.length !== y.length || x.some((h, i) => h.key !== y[i]!.key || h.score !== y[i]!.score)) differing++;
  }
  report.equal = {
    bytes: Buffer.from(a).equals(Buffer.from(b)),
    sha256: [sha(a), sha(b)],
    queries: questions.length + extra.length,
    hits,
    differingQueries: differing,
  };
}
report.cpuMs = cpuOf;
report.loadAverage = loadavg().map((x) => Math.round(x * 100) / 100);
report.peakRssMB = memory().peakRssMB;
console.log(JSON.stringify(report));

function isSorted(vocab: readonly string[]): boolean {
  for (let i = 1; i < vocab.length; i++) if (!(vocab[i - 1]! < vocab[i]!)) return false;
  return true;
}
