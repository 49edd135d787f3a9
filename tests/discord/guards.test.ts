import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './bot-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MANAGE_GUILD = String(1n << 5n);

describe('rate limits and allow-lists', () => {
  it('refuses a user over DISCORD_USER_RATE ephemerally, without calling the core', async () => {
    h = await startHarness({ env: { DISCORD_USER_RATE: '1/60s' } });
    const userId = '123456789012345670';
    const first = h.fake.slashCommand('ask', { question: 'coalition Marrakech' }, { userId });
    await h.edit(first.token);
    const second = h.fake.slashCommand('ask', { question: 'coalition Washington' }, { userId });
    const refusal = await h.callback(second.token);
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(refusal.body.data.content).toMatch(/réessayez dans \d+ s/);
    expect(h.double.calls.ask).toBe(1);
    // Another user is not affected.
    const other = h.fake.slashCommand('ask', { question: 'coalition Washington' }, { userId: '123456789012345671' });
    await h.edit(other.token);
    expect(h.double.calls.ask).toBe(2);
  });

  it('refuses a channel over DISCORD_CHANNEL_RATE, without calling the core', async () => {
    h = await startHarness({ env: { DISCORD_CHANNEL_RATE: '1/60s' } });
    await h.edit(h.fake.slashCommand('ask', { question: 'coalition' }).token);
    const refused = h.fake.slashCommand('ask', { question: 'coalition' });
    expect((await h.callback(refused.token)).body.data.content).toContain('Ce salon');
    expect(h.double.calls.ask).toBe(1);
  });

  it('refuses outside DISCORD_ALLOWED_CHANNELS and without a role of DISCORD_ALLOWED_ROLES, without calling the core', async () => {
    h = await startHarness({
      env: { DISCORD_ALLOWED_CHANNELS: '111111111111111111', DISCORD_ALLOWED_ROLES: '222222222222222222' },
      fake: { roleIds: ['222222222222222222'] },
    });
    const wrongChannel = h.fake.slashCommand('ask', { question: 'coalition' }, { roles: ['222222222222222222'] });
    const refusal = await h.callback(wrongChannel.token);
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(refusal.body.data.content).toContain('pas ouvert');
    h.fake.channels.set('111111111111111111', { id: '111111111111111111', type: 0, name: 'ok' });
    const wrongRole = h.fake.slashCommand('ask', { question: 'coalition' }, { channelId: '111111111111111111', roles: [] });
    expect((await h.callback(wrongRole.token)).body.data.content).toContain('rôle');
    expect(h.double.calls.ask).toBe(0);
    const allowed = h.fake.slashCommand('ask', { question: 'coalition' }, { channelId: '111111111111111111', roles: ['222222222222222222'] });
    await h.edit(allowed.token);
    expect(h.double.calls.ask).toBe(1);
  });

  it('refuses a question longer than DISCORD_MAX_QUESTION_CHARS', async () => {
    h = await startHarness({ env: { DISCORD_MAX_QUESTION_CHARS: '20' } });
    const { token } = h.fake.slashCommand('ask', { question: 'coalition '.repeat(5) });
    expect((await h.callback(token)).body.data.content).toContain('20 caractères');
    expect(h.double.calls.ask).toBe(0);
  });
});

describe('/reindex', () => {
  it('is refused to members without Manage Server or outside DISCORD_ADMIN_USERS', async () => {
    h = await startHarness({ env: { DISCORD_ADMIN_USERS: '333333333333333333' } });
    const noPermission = h.fake.slashCommand('reindex', {}, { userId: '333333333333333333', permissions: '0' });
    expect((await h.callback(noPermission.token)).body.data.content).toContain('réservée');
    const notListed = h.fake.slashCommand('reindex', {}, { userId: '444444444444444444', permissions: MANAGE_GUILD });
    expect((await h.callback(notListed.token)).body.data.content).toContain('réservée');
    expect(h.double.calls.reindex).toBe(0);
  });

  it('reports progress in the ephemeral deferred reply, then the summary', async () => {
    h = await startHarness({ env: { DISCORD_ADMIN_USERS: '333333333333333333' } });
    const { token } = h.fake.slashCommand('reindex', {}, { userId: '333333333333333333', permissions: MANAGE_GUILD });
    expect((await h.callback(token)).body).toMatchObject({ type: 5, data: { flags: 64 } });
    await h.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token) && /Index reconstruit/.test(r.body?.content ?? ''));
    const edits = h.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token)).map((r) => r.body.content as string);
    expect(edits[0]).toContain('lancée');
    expect(edits.some((e) => /vectorisation \d\/5/.test(e))).toBe(true);
    expect(edits.at(-1)).toContain('2 articles, 9 passages');
    expect(h.double.calls.reindex).toBe(1);
  });
});
