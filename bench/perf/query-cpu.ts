/**
 * Query latency of the in-process core on an index already built, as wall time and as the process's own CPU time
 * per question (CPU time is far less inflated than wall time on a shared machine, so two versions can be compared
 * under the same load). Lexical-only, or with a model folder (hybrid index): then the model's own time per question
 * is also reported, and `outsideModelMs` is wall time minus the question's embedding.
 *   node --import tsx bench/perf/query-cpu.ts <corpusJsonl> <indexDir> [questions=500] [modelDir]   prints one JSON line
 */
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { loadTransformersEmbedder } from '../../src/embed/transformers-embedder.js';
import { timedEmbedder } from './timed-embedder.js';
import { makeQuestions, type QuestionSource } from './make-questions.js';

const [corpusFile, indexDir, count = '500', modelDir] = process.argv.slice(2);
if (!corpusFile || !indexDir) throw new Error('usage: query-cpu.ts <corpusJsonl> <indexDir> [questions]');
const sources: QuestionSource[] = [];
for await (const line of createInterface({ input: createReadStream(corpusFile), crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  const l = JSON.parse(line) as { title?: string; heading?: string; date?: string };
  if (l.title) sources.push({ title: l.title, lead: l.heading, date: l.date });
}
const questions = makeQuestions(sources, Number(count));
const timed = modelDir ? timedEmbedder(await loadTransformersEmbedder({ model: modelDir, cacheDir: tmpdir(), allowRemote: false })) : undefined;
const sourcier = await openSourcier(
  { corpusDir: dirname(corpusFile), indexDir, embeddingModel: modelDir ?? 'none', modelCacheDir: tmpdir(), allowRemoteModels: false, logLevel: 'silent' },
  { embedder: timed ?? null },
);
for (const q of questions.slice(0, 20)) await sourcier.ask(q.text);
const wall: number[] = [];
const outside: number[] = [];
const cpu: number[] = [];
const byKind: Record<string, number[]> = {};
for (const q of questions) {
  const c0 = process.cpuUsage();
  const m0 = timed?.modelMs ?? 0;
  const t0 = performance.now();
  await sourcier.ask(q.text);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  wall.push(ms);
  outside.push(ms - ((timed?.modelMs ?? 0) - m0));
  cpu.push((c.user + c.system) / 1000);
  (byKind[q.kind] ??= []).push((c.user + c.system) / 1000);
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(10 * s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!) / 10;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99) });
console.log(
  JSON.stringify({
    questions: questions.length,
    wallMs: summary(wall),
    ...(modelDir ? { outsideModelMs: summary(outside) } : {}),
    cpuMs: summary(cpu),
    cpuMsByKind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, summary(xs)])),
  }),
);
