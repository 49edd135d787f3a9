import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/discord/deploy-commands.js';
import { startHarness, mentionViolations, type Harness } from './bot-harness.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord/fake-discord.js';

let h: Harness | undefined;
let fake: FakeDiscord | undefined;
afterEach(async () => {
  await h?.stop();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

function buttons(message: any): Array<{ custom_id: string; label: string }> {
  return message.components.flatMap((row: any) => row.components);
}

describe('answer buttons', () => {
  it('"Plus de sources" shows the next passages, numbered after the first page', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('ask', { question: 'la coalition contre Daech et le Maroc' });
    await h.edit(token);
    const message = h.fake.original(token);
    const more = buttons(message).find((b) => b.label === 'Plus de sources')!;
    expect(more.custom_id.length).toBeLessThanOrEqual(100);
    const click = h.fake.clickButton(more.custom_id, message);
    const edit = await h.edit(click.token);
    expect(edit.body.embeds[0].description).toContain('**[4]**');
    expect(h.double.calls.ask).toBe(2);
  });

  it('"Passage complet" answers ephemerally (flag 64) with the whole passage', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    await h.edit(token);
    const message = h.fake.original(token);
    const full = buttons(message).find((b) => b.label === 'Passage complet [1]')!;
    const click = h.fake.clickButton(full.custom_id, message);
    const reply = await h.callback(click.token);
    expect(reply.body.type).toBe(4);
    expect(reply.body.data.flags).toBe(64);
    expect(reply.body.data.embeds[0].title).toContain('Passage complet');
    expect(h.double.calls.passage).toBe(1);
  });

  it('👍 and 👎 append a line per click to the feedback file, with a hashed user id', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    await h.edit(token);
    const message = h.fake.original(token);
    const up = buttons(message).find((b) => b.custom_id.endsWith(':up'))!;
    const down = buttons(message).find((b) => b.custom_id.endsWith(':down'))!;
    const userId = '555555555555555555';
    await h.callback(h.fake.clickButton(up.custom_id, message, { userId }).token);
    await h.callback(h.fake.clickButton(down.custom_id, message, { userId }).token);
    const lines = (await readFile(h.feedbackFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verdict)).toEqual(['up', 'down']);
    expect(lines[0]).toMatchObject({ question: 'coalition Marrakech', command: 'ask' });
    expect(lines[0].chunkIds.length).toBeGreaterThan(0);
    expect(lines[0].userHash).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(lines)).not.toContain(userId);
  });

  it('an unknown or expired button gets a French notice', async () => {
    h = await startHarness();
    const click = h.fake.clickButton('src:more:zzzzzzzz', { id: '1', channel_id: h.fake.channelId, content: '', components: [] });
    expect((await h.callback(click.token)).body.data.content).toContain('expiré');
  });
});

