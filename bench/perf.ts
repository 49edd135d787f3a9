/**
 * Performance and scale on OrangeSum (36,152 French news articles): build throughput by stage, index size per chunk,
 * cold start, query latency and throughput, HNSW recall@10 on the real chunk vectors, incremental re-index.
 * Each measurement runs in a child process of its own so its time and RSS are its own; runs are sequential.
 *   npx tsx bench/perf.ts [articles=36152] [modes=lexical,tiny] [queries=500] [concurrency=8] [recall=200]
 *                         [coldRuns=3] [write=BENCHMARKS.md] [lexicalIndex=<dir>] [tinyIndex=<dir>]
 * `lexicalIndex=` / `tinyIndex=` reuse an index already built from the same articles (e.g. by
 * bench/perf/profile-build.ts): its build and incremental runs are skipped, the index is only read.
 * `write=` (empty) prints the section instead of writing it. Needs `npm run build` first (cold start runs dist/).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { loadGeneration } from '../src/indexing/load-generation.js';
import { openStore } from '../src/store/index-store.js';
import { makeQuestions, type QuestionSource } from './perf/make-questions.js';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = '/work/shared/data/orangesum/orangesum.jsonl.gz';
const TINY = join(ROOT, 'tests', 'fixtures', 'tiny-model');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const limit = Number(args.articles ?? Infinity);
const modes = (args.modes ?? 'lexical,tiny').split(',') as Array<'lexical' | 'tiny'>;
const questionCount = Number(args.queries ?? 500);
const concurrency = Number(args.concurrency ?? 8);
const recallQueries = Number(args.recall ?? 200);
const coldRuns = Number(args.coldRuns ?? 3);
const target = args.write ?? 'BENCHMARKS.md';
const command = `npx tsx bench/perf.ts ${process.argv.slice(2).join(' ')}`.trim();

const work = await mkdtemp(join(tmpdir(), 'sourcier-perf-'));
const log = (s: string) => process.stderr.write(`[perf] ${s}\n`);

// ---------- corpus ----------
interface Line { id: number | string; title?: string; heading?: string; date?: string; article?: string; [k: string]: unknown }
const lines: Line[] = [];
for await (const line of createInterface({ input: createReadStream(DATA).pipe(createGunzip()), crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  lines.push(JSON.parse(line) as Line);
  if (lines.length >= limit) break;
}
const corpusDir = join(work, 'corpus');
await mkdir(corpusDir);
await writeFile(join(corpusDir, 'orangesum.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
const sources: QuestionSource[] = lines.filter((l) => l.title).map((l) => ({ title: l.title!, lead: l.heading, date: l.date }));
const questions = makeQuestions(sources, questionCount);
log(`${lines.length} articles, ${questions.length} questions, work folder ${work}`);

const loadBefore = loadavg();

// ---------- helpers ----------
function runNode(script: string, argv: string[], env: Record<string, string> = {}): Promise<{ out: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...argv], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise({ out, ms: performance.now() - started }) : reject(new Error(`${script} exited with ${code}`))));
  });
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Record<string, any>;

async function build(indexDir: string, mode: string, corpus = corpusDir, fresh = true) {
  const { out } = await runNode('bench/perf/profile-build.ts', [corpus, indexDir, mode], { FRESH: fresh ? '1' : '0' });
  return lastJson(out);
}

async function manifestFiles(indexDir: string) {
  const live = (await openStore(indexDir).readLive())!;
  return live.manifest.files as Record<string, { bytes: number }>;
}

function coldStart(indexDir: string, mode: string, question: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      LOG_LEVEL: 'silent',
      ALLOW_REMOTE_MODELS: 'false',
      MODEL_CACHE_DIR: join(work, 'no-models'),
      EMBEDDING_MODEL: mode === 'tiny' ? TINY : 'Xenova/multilingual-e5-small',
    };
    const child = spawn(process.execPath, ['dist/main.js', 'ask', question, '--json', '--corpus', corpusDir, '--index', indexDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0 || !out.includes('"citations"')) reject(new Error(`cold start failed (${code}): ${out.slice(0, 200)}`));
      else resolvePromise(ms);
    });
  });
}

/** Changes 1%, adds 1% and deletes 1% of the articles; returns the new corpus folder and the touched ids. */
async function mutatedCorpus() {
  const n = lines.length;
  const step = Math.max(1, Math.floor(n / Math.max(1, Math.round(n * 0.01))));
  const changed = new Set<string>();
  const deleted = new Set<string>();
  const out: Line[] = [];
  lines.forEach((l, i) => {
    if (i % step === 0) changed.add(String(l.id));
    else if (i % step === 1) deleted.add(String(l.id));
  });
  for (const l of lines) {
    const id = String(l.id);
    if (deleted.has(id)) continue;
    out.push(changed.has(id) ? { ...l, article: `${l.article ?? ''} Mise à jour : l'article a été complété après sa publication.` } : l);
  }
  const added: string[] = [];
  lines.forEach((l, i) => {
    if (i % step === 2) {
      const id = `added-${l.id}`;
      added.push(id);
      out.push({ ...l, id, title: `${l.title ?? ''} (suite)`, article: `Suite de l'article. ${l.article ?? ''}` });
    }
  });
  const dir = join(work, 'corpus-mutated');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'orangesum.jsonl'), out.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return { dir, changed, deleted, added };
}

