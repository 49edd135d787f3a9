import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Briefing, Sourcier, SourcedExcerpt } from '../../src/core/types.js';
import { configFor, loadTinyEmbedder, makeWorkspace, ROOT } from '../helpers/test-corpus.js';

const WASHINGTON = 'maroc/2016-07-coalition-anti-daech-washington';
const MARRAKECH = 'maroc/2022-04-coalition-daesh-marrakech';

/** A story sent by the wire and republished under two titles by two outlets, plus quotes of named people. */
const WIRE_TEXT =
  'Le port de Tanger Med a traité 7,6 millions de conteneurs en 2023, un record pour la coalition portuaire méditerranéenne, selon les chiffres publiés lundi 8 janvier. ' +
  'Le directeur du port, Mehdi Tazi Riffi, a salué « une performance historique obtenue malgré la crise de la mer Rouge ».\n\n' +
  '« Nous visons dix millions de conteneurs avant 2030 », a déclaré Mehdi Tazi Riffi lors d’une conférence de presse. « La coalition des ports du Sud doit encore investir », a-t-il ajouté.';
const WIRE = [
  { id: 'wire-1', title: 'Tanger Med bat son record', date: '2024-01-08', source: 'Agence A', text: WIRE_TEXT },
  { id: 'wire-2', title: 'Record historique pour Tanger Med', date: '2024-01-09', source: 'Journal B', text: WIRE_TEXT },
];

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;
let texts: Map<string, string>;

beforeAll(async () => {
  ws = await makeWorkspace();
  await appendFile(join(ws.corpusDir, 'news', 'depeches.jsonl'), WIRE.map((w) => `\n${JSON.stringify(w)}`).join(''));
  sourcier = await openSourcier(configFor(ws), { embedder: null, buildIfMissing: true, brief: { stateFile: join(ws.dir, 'data', 'briefings.json') } });
  texts = new Map();
  for (const id of [WASHINGTON, MARRAKECH, 'wire-1', 'wire-2']) texts.set(id, sourcier.passage(`${id}#0`)!.article.text);
});

afterAll(async () => {
  await sourcier?.close();
  await ws?.cleanup();
});

function expectVerbatim(e: SourcedExcerpt, text = texts.get(e.articleId) ?? sourcier.passage(`${e.articleId}#0`)!.article.text): void {
  expect(e.excerpt.length).toBeGreaterThan(0);
  expect(text.slice(e.start, e.end)).toBe(e.excerpt);
}

function everyExcerpt(b: Briefing): SourcedExcerpt[] {
  return [...b.keyPoints, ...b.timeline, ...b.speakers.flatMap((s) => s.quotes), ...b.otherAttributions];
}

describe('a briefing on the seed corpus', () => {
  it('puts the Washington meeting of 21 July 2016 before the Marrakech meeting of 11 May 2022, each with its quote', async () => {
    const b = await sourcier.brief!('coalition anti-Daech', { record: false });
    const events = b.timeline.map((e) => [e.articleId, e.when, e.precision, e.whenFrom]);
    expect(events).toEqual([
      [WASHINGTON, '2016-07-21', 'day', 'text'],
      [MARRAKECH, '2022-05-11', 'day', 'text'],
    ]);
    expect(b.timeline[0]!.excerpt).toContain('aura lieu ce jeudi 21 juillet à Washington');
    expect(b.timeline[0]!.whenText).toBe('jeudi 21 juillet');
    expect(b.timeline[1]!.excerpt).toContain('le 11 mai prochain à Marrakech');
    for (const e of b.timeline) expectVerbatim(e);
  });

  it('has key points, sources with dates, chart buckets, and every quote is a verbatim span of its article', async () => {
    const b = await sourcier.brief!('coalition anti-Daech', { record: false });
    expect(b.sources.map((s) => s.articleId).sort()).toEqual([WASHINGTON, MARRAKECH]);
    expect(b.sources.every((s) => s.date !== undefined)).toBe(true);
    expect(b.keyPoints.length).toBeGreaterThanOrEqual(3);
    const excerpts = everyExcerpt(b);
    expect(excerpts.length).toBeGreaterThan(b.keyPoints.length);
    for (const e of excerpts) expectVerbatim(e);
    // "selon la même source" is a source attribution, not a person.
    expect(b.speakers.map((s) => s.speaker)).not.toContain('la même source');
    expect(b.otherAttributions.map((q) => q.speaker)).toContain('la même source');
    expect(b.chart.unit).toBe('year');
    expect(b.chart.buckets.map((x) => x.label)).toEqual(['2016', '2017', '2018', '2019', '2020', '2021', '2022']);
    expect(b.chart.buckets.reduce((n, x) => n + x.articles, 0)).toBe(2);
    expect(b.chart.events.map((e) => e.when)).toEqual(['2016-07-21', '2022-05-11']);
  });

  it('refuses a topic without words with QUESTION_INVALID', async () => {
    const error = await sourcier.brief!(' ?! ', { record: false }).catch((e: unknown) => e);
    expect(isAppError(error, 'QUESTION_INVALID')).toBe(true);
  });
});

