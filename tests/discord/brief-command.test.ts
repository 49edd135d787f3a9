import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import type { Briefing, Sourcier } from '../../src/core/types.js';
import { botCommands } from '../../src/discord/commands/command-registry.js';
import {
  briefFiles,
  decodeBriefButton,
  encodeBriefButton,
  EVENTS_PER_PAGE,
  isBriefButton,
  renderBriefSummary,
  renderBriefThreadMessages,
} from '../../src/discord/commands/brief-command.js';
import { checkMessageLimits } from '../../src/discord/render-message.js';
import { configFor, makeWorkspace } from '../helpers/test-corpus.js';
import { mentionViolations, startHarness, type Harness } from './bot-harness.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;
let briefing: Briefing;
let h: Harness | undefined;

beforeAll(async () => {
  ws = await makeWorkspace();
  sourcier = await openSourcier(configFor(ws), { embedder: null, buildIfMissing: true, brief: { stateFile: join(ws.dir, 'briefings.json') } });
  briefing = await sourcier.brief!('coalition anti-Daech', { record: false });
});

afterAll(async () => {
  await h?.stop();
  await sourcier?.close();
  await ws?.cleanup();
});

/** A briefing with a long, hostile timeline and huge excerpts, to push every limit. */
function hostileBriefing(): Briefing {
  const huge = '@everyone <@123> **gras** https://exemple.org '.repeat(200);
  const event = briefing.timeline[0]!;
  return {
    ...briefing,
    topic: `@here ${'sujet '.repeat(100)}`,
    keyPoints: Array.from({ length: 8 }, (_, i) => ({ ...briefing.keyPoints[0]!, excerpt: huge, title: `Titre ${i} ${huge}` })),
    timeline: Array.from({ length: 11 }, (_, i) => ({ ...event, when: `2016-07-${String(10 + i).padStart(2, '0')}`, excerpt: `${i} ${huge}` })),
    speakers: Array.from({ length: 10 }, (_, i) => ({ speaker: `Personne ${i} @everyone`, quotes: [] })),
  };
}

