import { afterEach, describe, expect, it } from 'vitest';
import { checkMessageLimits } from '../../src/discord/render-message.js';
import { startHarness, mentionViolations, type Harness } from './bot-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('/ask against the fake Discord', () => {
  it('defers first, then edits the reply with numbered verbatim excerpts from the seed articles', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('ask', { question: 'Où se réunit la coalition contre Daesh à Marrakech ?' });
    const callback = await h.callback(token);
    expect(callback.body.type).toBe(5);
    const edit = await h.edit(token);
    const description: string = edit.body.embeds[0].description;
    expect(description).toContain('**[1]**');
    expect(description).toContain('> ');
    expect(description).toMatch(/<https:\/\/example\.org\/maroc\//);
    // The quoted text, once Discord's markdown escapes are undone, is a substring of a seed article.
    const quoted = description
      .split('\n')
      .filter((l) => l.startsWith('> '))
      .map((l) => l.slice(2).replace(/\\(.)/g, '$1'));
    expect(quoted.length).toBeGreaterThan(0);
    const texts = h.double.articles.map((a) => a.text);
    for (const q of quoted) expect(texts.some((t) => t.includes(q.replace(/…$/, '')))).toBe(true);
    expect(h.double.calls.ask).toBe(1);
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });
});

describe('/ask safety and failure paths', () => {
  it('pings nobody when the question carries @everyone, a role and a user mention, and shows them neutralised', async () => {
    h = await startHarness({ env: { DISCORD_MENTIONS: 'true' } });
    const { token } = h.fake.slashCommand('ask', { question: '@everyone @here <@&123456789012345678> <@123456789012345678> la coalition à Marrakech ?' });
    const edit = await h.edit(token);
    const title: string = edit.body.embeds[0].title;
    expect(title).not.toMatch(/@everyone|@here|<@/);
    expect(title).toContain('＠everyone');
    expect(title).toContain('＠&123456789012345678');
    expect(title).toContain('\\<＠123456789012345678\\>');
    // Also the mention path and the error path: every message-sending request switches pings off.
    h.fake.userMessage(`<@${h.fake.botUserId}> @everyone Marrakech coalition`, { mentionsBot: true });
    await h.fake.waitForRequest((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    const bodies = h.fake.messageBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(mentionViolations(bodies)).toEqual([]);
  });

  it('says "Aucun passage pertinent" and lists the nearest articles when the core abstains', async () => {
    h = await startHarness();
    const { token } = h.fake.slashCommand('ask', { question: 'xylophone quantique zébré' });
    const edit = await h.edit(token);
    const description: string = edit.body.embeds[0].description;
    expect(description).toContain('Aucun passage pertinent');
    expect(description).toContain('Articles les plus proches');
    expect(description).toContain('coalition');
  });

  it('retries the edit after a 429 and delivers the answer', async () => {
    h = await startHarness();
    h.fake.rateLimitNext('PATCH', /\/messages\/@original$/, 0.2);
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    await h.fake.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes(token) && h!.fake.requests.filter((x) => x.method === 'PATCH' && x.path.includes(token)).length >= 2,
    );
    const edits = h.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token));
    expect(edits).toHaveLength(2);
    expect(edits[1]!.body.embeds[0].description).toContain('**[1]**');
    expect(h.logs.some((l) => l.includes('discord interaction failed'))).toBe(false);
  });

  it('answers a handler error with a short French sentence and logs the stack', async () => {
    h = await startHarness();
    const { AppError } = await import('../../src/core/app-error.js');
    h.double.failWith = new AppError('INDEX_MISSING', 'No index in index/; run "sourcier index" first.');
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    const edit = await h.edit(token);
    expect(edit.body.content).toBe('L’index n’est pas encore construit. Un administrateur doit lancer /reindex.');
    const failure = h.logs.map((l) => JSON.parse(l)).find((e) => e.msg === 'discord interaction failed');
    expect(failure.error.code).toBe('INDEX_MISSING');
    expect(failure.error.stack).toContain('AppError');
    // The bot keeps serving after a failure.
    h.double.failWith = undefined;
    const next = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    expect((await h.edit(next.token)).body.embeds[0].description).toContain('**[1]**');
  });

  it('replaces an unanswered question with the timeout message', async () => {
    h = await startHarness({ env: { DISCORD_ANSWER_TIMEOUT_MS: '300' } });
    h.double.hang = true;
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    expect((await h.callback(token)).body.type).toBe(5);
    const edit = await h.edit(token);
    expect(edit.body.content).toContain('trop de temps');
    h.double.release();
  });

  it('tells the user "occupé" at once, without deferring or calling the core, when the queue is full', async () => {
    h = await startHarness({ env: { DISCORD_QUEUE_CONCURRENCY: '1', DISCORD_QUEUE_MAX: '1' } });
    h.double.hang = true;
    const first = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    expect((await h.callback(first.token)).body.type).toBe(5);
    const second = h.fake.slashCommand('ask', { question: 'coalition Washington' });
    const refusal = await h.callback(second.token);
    expect(refusal.body.type).toBe(4);
    expect(refusal.body.data.content).toContain('occupé');
    expect(refusal.body.data.flags).toBe(64);
    expect(h.double.calls.ask).toBe(1);
    h.double.release();
    await h.edit(first.token);
  });

  it('keeps the bot token and interaction tokens out of the logs', async () => {
    h = await startHarness();
    h.fake.failNext('PATCH', /\/messages\/@original$/, 400, { message: `refused Bot ${h.fake.token}`, code: 50035 });
    const { token } = h.fake.slashCommand('ask', { question: 'coalition Marrakech' });
    await h.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token) && r.body?.content !== undefined);
    await h.fake.waitUntil(() => h!.logs.some((l) => l.includes('"msg":"discord interaction"')));
    const all = h.logs.join('\n');
    expect(all).toContain('discord interaction failed');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain(h.fake.token);
    expect(all).not.toContain(token);
    const line = h.logs.map((l) => JSON.parse(l)).find((e) => e.msg === 'discord interaction');
    expect(line).toMatchObject({ command: 'ask', outcome: 'error', questionChars: 'coalition Marrakech'.length });
  });
});

