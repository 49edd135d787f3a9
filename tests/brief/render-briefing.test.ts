import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { buildChartSvg } from '../../src/brief/briefing-chart.js';
import { briefingToJson, frenchDate, renderBriefingMarkdown } from '../../src/brief/render-briefing.js';
import { renderChartPng } from '../../src/brief/render-chart-png.js';
import { runBriefCommand } from '../../src/cli/brief-command.js';
import type { Briefing, Sourcier } from '../../src/core/types.js';
import { configFor, makeWorkspace } from '../helpers/test-corpus.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;
let briefing: Briefing;

beforeAll(async () => {
  ws = await makeWorkspace();
  sourcier = await openSourcier(configFor(ws), { embedder: null, buildIfMissing: true, brief: { stateFile: join(ws.dir, 'state.json') } });
  briefing = await sourcier.brief!('coalition anti-Daech', { record: false, now: new Date('2024-03-04T08:30:00Z') });
});

afterAll(async () => {
  await sourcier?.close();
  await ws?.cleanup();
});

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('Markdown and JSON rendering', () => {
  it('writes the French sections in order, with every key point and event quoted as stored', () => {
    const md = renderBriefingMarkdown(briefing);
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Points clés', '## Chronologie', '## Qui a dit quoi', '## Sources']);
    expect(md.startsWith('# Briefing : coalition anti-Daech\n')).toBe(true);
    expect(md).toContain('Généré le 4 mars 2024 à 08:30 UTC');
    for (const e of [...briefing.keyPoints, ...briefing.timeline]) expect(md).toContain(`« ${e.excerpt} »`);
    expect(md).toContain('- **21 juillet 2016** — « La réunion des ministres');
    expect(md.indexOf('**21 juillet 2016**')).toBeLessThan(md.indexOf('**11 mai 2022**'));
    expect(md).toContain('la même source : «');
  });

  it('says when nothing in the corpus is about the topic', async () => {
    const empty = await sourcier.brief!('recette de la tarte Tatin', { record: false });
    expect(empty.sources).toEqual([]);
    expect(renderBriefingMarkdown(empty)).toContain('Aucun article du corpus ne traite de ce sujet.');
  });

  it('round-trips through JSON with a format tag', () => {
    const json = JSON.parse(JSON.stringify(briefingToJson(briefing)));
    expect(json.format).toBe('sourcier.briefing/1');
    expect(json.timeline).toEqual(briefing.timeline);
    expect(json.keyPoints).toEqual(briefing.keyPoints);
  });

  it('writes French dates at day, month and year precision', () => {
    expect([frenchDate('2016-07-21'), frenchDate('2022-05-01'), frenchDate('2022-04'), frenchDate('2014')]).toEqual(['21 juillet 2016', '1er mai 2022', 'avril 2022', '2014']);
  });
});

describe('the timeline chart', () => {
  it('renders to a valid PNG of the requested size', async () => {
    const png = await renderChartPng(buildChartSvg(briefing.chart, { width: 640, height: 240, title: 'Briefing : <coalition> & "Daech"' }));
    expect(pngSize(png)).toEqual({ width: 640, height: 240 });
  });

  it('draws a bar per period and a numbered mark per event, and an empty chart still renders', async () => {
    const svg = buildChartSvg(briefing.chart);
    expect(svg.match(/<rect /g)!.length).toBe(1 + 2); // background + the two years with an article
    expect(svg.match(/<circle /g)!.length).toBe(2);
    expect(pngSize(await renderChartPng(buildChartSvg({ unit: 'month', buckets: [], events: [] })))).toEqual({ width: 800, height: 320 });
  });
});

describe('sourcier brief --out', () => {
  it('writes the Markdown and the PNG chart beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sourcier-brief-cli-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runBriefCommand('brief', ['coalition', 'anti-Daech'], { out: join(dir, 'brief.md') }, {
        config: configFor(ws),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { BRIEF_STATE_FILE: join(dir, 'state.json') } },
        open: () => openSourcier(configFor(ws), { embedder: null, brief: { stateFile: join(dir, 'state.json') } }),
      });
      expect(code).toBe(0);
      expect(await readFile(join(dir, 'brief.md'), 'utf8')).toContain('## Chronologie');
      expect(pngSize(await readFile(join(dir, 'brief.png')))).toEqual({ width: 800, height: 320 });
      expect(err.join('')).toContain('brief.png');
      expect(out).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints JSON with --format json and refuses an unknown format with CONFIG_INVALID', async () => {
    const out: string[] = [];
    const ctx = {
      config: configFor(ws),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      io: { stdout: (s: string) => out.push(s), stderr: () => {}, env: {} },
      open: () => openSourcier(configFor(ws), { embedder: null, brief: { stateFile: join(ws.dir, 'cli-state.json') } }),
    };
    await runBriefCommand('brief', ['coalition anti-Daech'], { format: 'json' }, ctx);
    expect(JSON.parse(out.join('')).timeline).toHaveLength(2);
    await expect(runBriefCommand('brief', ['coalition'], { format: 'pdf' }, ctx)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(runBriefCommand('said', [' '], {}, ctx)).rejects.toMatchObject({ code: 'QUESTION_INVALID' });
  });
});
