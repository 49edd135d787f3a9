import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { parseBriefConfig } from '../../src/brief/brief-config.js';
import { openBriefState } from '../../src/brief/brief-state.js';
import { renderBriefingMarkdown } from '../../src/brief/render-briefing.js';
import type { Sourcier } from '../../src/core/types.js';
import { configFor, makeWorkspace } from '../helpers/test-corpus.js';

const WASHINGTON = 'maroc/2016-07-coalition-anti-daech-washington';
const MARRAKECH = 'maroc/2022-04-coalition-daesh-marrakech';

describe('the "what is new" state', () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  let sourcier: Sourcier;
  let stateFile: string;

  beforeAll(async () => {
    ws = await makeWorkspace();
    stateFile = join(ws.dir, 'data', 'briefings.json');
    sourcier = await openSourcier(configFor(ws), { embedder: null, buildIfMissing: true, brief: { stateFile } });
  });
  afterAll(async () => {
    await sourcier?.close();
    await ws?.cleanup();
  });

  it('covers only articles the last briefing on the topic in the channel did not, and says so', async () => {
    const first = await sourcier.brief!('Coalition anti-Daech', { channel: '111', now: new Date('2024-03-04T08:30:00Z') });
    expect(first.sources).toHaveLength(2);
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.briefings).toEqual([{ topicKey: first.topicKey, channel: '111', at: '2024-03-04T08:30:00.000Z', articleIds: expect.arrayContaining([WASHINGTON, MARRAKECH]) }]);

    // Same topic written differently, same channel: nothing new.
    const again = await sourcier.brief!('coalition  ANTI-daech', { channel: '111', newOnly: true, now: new Date('2024-03-05T08:30:00Z') });
    expect(again.topicKey).toBe(first.topicKey);
    expect(again.nothingNew).toBe(true);
    expect(again.sources).toEqual([]);
    expect(again.previous).toEqual({ at: '2024-03-04T08:30:00.000Z', articles: 2 });
    expect(renderBriefingMarkdown(again)).toContain('Rien de nouveau depuis le briefing du 4 mars 2024 à 08:30 UTC.');

    // Another channel has had no briefing: everything is new there.
    const elsewhere = await sourcier.brief!('coalition anti-Daech', { channel: '222', newOnly: true });
    expect(elsewhere.sources).toHaveLength(2);
    expect(elsewhere.previous).toBeUndefined();

    // A new article on the topic arrives: only it is shown.
    await appendFile(
      join(ws.corpusDir, 'news', 'depeches.jsonl'),
      `\n${JSON.stringify({ id: 'map-2024-0306', title: 'La coalition anti-Daech se réunira à Rabat', date: '2024-03-06', source: 'MAP', text: 'La coalition mondiale contre Daech tiendra sa prochaine réunion ministérielle le 20 juin prochain à Rabat, a annoncé mercredi le ministère des Affaires étrangères.' })}`,
    );
    await sourcier.reindex();
    const fresh = await sourcier.brief!('coalition anti-Daech', { channel: '111', newOnly: true, now: new Date('2024-03-06T09:00:00Z') });
    expect(fresh.sources.map((s) => s.articleId)).toEqual(['map-2024-0306']);
    expect(fresh.timeline.map((e) => e.when)).toEqual(['2024-06-20']);
    expect(renderBriefingMarkdown(fresh)).toContain('Nouveau depuis le briefing du 5 mars 2024 à 08:30 UTC (1 article).');
    // The next "new only" briefing remembers both the old and the new articles.
    const after = await sourcier.brief!('coalition anti-Daech', { channel: '111', newOnly: true });
    expect(after.nothingNew).toBe(true);
  });

  it('writes atomically: no temp file is left beside the state', async () => {
    const names = await readdir(join(ws.dir, 'data'));
    expect(names).toEqual(['briefings.json']);
  });
});

describe('openBriefState', () => {
  it('treats a missing file as empty and refuses a corrupt one with BRIEF_STATE_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sourcier-brief-state-'));
    try {
      const file = join(dir, 'nested', 'state.json');
      const store = openBriefState(file);
      expect(await store.last('coalit', 'cli')).toBeUndefined();
      await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => store.record({ topicKey: 'coalit', channel: 'cli', at: `2024-01-0${n}T00:00:00.000Z`, articleIds: [`a${n}`] })));
      expect(await store.last('coalit', 'cli')).toMatchObject({ articleIds: ['a7'] });
      // Only the last five briefings per topic and channel are kept.
      expect(JSON.parse(await readFile(file, 'utf8')).briefings).toHaveLength(5);
      await writeFile(file, '{ not json');
      await expect(store.last('coalit', 'cli')).rejects.toMatchObject({ code: 'BRIEF_STATE_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads BRIEF_STATE_FILE with data/briefings.json as the default', () => {
    expect(parseBriefConfig({}).stateFile).toBe('data/briefings.json');
    expect(parseBriefConfig({ BRIEF_STATE_FILE: ' /tmp/x.json ' }).stateFile).toBe('/tmp/x.json');
  });
});
