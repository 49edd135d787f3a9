/**
 * Briefings over OrangeSum (36k French news articles), lexical-only: time and size of a briefing, of its Markdown and
 * PNG chart, of `said` and of a "qui a dit" question.
 *
 *   npx tsx bench/brief.ts [path/to/orangesum.jsonl.gz] [--limit N] [--no-write]
 *
 * The gzip is unpacked to a temp corpus folder (the JSONL reader takes OrangeSum's fields as they are), indexed with
 * buildIndex without a model, then each topic is briefed twice (first run: attribution caches cold; second: warm).
 * Writes the "## Briefings" section of BENCHMARKS.md unless --no-write.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openSourcier } from '../src/app/open-sourcier.js';
import { buildChartSvg } from '../src/brief/briefing-chart.js';
import { renderBriefingMarkdown } from '../src/brief/render-briefing.js';
import { renderChartPng } from '../src/brief/render-chart-png.js';
import type { CoreConfig } from '../src/core/config.js';
import { buildIndex } from '../src/indexing/build-index.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = path.resolve(import.meta.dirname, '..');
const file = args.find((a) => a.endsWith('.gz')) ?? path.join(root, '..', 'shared', 'data', 'orangesum', 'orangesum.jsonl.gz');
const limit = flag('--limit') ? Number(flag('--limit')) : undefined;
const TOPICS = ['Ségur de la santé', 'coronavirus vaccin', 'Donald Trump Joe Biden élection', 'réforme des retraites', 'Brexit Boris Johnson'];
const PEOPLE = ['Emmanuel Macron', 'Olivier Véran'];

if (!existsSync(file)) {
  console.error(`No OrangeSum file at ${file}; pass its path.`);
  process.exit(1);
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-bench-brief-'));
try {
  const corpusDir = path.join(dir, 'corpus');
  await mkdir(corpusDir);
  let lines = gunzipSync(await readFile(file)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  if (limit) lines = lines.slice(0, limit);
  await writeFile(path.join(corpusDir, 'orangesum.jsonl'), `${lines.join('\n')}\n`);
  const config: CoreConfig = {
    corpusDir,
    indexDir: path.join(dir, 'index'),
    embeddingModel: 'none',
    modelCacheDir: path.join(dir, 'models'),
    allowRemoteModels: false,
    logLevel: 'silent',
  };
  let t = performance.now();
  const summary = await buildIndex({ corpusDir, indexDir: config.indexDir, modeReason: 'benchmark: lexical-only' });
  const buildS = (performance.now() - t) / 1000;
  console.log(`indexed ${summary.articles} articles, ${summary.chunks} chunks in ${buildS.toFixed(1)} s`);
  const sourcier = await openSourcier(config, { embedder: null, brief: { stateFile: path.join(dir, 'briefings.json') } });

  const rows: string[] = [];
  for (const topic of TOPICS) {
    t = performance.now();
    const b = await sourcier.brief!(topic, { record: false });
    const cold = performance.now() - t;
    t = performance.now();
    await sourcier.brief!(topic, { record: false });
    const warm = performance.now() - t;
    t = performance.now();
    const md = renderBriefingMarkdown(b);
    const mdMs = performance.now() - t;
    t = performance.now();
    const png = await renderChartPng(buildChartSvg(b.chart, { title: `Briefing : ${topic}` }));
    const pngMs = performance.now() - t;
    const quotes = b.speakers.reduce((n, s) => n + s.quotes.length, 0);
    const row = `| ${topic} | ${b.sources.length} | ${b.keyPoints.length} | ${b.timeline.length} | ${b.speakers.length} / ${quotes} | ${cold.toFixed(0)} / ${warm.toFixed(0)} | ${(md.length / 1024).toFixed(1)} KB, ${mdMs.toFixed(1)} ms | ${(png.length / 1024).toFixed(1)} KB, ${pngMs.toFixed(0)} ms |`;
    console.log(row);
    rows.push(row);
  }
  const said: string[] = [];
  for (const person of PEOPLE) {
    t = performance.now();
    const r = await sourcier.said!(person);
    const ms = performance.now() - t;
    said.push(`\`said("${person}")\`: ${r.quotes.length} quotes in ${ms.toFixed(0)} ms`);
  }
  t = performance.now();
  const who = await sourcier.ask('Qui a dit « nous sommes en guerre » ?');
  said.push(`"Qui a dit « nous sommes en guerre » ?": ${who.citations.length} attributed quotes in ${(performance.now() - t).toFixed(0)} ms`);
  console.log(said.join('\n'));
  await sourcier.close();

  const section = [
    '## Briefings',
    '',
    `\`npx tsx bench/brief.ts\` — OrangeSum${limit ? ` (first ${limit} lines)` : ''}, ${summary.articles} articles, ${summary.chunks} chunks, lexical-only (index built in ${buildS.toFixed(1)} s), ${os.cpus().length} CPU cores shared, Node ${process.version}. A briefing retrieves 30 passages, reads the relevant articles whole (sentences, dates, attributions).`,
    'Time is the first run (attribution and sentence caches cold) / a second run of the same topic.',
    '',
    '| topic | articles | key points | events | speakers / quotes | brief ms (cold / warm) | Markdown | PNG chart |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...said.map((s) => `- ${s}`),
    '',
  ].join('\n');
  if (!args.includes('--no-write')) {
    const benchFile = path.join(root, 'BENCHMARKS.md');
    const current = existsSync(benchFile) ? await readFile(benchFile, 'utf8') : '# Benchmarks\n';
    const start = current.indexOf('## Briefings');
    let next: string;
    if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
    else {
      const end = current.indexOf('\n## ', start + 3);
      next = `${current.slice(0, start)}${section}${end < 0 ? '' : `\n${current.slice(end + 1)}`}`;
    }
    await writeFile(benchFile, next.endsWith('\n') ? next : `${next}\n`);
    console.log(`wrote the "## Briefings" section of ${benchFile}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
