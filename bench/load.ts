/**
 * Load: a steady stream of questions against the core (Sourcier in-process) and against the bot through the fake
 * Discord (the real discord.js client) while Sourcier.reindex rebuilds the index, then memory growth over 10,000
 * questions. Open loop: questions are sent on a fixed schedule whatever the answers do, and latency counts from the
 * scheduled time, so a stall shows up in the percentiles instead of slowing the sender down.
 *   npx tsx bench/load.ts [articles=3000] [rate=50] [botRate=rate] [seconds=60] [memory=10000] [model=tiny|<folder>]
 *                         [write=BENCHMARKS.md]
 * Corpus: the first `articles` OrangeSum articles from /work/shared/data when present, else the bundled corpus.
 * `write=` (empty) prints the section instead of writing it.
 */
import { existsSync, createReadStream } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGunzip } from 'node:zlib';
import { openSourcier } from '../src/app/open-sourcier.js';
import { createLogger } from '../src/core/logger.js';
import { parseDiscordConfig } from '../src/discord/discord-config.js';
import { startBot } from '../src/discord/start-bot.js';
import { loadTransformersEmbedder } from '../src/embed/transformers-embedder.js';
import { buildIndex } from '../src/indexing/build-index.js';
import { startFakeDiscord } from '../tests/discord/fake-discord/fake-discord.js';
import { makeQuestions, type QuestionSource } from './perf/make-questions.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROOT = resolve(import.meta.dirname, '..');
const DATA = '/work/shared/data/orangesum/orangesum.jsonl.gz';
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const articleCount = Number(args.articles ?? 3000);
const rate = Number(args.rate ?? 50);
const botRate = Number(args.botRate ?? rate);
const seconds = Number(args.seconds ?? 60);
const memoryQuestions = Number(args.memory ?? 10_000);
const model = !args.model || args.model === 'tiny' ? join(ROOT, 'tests', 'fixtures', 'tiny-model') : resolve(args.model);
const target = args.write ?? 'BENCHMARKS.md';
const command = `npx tsx bench/load.ts ${process.argv.slice(2).join(' ')}`.trim();
const log = (s: string) => process.stderr.write(`[load] ${s}\n`);

const work = await mkdtemp(join(tmpdir(), 'sourcier-load-'));
const corpusDir = join(work, 'corpus');
const indexDir = join(work, 'index');
await mkdir(corpusDir, { recursive: true });

