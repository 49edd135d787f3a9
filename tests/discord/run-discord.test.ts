import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { silentLogger } from '../../src/core/logger.js';
import { deployCommandsFromEnv, runDiscordBot } from '../../src/discord/run-discord.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord/fake-discord.js';
import { createSourcierDouble } from './sourcier-double.js';

let fake: FakeDiscord | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('runDiscordBot and deployCommandsFromEnv (what main.ts wires)', () => {
  it('runs the bot until the signal aborts, then resolves', async () => {
    fake = await startFakeDiscord();
    const controller = new AbortController();
    const running = runDiscordBot(createSourcierDouble(), { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl }, silentLogger, {
      signal: controller.signal,
    });
    await fake.waitUntil(() => fake!.connected);
    controller.abort();
    await expect(running).resolves.toBeUndefined();
  });

  it('rejects with DISCORD_FATAL when the gateway closes with 4004', async () => {
    fake = await startFakeDiscord({ closeOnIdentify: 4004 });
    const error = await runDiscordBot(createSourcierDouble(), { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl }, silentLogger).catch((e: unknown) => e);
    expect(isAppError(error, 'DISCORD_FATAL')).toBe(true);
  });

  it('deploys to DISCORD_GUILD_ID unless --global, and prints the invite URL', async () => {
    fake = await startFakeDiscord();
    const env = { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_GUILD_ID: fake.guildId };
    const guild = await deployCommandsFromEnv(env, { global: false }, silentLogger);
    expect(guild).toContain(`sur le serveur ${fake.guildId}`);
    expect(guild).toContain('permissions=274877991936');
    const global = await deployCommandsFromEnv(env, { global: true }, silentLogger);
    expect(global).toContain('globalement');
    expect(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path.includes('/guilds/'))).toEqual([true, false]);
  });

  it('refuses to deploy without DISCORD_APPLICATION_ID (CONFIG_INVALID naming it)', async () => {
    const error = await deployCommandsFromEnv({ DISCORD_TOKEN: 'x' }, { global: false }, silentLogger).catch((e: unknown) => e);
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('DISCORD_APPLICATION_ID');
  });
});
