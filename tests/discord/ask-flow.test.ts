import { afterEach, describe, expect, it } from 'vitest';
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
