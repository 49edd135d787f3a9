import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { parseCoreConfig } from '../../src/core/config.js';
import type { Sourcier } from '../../src/core/types.js';
import { startHarness, mentionViolations, type Harness } from './bot-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');

let dir: string;
let sourcier: Sourcier;
let h: Harness | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-discord-core-'));
  const config = parseCoreConfig({
    CORPUS_DIR: join(ROOT, 'corpus'),
    INDEX_DIR: join(dir, 'index'),
    EMBEDDING_MODEL: join(ROOT, 'tests', 'fixtures', 'tiny-model'),
    MODEL_CACHE_DIR: join(dir, 'models'),
    ALLOW_REMOTE_MODELS: 'false',
  });
  sourcier = await openSourcier(config, { buildIfMissing: true });
});

afterAll(async () => {
  await h?.stop();
  await sourcier?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/ask end to end on the real core and the seed corpus', () => {
  it('quotes the seed articles verbatim in the edited reply, and "Passage complet" shows the real chunk', async () => {
    h = await startHarness({ sourcier });
    const { token } = h.fake.slashCommand('ask', { question: 'Où se réunit la Coalition mondiale contre Daesh ?' });
    expect((await h.callback(token)).body.type).toBe(5);
    const edit = await h.edit(token);
    const description: string = edit.body.embeds[0].description;
    expect(description).toContain('**[1]**');
    expect(description).toContain('Marrakech');

    const message = h.fake.original(token);
    const ids: string[] = message.components.flatMap((r: any) => r.components).map((b: any) => b.custom_id);
    const full = ids.find((id) => id.startsWith('src:full:') && id.endsWith(':0'))!;
    const click = h.fake.clickButton(full, message);
    const passageReply = await h.callback(click.token);
    expect(passageReply.body.data.flags).toBe(64);

    // Each quoted block, read as Discord shows it, is a substring of its article's stored text.
    const blocks = description.split('\n\n').filter((b) => b.includes('\n> '));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const quote = block
        .split('\n')
        .filter((l) => l.startsWith('> '))
        .map((l) => l.slice(2).replace(/\\([\s\S])/g, '$1'))
        .join('\n')
        .replace(/…$/, '');
      const texts = ['maroc/2016-07-coalition-anti-daech-washington#0', 'maroc/2022-04-coalition-daesh-marrakech#0'].map(
        (id) => sourcier.passage(id)?.article.text ?? '',
      );
      expect(texts.some((t) => t.replace(/\n{2,}/g, '\n').includes(quote))).toBe(true);
    }
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });
});
