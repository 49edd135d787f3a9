import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger.js';
import type { Article, Sourcier } from '../../src/core/types.js';
import { parseDiscordConfig } from '../../src/discord/discord-config.js';
import { startBot, type RunningBot, type StartBotOptions } from '../../src/discord/start-bot.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type RecordedRequest } from './fake-discord/fake-discord.js';
import { createSourcierDouble, type SourcierDouble } from './sourcier-double.js';

export interface Harness {
  fake: FakeDiscord;
  bot: RunningBot;
  sourcier: Sourcier;
  double: SourcierDouble;
  /** Every log line the bot wrote (JSON). */
  logs: string[];
  dir: string;
  feedbackFile: string;
  /** The edit of the deferred reply (PATCH @original) for an interaction token. */
  edit(token: string): Promise<RecordedRequest>;
  callback(token: string): Promise<RecordedRequest>;
  stop(): Promise<void>;
}

/** Starts a fake Discord and the real bot (discord.js) against it, with the double or a given Sourcier. */
export async function startHarness(
  options: { env?: Record<string, string>; fake?: FakeDiscordOptions; sourcier?: Sourcier; bot?: Partial<StartBotOptions>; extraArticles?: Article[] } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sourcier-discord-'));
  const fake = await startFakeDiscord(options.fake);
  const double = createSourcierDouble(options.extraArticles);
  const sourcier = options.sourcier ?? double;
  const logs: string[] = [];
  const feedbackFile = join(dir, 'data', 'feedback.jsonl');
  const config = parseDiscordConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    FEEDBACK_FILE: feedbackFile,
    DISCORD_USER_RATE: '50/60s',
    DISCORD_CHANNEL_RATE: '100/60s',
    ...options.env,
  });
  let bot: RunningBot;
  try {
    bot = await startBot({ config, sourcier, logger: createLogger('debug', (l) => logs.push(l)), progressIntervalMs: 50, ...options.bot });
  } catch (error) {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    fake,
    bot,
    sourcier,
    double,
    logs,
    dir,
    feedbackFile,
    edit: (token) => fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`/${token}/messages/@original`)),
    callback: (token) => fake.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(`/${token}/callback`)),
    async stop() {
      await bot.stop();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every message-sending request must switch pings off. */
export function mentionViolations(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((r) => {
    const am = r.body?.data?.allowed_mentions ?? r.body?.allowed_mentions;
    return !am || !Array.isArray(am.parse) || am.parse.length !== 0 || am.replied_user === true || am.users?.length || am.roles?.length;
  });
}
