import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/run-cli.js';
import { decodeArticleTable } from '../../src/indexing/article-table.js';
import { makeWorkspace, TINY_MODEL } from '../helpers/test-corpus.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function capture(env: Record<string, string> = {}, stdinText = ''): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      stdin: Readable.from([stdinText]),
      stdinIsTty: false,
      stderrIsTty: false,
      env: { ALLOW_REMOTE_MODELS: 'false', LOG_LEVEL: 'warn', ...env },
    },
    out: () => out,
    err: () => err,
  };
}

async function indexedWorkspace() {
  const ws = await makeWorkspace();
  cleanups.push(ws.cleanup);
  const flags = ['--corpus', ws.corpusDir, '--index', ws.indexDir, '--model', TINY_MODEL];
  const c = capture();
  expect(await runCli(['index', ...flags], c.io)).toBe(0);
  return { ws, flags, indexLog: c.err() };
}

describe('sourcier CLI', () => {
  it('index prints a summary with articles, chunks, skipped files and time', async () => {
    const { indexLog } = await indexedWorkspace();
    expect(indexLog).toMatch(/Articles : 7 \(nouveaux 7/);
    expect(indexLog).toMatch(/Passages : \d+/);
    expect(indexLog).toMatch(/Index construit en [\d.]+ s/);
  });

  it('ask --json prints the documented contract with verbatim excerpts', async () => {
    const { ws, flags } = await indexedWorkspace();
    const c = capture();
    expect(await runCli(['ask', 'Combien de conteneurs le port de Marseille a-t-il traités en 2022 ?', '--json', ...flags], c.io)).toBe(0);
    const json = JSON.parse(c.out());
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['question', 'abstained', 'citations', 'latencyMs']));
    expect(json.abstained).toBe(false);
    const first = json.citations[0];
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['articleId', 'chunkId', 'title', 'date', 'source', 'url', 'excerpt', 'start', 'end', 'score']));
    expect(first).toMatchObject({ articleId: 'news/economie/2023-03-port-de-marseille', title: 'Le port de Marseille bat son record de trafic de conteneurs', date: '2023-03-14', source: 'Le Courrier du Sud' });
    const stored = decodeArticleTable(await readFile(join(ws.indexDir, (await readFile(join(ws.indexDir, 'CURRENT'), 'utf8')).trim(), 'articles.bin')));
    for (const citation of json.citations) {
      const article = stored.find((a) => a.id === citation.articleId)!;
      expect(article.text.slice(citation.start, citation.end)).toBe(citation.excerpt);
    }
  });

  it('ask filters by --source and refuses a malformed --since', async () => {
    const { flags } = await indexedWorkspace();
    const c = capture();
    expect(await runCli(['ask', 'réunion de la coalition', '--json', '--source', 'presse marocaine', ...flags], c.io)).toBe(0);
    const json = JSON.parse(c.out());
    for (const citation of json.citations) expect(citation.source).toBe('Presse marocaine');
    const bad = capture();
    expect(await runCli(['ask', 'réunion', '--since', 'hier', ...flags], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--since must be YYYY/);
  });

  it('stats --json reports articles, chunks, mode and model', async () => {
    const { flags } = await indexedWorkspace();
    const c = capture();
    expect(await runCli(['stats', '--json', ...flags], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ articles: 7, mode: 'hybrid', modelId: TINY_MODEL, dimensions: 32 });
  });

  it('eval prints the metrics and writes one answer per line', async () => {
    const { ws, flags } = await indexedWorkspace();
    const file = join(ws.dir, 'questions.jsonl');
    const out = join(ws.dir, 'results.jsonl');
    await writeFile(
      file,
      [
        { id: 'q1', question: "Où s'ouvre la COP27 ?", relevant: ['afp-2022-1105'], answer: 'Charm el-Cheikh' },
        { id: 'q2', question: 'Quel record a battu le port de Marseille ?', relevant: ['news/economie/2023-03-port-de-marseille'] },
        { id: 'q3', question: 'Quelle est la recette du bœuf bourguignon ?', relevant: [], abstain: true },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const c = capture();
    expect(await runCli(['eval', file, '--out', out, '--json', ...flags], c.io)).toBe(0);
    const metrics = JSON.parse(c.out());
    expect(metrics).toMatchObject({ questions: 3, answerable: 2, recallAt1: 1, correctAbstention: 1, answerInExcerpt: 1 });
    const rows = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(['q1', 'q2', 'q3']);
  });

  it('eval names the bad line of a malformed file', async () => {
    const { ws, flags } = await indexedWorkspace();
    const file = join(ws.dir, 'bad.jsonl');
    await writeFile(file, '{"id":"1","question":"ok ?","relevant":[]}\n{"id":"2"}\n');
    const c = capture();
    expect(await runCli(['eval', file, ...flags], c.io)).toBe(2);
    expect(c.err()).toMatch(/EVAL_FILE_INVALID.*bad\.jsonl:2.*question/);
  });

  it('chat answers questions read from standard input, one a line', async () => {
    const { flags } = await indexedWorkspace();
    const c = capture({}, "Où s'ouvre la COP27 ?\n/sources\n/quit\n");
    expect(await runCli(['chat', ...flags], c.io)).toBe(0);
    expect(c.out()).toMatch(/Sourcier — 7 articles/);
    expect(c.out()).toContain('Charm el-Cheikh');
    expect(c.out()).toMatch(/Articles : 7/);
  });

  it('start builds the index when it is missing, then opens the terminal session', async () => {
    const ws = await makeWorkspace();
    cleanups.push(ws.cleanup);
    const c = capture({}, 'Qui a remporté le marathon olympique ?\n');
    expect(await runCli(['start', '--corpus', ws.corpusDir, '--index', ws.indexDir, '--model', TINY_MODEL], c.io)).toBe(0);
    expect(c.out()).toMatch(/Sourcier — 7 articles/);
  });

  it('brief writes a Markdown briefing with its PNG chart, and said lists attributed quotes', async () => {
    const { ws, flags } = await indexedWorkspace();
    const out = join(ws.dir, 'brief.md');
    const c = capture({ BRIEF_STATE_FILE: join(ws.dir, 'briefings.json') });
    expect(await runCli(['brief', 'coalition anti-Daech', '--out', out, ...flags], c.io)).toBe(0);
    const md = await readFile(out, 'utf8');
    expect(md).toMatch(/Points clés/);
    expect(md).toMatch(/Chronologie/);
    expect(md.indexOf('21 juillet 2016')).toBeGreaterThan(-1);
    const png = await readFile(out.replace(/\.md$/, '.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const d = capture();
    expect(await runCli(['said', 'Antonio Guterres', '--json', ...flags], d.io)).toBe(0);
    expect(d.out()).toContain('autoroute de l');
  });

  it('refuses an invalid setting and names it', async () => {
    const c = capture({ LOG_LEVEL: 'bavard' });
    expect(await runCli(['stats'], c.io)).toBe(2);
    expect(c.err()).toMatch(/CONFIG_INVALID.*LOG_LEVEL/);
    const d = capture({ ALLOW_REMOTE_MODELS: 'peut-être' });
    expect(await runCli(['stats'], d.io)).toBe(2);
    expect(d.err()).toMatch(/ALLOW_REMOTE_MODELS/);
  });

  it('says what to run when there is no index yet', async () => {
    const ws = await makeWorkspace();
    cleanups.push(ws.cleanup);
    const c = capture();
    expect(await runCli(['ask', 'une question', '--corpus', ws.corpusDir, '--index', ws.indexDir, '--model', TINY_MODEL], c.io)).toBe(1);
    expect(c.err()).toMatch(/INDEX_MISSING.*sourcier index/);
  });

  it('refuses an empty question and an unknown command with usage', async () => {
    const c = capture();
    expect(await runCli(['ask', '   '], c.io)).toBe(2);
    expect(c.err()).toMatch(/QUESTION_INVALID/);
    const d = capture();
    expect(await runCli(['frobnicate'], d.io)).toBe(2);
    expect(d.err()).toMatch(/Unknown command "frobnicate"[\s\S]*Usage: sourcier/);
  });
});