// ---------- runs ----------
const results: Record<string, any> = {};
for (const mode of modes) {
  const reused = args[`${mode}Index`];
  const indexDir = reused ? resolve(reused) : join(work, `index-${mode}`);
  log(`${mode}: ${reused ? `reusing ${indexDir}` : 'full build'}`);
  const full = reused ? undefined : await build(indexDir, mode);
  const files = await manifestFiles(indexDir);
  const chunkCount = ((await openStore(indexDir).readLive())!.manifest as { counts: { chunks: number } }).counts.chunks;
  log(`${mode}: ${chunkCount} chunks; queries`);
  const query = lastJson(
    (
      await runNode('bench/perf/query-child.ts', [
        JSON.stringify({ corpusDir, indexDir, model: mode === 'tiny' ? TINY : undefined, questions: questions.map((q) => q.text), concurrency, recallQueries }),
      ])
    ).out,
  );
  log(`${mode}: cold start`);
  const cold: number[] = [];
  for (let i = 0; i < coldRuns; i++) cold.push(await coldStart(indexDir, mode, questions[i % questions.length]!.text));
  if (reused) {
    results[mode] = { files, query, cold: cold.sort((a, b) => a - b), chunks: chunkCount };
    continue;
  }
  log(`${mode}: incremental update`);
  const copy = join(work, `index-${mode}-incremental`);
  await cp(indexDir, copy, { recursive: true });
  const mutated = await mutatedCorpus();
  const incremental = await build(copy, mode, mutated.dir, false);
  const gen = await loadGeneration((await openStore(copy).readLive())!);
  const touched = new Set([...mutated.changed, ...mutated.added]);
  const expectedEmbedded = gen.chunks.filter((c) => touched.has(c.articleId)).length;
  results[mode] = { full, chunks: chunkCount, files, query, cold: cold.sort((a, b) => a - b), incremental, expectedEmbedded, mutated: { changed: mutated.changed.size, added: mutated.added.length, deleted: mutated.deleted.size } };
  await rm(copy, { recursive: true, force: true });
}
const loadAfter = loadavg();
await rm(work, { recursive: true, force: true });

