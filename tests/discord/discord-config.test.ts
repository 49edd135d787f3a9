import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { parseDiscordConfig, parseRate } from '../../src/discord/discord-config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456';

function expectInvalid(env: Record<string, string | undefined>, name: string): void {
  let caught: unknown;
  try {
    parseDiscordConfig(env);
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught, 'CONFIG_INVALID')).toBe(true);
  expect((caught as Error).message).toContain(name);
  expect((caught as Error).message).not.toContain(TOKEN);
}

describe('parseDiscordConfig', () => {
  it('applies the documented defaults', () => {
    const c = parseDiscordConfig({ DISCORD_TOKEN: TOKEN });
    expect(c).toMatchObject({
      token: TOKEN,
      allowedGuilds: [],
      allowedChannels: [],
      userRate: { count: 5, windowMs: 60_000 },
      channelRate: { count: 20, windowMs: 60_000 },
      maxQuestionChars: 500,
      askThreads: false,
      mentions: false,
      feedbackFile: 'data/feedback.jsonl',
      queueConcurrency: 2,
      queueMax: 20,
      answerTimeoutMs: 20_000,
    });
    expect(c.apiUrl).toBeUndefined();
  });

  it('parses id lists, rates, booleans and the API URL', () => {
    const c = parseDiscordConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_ALLOWED_CHANNELS: ' 111111111111111111, 222222222222222222 ,',
      DISCORD_USER_RATE: '3/10s',
      DISCORD_CHANNEL_RATE: '100/1h',
      DISCORD_ASK_THREADS: 'TRUE',
      DISCORD_API_URL: 'http://127.0.0.1:8080/api/',
    });
    expect(c.allowedChannels).toEqual(['111111111111111111', '222222222222222222']);
    expect(c.userRate).toEqual({ count: 3, windowMs: 10_000 });
    expect(c.channelRate).toEqual({ count: 100, windowMs: 3_600_000 });
    expect(c.askThreads).toBe(true);
    expect(c.apiUrl).toBe('http://127.0.0.1:8080/api');
  });

  it('throws CONFIG_INVALID naming the variable, never echoing the token', () => {
    expectInvalid({}, 'DISCORD_TOKEN');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_USER_RATE: 'five per minute' }, 'DISCORD_USER_RATE');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_ALLOWED_ROLES: 'admins' }, 'DISCORD_ALLOWED_ROLES');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_QUEUE_MAX: '0' }, 'DISCORD_QUEUE_MAX');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: 'not a url' }, 'DISCORD_API_URL');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_ASK_THREADS: 'maybe' }, 'DISCORD_ASK_THREADS');
    expectInvalid({ DISCORD_TOKEN: TOKEN, DISCORD_QUEUE_CONCURRENCY: '5', DISCORD_QUEUE_MAX: '2' }, 'DISCORD_QUEUE_CONCURRENCY');
  });

  it('reads rates with ms, s, m and h units', () => {
    expect(parseRate('3/500ms')).toEqual({ count: 3, windowMs: 500 });
    expect(parseRate('20/1m')).toEqual({ count: 20, windowMs: 60_000 });
    expect(parseRate('5/s')).toEqual({ count: 5, windowMs: 1000 });
    expect(parseRate('0/60s')).toBeUndefined();
    expect(parseRate('5 per 60s')).toBeUndefined();
  });
});