describe('/brief rendering', () => {
  it('keeps the summary within Discord limits on every timeline page, and pages the events', () => {
    const b = hostileBriefing();
    const pages = Math.ceil(b.timeline.length / EVENTS_PER_PAGE);
    expect(pages).toBe(3);
    for (let page = 0; page < pages; page++) {
      const payload = renderBriefSummary(b, { page, key: 'abc123' });
      expect(checkMessageLimits(payload)).toEqual([]);
      const text = JSON.stringify(payload.embeds);
      expect(text).not.toMatch(/(?<!＠)@everyone|<@1/);
      expect(payload.embeds[0]!.description).toContain(`Chronologie (${page + 1}/3)`);
      expect(payload.allowedMentions).toEqual({ parse: [], repliedUser: false });
      const ids = payload.components[0]!.components.map((c) => ('custom_id' in c ? c.custom_id : ''));
      expect(ids).toEqual([
        encodeBriefButton({ action: 'timeline', key: 'abc123', page: Math.max(0, page - 1) }),
        encodeBriefButton({ action: 'timeline', key: 'abc123', page: Math.min(2, page + 1) }),
        encodeBriefButton({ action: 'thread', key: 'abc123' }),
      ]);
    }
    for (const message of renderBriefThreadMessages(b)) expect(message.length).toBeLessThanOrEqual(2000);
  });

  it('shows the seed timeline in order with escaped verbatim quotes', () => {
    const description = renderBriefSummary(briefing, { key: 'k1' }).embeds[0]!.description!;
    expect(description.indexOf('**21 juillet 2016**')).toBeGreaterThan(0);
    expect(description.indexOf('**21 juillet 2016**')).toBeLessThan(description.indexOf('**11 mai 2022**'));
    expect(description).toContain('> La Coalition mondiale contre Daesh tiendra une réunion le 11 mai prochain à Marrakech');
  });

  it('attaches the full Markdown briefing and a PNG chart', async () => {
    const files = await briefFiles(briefing);
    expect(files.map((f) => f.name)).toEqual(['briefing.md', 'briefing.png']);
    expect(files[0]!.data.toString('utf8')).toContain('## Chronologie');
    expect(files[1]!.data.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('encodes and decodes its button ids, and refuses foreign ones', () => {
    for (const b of [{ action: 'timeline', key: 'k1', page: 2 }, { action: 'thread', key: 'k1' }] as const) {
      const id = encodeBriefButton(b);
      expect(isBriefButton(id)).toBe(true);
      expect(decodeBriefButton(id)).toEqual(b);
    }
    expect(decodeBriefButton('src:more:k1')).toBeUndefined();
    expect(decodeBriefButton('brief:tl:k1:x')).toBeUndefined();
    expect(isBriefButton('src:more:k1')).toBe(false);
  });
});

describe('/brief end to end on the real core', () => {
  it('defers, then edits the reply with the summary, the Markdown briefing and the PNG chart attached, pinging nobody', async () => {
    h = await startHarness({ sourcier, bot: { commands: botCommands } });
    const { token } = h.fake.slashCommand('brief', { topic: 'coalition anti-Daech' });
    expect((await h.callback(token)).body.type).toBe(5);
    const edit = await h.edit(token);
    // discord.js sends the files as multipart parts and lists them by id in the JSON part.
    expect(edit.body.attachments).toEqual([{ id: '0' }, { id: '1' }]);
    const embed = edit.body.embeds[0];
    expect(embed.title).toBe('Briefing : coalition anti-Daech');
    expect(embed.image.url).toBe('attachment://briefing.png');
    expect(embed.description).toContain('**Points clés**');
    expect(embed.description).toContain('**21 juillet 2016**');
    const ids: string[] = edit.body.components.flatMap((r: any) => r.components).map((b: any) => b.custom_id);
    expect(ids.some((id) => id.startsWith('brief:thread:'))).toBe(true);
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);

    // nouveau:oui in the same channel right after: nothing new, and it says so.
    const again = h.fake.slashCommand('brief', { topic: 'Coalition anti-Daech', nouveau: 'oui' });
    const second = await h.edit(again.token);
    expect(second.body.embeds[0].description).toContain('Rien de nouveau depuis le briefing du');
    expect(second.body.components).toEqual([]);
  });

  it('"Publier dans un fil" opens a thread under the summary and posts the full briefing there, pinging nobody', async () => {
    h ??= await startHarness({ sourcier, bot: { commands: botCommands } });
    const { token } = h.fake.slashCommand('brief', { topic: 'coalition anti-Daech' });
    await h.edit(token);
    const message = h.fake.original(token);
    const thread = message.components.flatMap((r: any) => r.components).find((b: any) => b.custom_id.startsWith('brief:thread:'));
    const click = h.fake.clickButton(thread.custom_id, message);
    expect((await h.callback(click.token)).body.data?.flags ?? 64).toBe(64);
    const done = await h.edit(click.token);
    expect(JSON.stringify(done.body)).not.toContain('expiré');
    const posted = h.fake.requests.filter((r: any) => r.method === 'POST' && /\/channels\/[^/]+\/messages$/.test(r.path) && !r.path.includes(message.channel_id));
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.map((r: any) => r.body.content).join('\n')).toContain('21 juillet');
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });

  it('/said says plainly when nobody by that name is quoted in the corpus', async () => {
    h ??= await startHarness({ sourcier, bot: { commands: botCommands } });
    const { token } = h.fake.slashCommand('said', { personne: 'Quelqu’un Inconnu' });
    const edit = await h.edit(token);
    expect(edit.body.embeds[0].description).toContain('Aucune citation attribuée à Quelqu’un Inconnu');
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });
});