describe('context menu, mentions, threads, /sources, autocomplete', () => {
  it('"Vérifier dans le corpus" replies ephemerally and "Publier" posts the excerpts publicly', async () => {
    h = await startHarness();
    const { token } = h.fake.messageCommand('Vérifier dans le corpus', 'Le Maroc accueille la coalition contre Daesh à Marrakech');
    expect((await h.callback(token)).body).toMatchObject({ type: 5, data: { flags: 64 } });
    const edit = await h.edit(token);
    expect(edit.body.embeds[0].description).toContain('**[1]**');
    const message = h.fake.original(token);
    const publish = buttons(message).find((b) => b.label === 'Publier')!;
    const click = h.fake.clickButton(publish.custom_id, message);
    const posted = await h.callback(click.token);
    expect(posted.body.type).toBe(4);
    expect(posted.body.data.flags ?? 0).toBe(0);
    expect(posted.body.data.embeds[0].description).toBe(edit.body.embeds[0].description);
    expect(h.double.calls.ask).toBe(1);
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });

  it('without DISCORD_MENTIONS the bot identifies with Guilds only and receives no messages', async () => {
    h = await startHarness();
    expect(h.fake.gatewayReceived.find((p) => p.op === 2)!.d.intents).toBe(1);
    h.fake.userMessage(`<@${h.fake.botUserId}> coalition Marrakech`, { mentionsBot: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.double.calls.ask).toBe(0);
  });

  it('with DISCORD_MENTIONS a message mentioning the bot is answered with a reply that pings nobody', async () => {
    h = await startHarness({ env: { DISCORD_MENTIONS: 'true' } });
    expect(h.fake.gatewayReceived.find((p) => p.op === 2)!.d.intents).toBe(1 | (1 << 9));
    const id = h.fake.userMessage(`<@${h.fake.botUserId}> Où se réunit la coalition à Marrakech ?`, { mentionsBot: true });
    const reply = await h.fake.waitForRequest((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    expect(reply.body.message_reference.message_id).toBe(id);
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(reply.body.embeds[0].description).toContain('**[1]**');
    // A message that does not mention the bot is ignored.
    h.fake.userMessage('coalition Marrakech');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.double.calls.ask).toBe(1);
  });

  it('with DISCORD_ASK_THREADS, /ask opens a thread and messages there are follow-up questions', async () => {
    h = await startHarness({ env: { DISCORD_ASK_THREADS: 'true', DISCORD_MENTIONS: 'true' } });
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    await h.edit(token);
    const created = await h.fake.waitForRequest((r) => r.method === 'POST' && /\/threads$/.test(r.path));
    expect(created.body.name).toBe('coalition Marrakech');
    const threadId = created.path.split('/')[4]!;
    h.fake.userMessage('Et à Washington ?', { channelId: threadId });
    const reply = await h.fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages`);
    expect(reply.body.allowed_mentions.parse).toEqual([]);
    expect(h.double.calls.ask).toBe(2);
  });

  it('/quote finds a sentence through Sourcier.quote and cites it verbatim', async () => {
    h = await startHarness();
    const text = 'la ferme volonté du Maroc de coordonner ses actions';
    const { token } = h.fake.slashCommand('quote', { text });
    expect((await h.callback(token)).body.type).toBe(5);
    const description: string = (await h.edit(token)).body.embeds[0].description;
    expect(description).toContain('dans le corpus, citée');
    expect(description).toContain('La tenue de cette réunion à Marrakech démontre la ferme volonté du Maroc');
    expect(h.double.calls).toMatchObject({ quote: 1, ask: 0 });
    await h.fake.waitUntil(() => h!.logs.some((l) => l.includes('"msg":"discord interaction"')));
    const line = h.logs.map((l) => JSON.parse(l)).find((e) => e.msg === 'discord interaction')!;
    expect(line).toMatchObject({ command: 'quote', outcome: 'answered', questionChars: text.length });
    expect(line.chunkIds.length).toBeGreaterThan(0);
  });

  it('/sources summarises the corpus in fields', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('sources', {});
    const reply = await h.callback(token);
    const fields = reply.body.data.embeds[0].fields.map((f: any) => `${f.name}: ${f.value}`).join('\n');
    expect(fields).toContain('Articles: 2');
    expect(fields).toContain('Presse marocaine (2)');
    expect(fields).toContain('lexicale seule');
  });

  it('autocompletes the source option from stats().sources, accent- and case-insensitively', async () => {
    h = await startHarness();
    const { token } = h.fake.autocomplete('ask', 'source', 'MAROC');
    const reply = await h.callback(token);
    expect(reply.body).toEqual({ type: 8, data: { choices: [{ name: 'Presse marocaine (2)', value: 'Presse marocaine' }] } });
  });
});

describe('deployCommands', () => {
  it('puts the commands in the development guild when guildId is set, globally otherwise', async () => {
    fake = await startFakeDiscord();
    const guild = await deployCommands({ token: fake.token, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl });
    expect(guild.scope).toBe('guild');
    expect(guild.names).toEqual(['ask', 'quote', 'sources', 'reindex', 'Vérifier dans le corpus', 'brief', 'said']);
    const global = await deployCommands({ token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl });
    expect(global.scope).toBe('global');
    const puts = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
    expect(puts).toEqual([`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`, `/applications/${fake.applicationId}/commands`]);
    const reindex = fake.requests[0]!.body.find((c: any) => c.name === 'reindex');
    expect(reindex.default_member_permissions).toBe('32');
  });

  it('throws DISCORD_FATAL without the token in the message when Discord refuses', async () => {
    fake = await startFakeDiscord();
    const error = await deployCommands({ token: 'bad-token-value-1234', applicationId: fake.applicationId, apiUrl: fake.apiUrl }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('DISCORD_FATAL');
    expect((error as Error).message).not.toContain('bad-token-value-1234');
  });
});
