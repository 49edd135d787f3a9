import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { parseDiscordConfig } from '../../src/discord/discord-config.js';
import { startBot } from '../../src/discord/start-bot.js';
import { startHarness, type Harness } from './bot-harness.js';
import { createSourcierDouble } from './sourcier-double.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord/fake-discord.js';

let h: Harness | undefined;
let fake: FakeDiscord | undefined;
afterEach(async () => {
  await h?.stop();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

describe('gateway lifecycle', () => {
  it('identifies with the Guilds intent only, on the URL and query discord.js builds from GET /gateway/bot', async () => {
    h = await startHarness();
    const identify = h.fake.gatewayReceived.find((p) => p.op === 2)!;
    expect(identify.d.intents).toBe(1);
    expect(h.fake.gatewayQueries[0]).toContain('v=10');
    expect(h.fake.gatewayQueries[0]).toContain('encoding=json');
    expect(h.fake.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot' });
  });

  it('resumes after a close with code 4000 and keeps answering', async () => {
    h = await startHarness();
    h.fake.closeGateway(4000);
    await h.fake.waitForGateway(6);
    const resume = h.fake.gatewayReceived.find((p) => p.op === 6)!;
    expect(resume.d.session_id).toMatch(/^session-/);
    expect(h.fake.gatewayReceived.filter((p) => p.op === 2)).toHaveLength(1);
    await h.fake.waitUntil(() => h!.fake.connected, 5000, 'resumed connection');
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    expect((await h.edit(token)).body.embeds[0].description).toContain('**[1]**');
  });

  it('rejects startBot with DISCORD_FATAL when Discord closes with 4004 (invalid token), without retrying', async () => {
    fake = await startFakeDiscord({ closeOnIdentify: 4004 });
    const config = parseDiscordConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl });
    const error = await startBot({ config, sourcier: createSourcierDouble() }).catch((e: unknown) => e);
    expect(isAppError(error, 'DISCORD_FATAL')).toBe(true);
    expect((error as Error).message).toContain('4004');
    expect((error as Error).message).toContain('DISCORD_TOKEN');
    expect(fake.gatewayReceived.filter((p) => p.op === 2)).toHaveLength(1);
  });

  it('rejects startBot with DISCORD_FATAL when GET /gateway/bot refuses the token (401)', async () => {
    fake = await startFakeDiscord();
    const config = parseDiscordConfig({ DISCORD_TOKEN: 'wrong-token', DISCORD_API_URL: fake.apiUrl });
    const error = await startBot({ config, sourcier: createSourcierDouble() }).catch((e: unknown) => e);
    expect(isAppError(error, 'DISCORD_FATAL')).toBe(true);
    expect((error as Error).message).not.toContain('wrong-token');
  });

  it('rejects `stopped` with DISCORD_FATAL when a running bot gets close 4014 (disallowed intents)', async () => {
    h = await startHarness();
    h.fake.closeGateway(4014);
    const error = await h.bot.stopped.catch((e: unknown) => e);
    expect(isAppError(error, 'DISCORD_FATAL')).toBe(true);
    expect((error as Error).message).toContain('4014');
  });
});