describe('a briefing on the bundled corpus alone', () => {
  it('finds both meetings, although the 2022 article writes "contre Daech" and never "anti-Daech"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sourcier-brief-'));
    try {
      await cp(join(ROOT, 'corpus'), join(dir, 'corpus'), { recursive: true });
      const bare = await openSourcier(configFor({ corpusDir: join(dir, 'corpus'), indexDir: join(dir, 'index') }), {
        embedder: null,
        buildIfMissing: true,
        brief: { stateFile: join(dir, 'briefings.json') },
      });
      const b = await bare.brief!('coalition anti-Daech', { record: false });
      expect(b.timeline.map((e) => e.when)).toEqual(['2016-07-21', '2022-05-11']);
      expect(b.sources.map((x) => x.articleId).sort()).toEqual(['maroc/2016-07-coalition-anti-daech-washington', 'maroc/2022-04-coalition-daesh-marrakech']);
      await bare.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('wire copies and quotations', () => {
  it('shows a wire story once in the key points, with "aussi dans" naming the copy', async () => {
    const b = await sourcier.brief!('Tanger Med conteneurs record', { record: false });
    const ids = b.sources.map((s) => s.articleId);
    expect(ids.filter((id) => id.startsWith('wire-'))).toHaveLength(1);
    const points = b.keyPoints.filter((p) => p.articleId.startsWith('wire-'));
    expect(points.length).toBeGreaterThan(0);
    const excerpts = points.map((p) => p.excerpt);
    expect(new Set(excerpts).size).toBe(excerpts.length);
    for (const p of points) {
      expect(p.alsoIn).toEqual([p.articleId === 'wire-1' ? 'wire-2' : 'wire-1']);
      expectVerbatim(p);
    }
  });

  it('groups the quotations of a person under one name, including "a-t-il ajouté"', async () => {
    const b = await sourcier.brief!('Tanger Med conteneurs record', { record: false });
    const riffi = b.speakers.find((s) => s.speaker === 'Mehdi Tazi Riffi');
    expect(riffi?.quotes.map((q) => q.quote)).toEqual([
      'une performance historique obtenue malgré la crise de la mer Rouge',
      'Nous visons dix millions de conteneurs avant 2030',
      'La coalition des ports du Sud doit encore investir',
    ]);
    expect(riffi?.quotes.map((q) => q.pattern)).toEqual(['before-verb', 'after-verb', 'after-pronoun']);
    for (const q of riffi!.quotes) expectVerbatim(q);
  });

  it('said() finds a person by last name, without accents or case, once per wire story', async () => {
    const r = await sourcier.said!('riffi');
    expect(r.matchedSpeakers).toEqual(['Mehdi Tazi Riffi']);
    expect(r.quotes.map((q) => q.quote)).toEqual([
      'une performance historique obtenue malgré la crise de la mer Rouge',
      'Nous visons dix millions de conteneurs avant 2030',
      'La coalition des ports du Sud doit encore investir',
    ]);
    expect(r.quotes[0]!.alsoIn).toHaveLength(1);
    expect((await sourcier.said!('Riffi', { topic: 'coalition anti-Daech' })).quotes).toEqual([]);
    expect((await sourcier.said!('Nasser Bourita')).quotes).toEqual([]);
  });

  it('answers "qui a dit …" with the attributed quotation only', async () => {
    const answer = await sourcier.ask('Qui a dit « nous visons dix millions de conteneurs » ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]!.excerpt).toContain('a déclaré Mehdi Tazi Riffi');
    expectVerbatim(answer.citations[0]!);
    const none = await sourcier.ask('Qui a dit que la marée montait sur la lune ?');
    expect(none.abstained).toBe(true);
    expect(none.citations).toEqual([]);
  });
});

describe('a briefing in hybrid mode with the tiny model', () => {
  it('keeps articles without a word of the topic out, whatever the vectors say', async () => {
    const hybridWs = await makeWorkspace();
    const s = await openSourcier(configFor(hybridWs), { embedder: await loadTinyEmbedder(), buildIfMissing: true, brief: { stateFile: join(hybridWs.dir, 'b.json') } });
    try {
      const b = await s.brief!('coalition anti-Daech');
      expect(b.mode).toBe('hybrid');
      expect(b.sources.map((x) => x.articleId).sort()).toEqual([WASHINGTON, MARRAKECH]);
      expect(b.timeline.map((e) => e.when)).toEqual(['2016-07-21', '2022-05-11']);
      const state = JSON.parse(await readFile(join(hybridWs.dir, 'b.json'), 'utf8'));
      expect(state.briefings[0]).toMatchObject({ channel: 'cli', articleIds: expect.arrayContaining([WASHINGTON, MARRAKECH]) });
    } finally {
      await s.close();
      await hybridWs.cleanup();
    }
  });
});