// ---------- report ----------
const cpuModel = (await readFile('/proc/cpuinfo', 'utf8')).match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
const nproc = execFileSync('nproc').toString().trim();
const f1 = (x: number) => x.toFixed(1);
const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
const rows: string[] = [];
rows.push('## Performance', '');
rows.push(`Command: \`${command}\` (after \`npm run build\`; \`npm run bench\` does both). ${new Date().toISOString().slice(0, 10)}.`);
rows.push(
  `Machine: ${nproc} cores (nproc), ${cpuModel}, ${f1(totalmem() / 2 ** 30)} GiB RAM (${f1(freemem() / 2 ** 30)} GiB free at the end), Node ${process.version}.`,
  `Load: the machine is shared; load average ${loadBefore.map(f1).join(' / ')} (1/5/15 min) before, ${loadAfter.map(f1).join(' / ')} after. Wall times are inflated by that load; CPU seconds are the process's own.`,
  `Corpus: OrangeSum, ${f0(lines.length)} articles (one JSONL file). Questions: ${questions.length} generated from titles/leads (short, long, dated, paraphrased; bench/perf/make-questions.ts).`,
  '',
);
rows.push('### Build (full, from an empty index folder)', '');
rows.push('| mode | articles | chunks | wall s | CPU s | articles/s | chunks/s | chunks/s outside model | peak RSS MB | stages (wall s) |', '|---|---|---|---|---|---|---|---|---|---|');
for (const [mode, r] of Object.entries(results)) {
  const s = r.full;
  if (!s) continue;
  const outsideModel = s.seconds - (s.stages?.embed ?? 0);
  const stages = Object.entries(s.stages as Record<string, number>).map(([k, v]) => `${k} ${f1(v)}`).join(', ');
  rows.push(`| ${mode} | ${f0(s.articles)} | ${f0(s.chunks)} | ${f1(s.seconds)} | ${f1(s.cpuSeconds)} | ${f0(s.articles / s.seconds)} | ${f0(s.chunks / s.seconds)} | ${f0(s.chunks / outsideModel)} | ${s.peakRssMB} | ${stages} |`);
}
rows.push('', '### Index on disk (bytes per chunk, from the manifest)', '');
rows.push('| mode | total MB | articles.bin | chunks.bin | lexical.bin | duplicates.json | vectors.f32 | vectors.hnsw | total |', '|---|---|---|---|---|---|---|---|---|');
for (const [mode, r] of Object.entries(results)) {
  const n = r.chunks as number;
  const files = r.files as Record<string, { bytes: number }>;
  const per = (name: string) => (files[name] ? f0(files[name]!.bytes / n) : '-');
  const total = Object.values(files).reduce((a, b) => a + b.bytes, 0);
  rows.push(`| ${mode} | ${f1(total / 2 ** 20)} | ${per('articles.bin')} | ${per('chunks.bin')} | ${per('lexical.bin')} | ${per('duplicates.json')} | ${per('vectors.f32')} | ${per('vectors.hnsw')} | ${f0(total / n)} |`);
}
rows.push('', '### Queries (in process, full index, one at a time after 20 warm-up questions)', '');
rows.push(
  '| mode | p50 ms | p95 ms | p99 ms | p50/p95/p99 outside model ms | QPS with ' + concurrency + ' in flight | open index ms | RSS MB: base / +model / index open / after queries | abstained |',
  '|---|---|---|---|---|---|---|---|---|',
);
for (const [mode, r] of Object.entries(results)) {
  const q = r.query;
  rows.push(
    `| ${mode} | ${f1(q.latencyMs.p50)} | ${f1(q.latencyMs.p95)} | ${f1(q.latencyMs.p99)} | ${f1(q.latencyOutsideModelMs.p50)} / ${f1(q.latencyOutsideModelMs.p95)} / ${f1(q.latencyOutsideModelMs.p99)} | ${f1(q.qps)} | ${f0(q.openMs)} | ${q.rssMB.start} / ${q.rssMB.withModel} / ${q.rssMB.indexOpen} / ${q.rssMB.afterQueries} | ${q.abstained}/${q.questions} |`,
  );
}
rows.push('', '### Cold start (`node dist/main.js ask "<question>" --json`, process start to answer on stdout, full index)', '');
for (const [mode, r] of Object.entries(results)) rows.push(`- ${mode}: ${r.cold.map((ms: number) => f0(ms)).join(', ')} ms (${coldRuns} runs, sorted)`);
const tiny = results.tiny;
if (tiny?.query.recall) {
  const rc = tiny.query.recall;
  rows.push('', `### HNSW recall@10 against exact search (tiny model: ${rc.queries} real question vectors over ${f0(tiny.chunks)} chunk vectors)`, '');
  rows.push('| efSearch | recall@10 | recall@10, ties at the 10th score allowed | HNSW ms/query | exact ms/query |', '|---|---|---|---|---|');
  rc.rows.forEach((r: any, i: number) =>
    rows.push(`| ${r.efSearch}${i === 0 ? ' (shipped)' : ''} | ${r.recallAt10.toFixed(4)} | ${r.recallAt10TiesAllowed.toFixed(4)} | ${r.hnswMs.toFixed(2)} | ${rc.exactMs.toFixed(2)} |`),
  );
}
rows.push('', '### Incremental update (change 1%, add 1%, delete 1%; previous generation live)', '');
rows.push(
  '| mode | changed / added / deleted | re-index wall s (CPU s) | full build wall s (CPU s) | ratio wall (CPU) | derived from the previous generation | embedded | chunks of changed+added articles | peak RSS MB | stages (wall s) |',
  '|---|---|---|---|---|---|---|---|---|---|',
);
for (const [mode, r] of Object.entries(results)) {
  const inc = r.incremental;
  if (!inc) continue;
  const stages = Object.entries(inc.stages as Record<string, number>).map(([k, v]) => `${k} ${f1(v)}`).join(', ');
  rows.push(
    `| ${mode} | ${r.mutated.changed} / ${r.mutated.added} / ${r.mutated.deleted} (summary: ${inc.changed} / ${inc.added} / ${inc.removed}) | ${f1(inc.seconds)} (${f1(inc.cpuSeconds)}) | ${f1(r.full.seconds)} (${f1(r.full.cpuSeconds)}) | ${((100 * inc.seconds) / r.full.seconds).toFixed(1)}% (${((100 * inc.cpuSeconds) / r.full.cpuSeconds).toFixed(1)}%) | ${reusedText(mode, inc.reused)} | ${inc.embedded} | ${mode === 'lexical' ? '- (no vectors)' : r.expectedEmbedded} | ${inc.peakRssMB} | ${stages} |`,
  );
}
rows.push('');
const section = rows.join('\n');

function reusedText(mode: string, reused: { lexical: boolean; vectors: boolean; sketches: number } | undefined): string {
  if (!reused) return '-';
  const parts = [reused.lexical ? 'lexical index updated' : 'lexical index rebuilt'];
  if (mode !== 'lexical') parts.push(reused.vectors ? 'HNSW graph updated' : 'HNSW graph rebuilt');
  parts.push(`${f0(reused.sketches)} dedup sketches reused`);
  return parts.join('; ');
}
process.stdout.write(`${section}\n`);
process.stdout.write(`${JSON.stringify(results)}\n`);

if (target) {
  const file = join(ROOT, target);
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\n';
  }
  // Only the generated figures between the markers are replaced: notes written by hand in the section stay, and
  // other sections belong to others.
  const begin = '<!-- perf:begin (generated by bench/perf.ts) -->';
  const end = '<!-- perf:end -->';
  const body = section.replace(/^## Performance\n\n/, '');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = `${text.slice(0, i)}${begin}\n${body}\n${text.slice(j)}`;
  else text = `${text.trimEnd()}\n\n## Performance\n\n${begin}\n${body}\n${end}\n`;
  await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
  log(`wrote the Performance section of ${target}`);
}