// ---------- corpus and questions ----------
let sources: QuestionSource[] = [];
let corpusLabel: string;
if (existsSync(DATA)) {
  const lines: Array<Record<string, unknown>> = [];
  for await (const line of createInterface({ input: createReadStream(DATA).pipe(createGunzip()), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    lines.push(JSON.parse(line) as Record<string, unknown>);
    if (lines.length >= articleCount) break;
  }
  await writeFile(join(corpusDir, 'orangesum.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  sources = lines.filter((l) => typeof l.title === 'string').map((l) => ({ title: l.title as string, lead: l.heading as string | undefined, date: l.date as string | undefined }));
  corpusLabel = `${lines.length} OrangeSum articles`;
} else {
  await cp(join(ROOT, 'corpus'), join(corpusDir, 'seed'), { recursive: true });
  await cp(join(ROOT, 'tests', 'fixtures', 'news-fr'), join(corpusDir, 'news'), { recursive: true });
  corpusLabel = 'the bundled corpus';
}
const embedder = await loadTransformersEmbedder({ model, cacheDir: join(work, 'models'), allowRemote: false });
const t = performance.now();
const built = await buildIndex({ corpusDir, indexDir, embedder });
log(`${corpusLabel}: ${built.articles} articles, ${built.chunks} chunks, built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
if (sources.length === 0) {
  const { loadGeneration } = await import('../src/indexing/load-generation.js');
  const { openStore } = await import('../src/store/index-store.js');
  const g = await loadGeneration((await openStore(indexDir).readLive())!);
  sources = g.articles.map((a) => ({ title: a.title, date: a.date }));
}
const questions = makeQuestions(sources, 1000).map((q) => q.text);
const config = { corpusDir, indexDir, embeddingModel: model, modelCacheDir: join(work, 'models'), allowRemoteModels: false, logLevel: 'silent' as const };
// Opened from the settings, as `npm start` does: the model comes from EMBEDDING_MODEL and a reindex builds in a child process.
const sourcier = await openSourcier(config);

// ---------- measurement ----------
interface PhaseResult {
  label: string;
  sent: number;
  answered: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
  extra?: string;
}
const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `rate` questions a second for `seconds`; `ask` resolves true when answered, false on an error. */
async function openLoop(label: string, rate: number, ask: (q: string, i: number) => Promise<boolean>): Promise<PhaseResult> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const total = rate * seconds;
  const latencies: number[] = [];
  let answered = 0;
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      ask(questions[i % questions.length]!, i).then(
        (ok) => {
          latencies.push(performance.now() - scheduled);
          if (ok) answered++;
          else errors++;
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  loop.disable();
  latencies.sort((a, b) => a - b);
  const ms = (ns: number) => ns / 1e6;
  return {
    label,
    sent: total,
    answered,
    errors,
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    p99: pct(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    loopP50: ms(loop.percentile(50)),
    loopP99: ms(loop.percentile(99)),
    loopMax: ms(loop.max),
  };
}

// Warm-up: first questions load lazy state (caches, JIT).
for (const q of questions.slice(0, 50)) await sourcier.ask(q);

log(`core: ${rate} questions/s for ${seconds} s`);
const core = await openLoop(`core (Sourcier.ask in-process), ${rate}/s`, rate, (q) => sourcier.ask(q).then(() => true));

// ---------- bot through the fake Discord, with rebuilds ----------
log(`bot: ${botRate} /ask a second for ${seconds} s through the fake Discord, reindexing meanwhile`);
const fake = await startFakeDiscord();
const botLogs: string[] = [];
const bot = await startBot({
  config: parseDiscordConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    FEEDBACK_FILE: join(work, 'feedback.jsonl'),
    DISCORD_USER_RATE: '1000/60s',
    DISCORD_CHANNEL_RATE: '100000/60s',
    DISCORD_QUEUE_MAX: '1000',
  }),
  sourcier,
  logger: createLogger('warn', (l) => botLogs.push(l)),
});
let rebuilding = true;
let cycles = 0;
const rebuilds = (async () => {
  while (rebuilding) {
    // A real change each cycle, so every rebuild writes a new generation.
    await appendFile(join(corpusDir, 'extra.jsonl'), `${JSON.stringify({ id: `extra-${cycles}`, title: `Dépêche ${cycles}`, text: `Le conseil a siégé pour la ${cycles + 1}e fois cette année.` })}\n`);
    await sourcier.reindex();
    cycles++;
  }
})();
let waiting = 0;
const botPhase = await openLoop(`bot (/ask via fake Discord) + reindex loop, ${botRate}/s`, botRate, async (q, i) => {
  const { token } = fake.slashCommand('ask', { question: q.slice(0, 400) }, { userId: String(100_000_000_000_000_000n + BigInt(i % 200)) });
  waiting++;
  try {
    const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`/${token}/messages/@original`), 60_000);
    return Array.isArray(edit.body?.embeds) && edit.body.embeds.length > 0;
  } finally {
    waiting--;
  }
});
rebuilding = false;
await rebuilds;
// What went wrong, by error code (BUSY: queue full, TIMEOUT: answer too slow, ...).
const codes = new Map<string, number>();
for (const l of botLogs) {
  const entry = JSON.parse(l) as { level: string; msg: string; error?: { code?: string }; code?: string };
  if (entry.level !== 'error') continue;
  const key = `${entry.msg} (${entry.error?.code ?? entry.code ?? 'no code'})`;
  codes.set(key, (codes.get(key) ?? 0) + 1);
}
botPhase.extra = `${cycles} rebuild(s) completed during the phase; error log lines: ${[...codes].map(([k, n]) => `${n} × ${k}`).join(', ') || 'none'}`;
await bot.stop();
await fake.close();

// ---------- memory over many questions ----------
log(`memory: ${memoryQuestions} questions, 8 at a time`);
gc();
const before = process.memoryUsage();
let next = 0;
const serviceMs: number[] = [];
const memoryStart = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < memoryQuestions) {
      const i = next++;
      const answer = await sourcier.ask(questions[i % questions.length]!);
      serviceMs.push(answer.latencyMs);
    }
  }),
);
const memorySeconds = (performance.now() - memoryStart) / 1000;
serviceMs.sort((a, b) => a - b);
gc();
const after = process.memoryUsage();
await sourcier.close();
await rm(work, { recursive: true, force: true });

// ---------- report ----------
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end (shared machine)`;
const rows = [core, botPhase].map(
  (r) => `| ${r.label} | ${r.sent} | ${r.answered} | ${r.errors} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.loopP50)} / ${f(r.loopP99)} / ${f(r.loopMax)} |`,
);
const section = [
  '## Load',
  '',
  `\`${command}\` — ${corpusLabel} (${built.articles} articles, ${built.chunks} chunks), model ${args.model ?? 'tiny'} (tests/fixtures/tiny-model unless given), ${seconds} s per phase, open loop. Machine: ${machine}.`,
  '',
  '| phase | sent | answered | errors | p50 ms | p95 ms | p99 ms | max ms | event-loop delay p50 / p99 / max ms |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Bot phase: ${botPhase.extra}. Closed loop (8 at a time, ${memoryQuestions} questions): ${(memoryQuestions / memorySeconds).toFixed(1)} questions/s, service time p50 ${f(pct(serviceMs, 50))} ms, p99 ${f(pct(serviceMs, 99))} ms, max ${f(serviceMs.at(-1) ?? NaN)} ms. Memory after ${memoryQuestions} more questions (after GC): heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB (${(after.heapUsed - before.heapUsed) >= 0 ? '+' : ''}${mb(after.heapUsed - before.heapUsed)}), RSS ${mb(before.rss)} → ${mb(after.rss)} MB.`,
  '',
].join('\n');
process.stdout.write(`${section}\n`);
if (target) {
  const file = join(ROOT, target);
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  // Replace only the "## Load" section (up to the next "## " heading); other sections belong to other benchmarks.
  const re = /^## Load\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  await writeFile(file, re.test(text) ? text.replace(re, `${section}\n`) : `${text.trimEnd()}\n\n${section}`);
  log(`wrote the Load section of ${target}`);
}