describe('/ask on a huge, hostile article', () => {
  it('keeps every Discord limit and shows no live link, mention or heading', async () => {
    const hostile =
      'Coalition: @everyone lisez [ceci](https://evil/x) <@&123456789012345678> \u202Eavis\u200B ; ' +
      '# Coalition en titre\n- coalition en liste ```coalition``` https://evil/coalition 😀 ';
    const text = hostile.repeat(120);
    h = await startHarness({
      extraArticles: [{ id: 'x/huge', title: '**Coalition** @here [lien](https://evil.example)', source: 'Média <@1>', text, path: 'x/huge.md', hash: 'h' }],
    });
    // The double quotes up to sentence ends: make one huge sentence on one line.
    h.double.articles.at(-1)!.text = text.replace(/\n/g, ' ');
    const { token } = h.fake.slashCommand('ask', { question: 'coalition evil lisez' });
    const edit = await h.edit(token);
    const payload = { content: edit.body.content, embeds: edit.body.embeds, components: edit.body.components, allowedMentions: { parse: [], repliedUser: false } as const };
    expect(checkMessageLimits(payload as never)).toEqual([]);
    const description: string = edit.body.embeds[0].description;
    expect(description.length).toBeGreaterThan(3000);
    expect(description).toContain('…');
    expect(description).not.toMatch(/@(everyone|here)|<@|\]\(https|[^\\]https:\/\/evil|\u202E|\u200B/);
    expect(description).not.toMatch(/^#/m);
    expect(mentionViolations(h.fake.messageBodies())).toEqual([]);
  });
});
