import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Answer, Citation } from '../../src/core/types.js';
import { escapeMarkdown, neutraliseMentions, stripInvisible, truncateText } from '../../src/discord/escape-markdown.js';
import { checkMessageLimits, renderAnswerMessage, renderPassageMessage, renderSourcesMessage, shareBudget } from '../../src/discord/render-message.js';

const SEED = 20260214;

// Text that is hostile to Discord: mentions, markdown, links, code fences, bidi/zero-width, astral characters.
const hostilePiece = fc.constantFrom(
  '@everyone', '@here', '@EVERYONE', '<@123456789012345678>', '<@!123456789012345678>', '<@&123456789012345678>', '<#123456789012345678>',
  '**gras**', '__souligné__', '~~barré~~', '||spoiler||', '`code`', '```js\nalert(1)\n```', '# Titre', '\n## Sous-titre', '\n- item', '\n1. item',
  '\n> citation', '\n-# petit', '[lien](https://evil.example/x)', 'https://evil.example/y', '<https://evil.example/z>', '\\', '\\\\*', '\u202Egnp.exe',
  '\u200Bzero\u200Dwidth\uFEFF', '😀', '👩‍👩‍👧', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'é', '. ', '! ', '? ', '…', '\n', '\n\n', ' ', 'Le Maroc participe à la réunion.',
);
const hostileText = (maxPieces: number) =>
  fc.array(fc.oneof(hostilePiece, fc.string({ unit: 'grapheme', maxLength: 40 })), { maxLength: maxPieces }).map((p) => p.join(''));

const citationArb: fc.Arbitrary<Citation> = fc.record({
  articleId: fc.constant('a/b'),
  chunkId: fc.nat(999).map((n) => `a/b#${n}`),
  title: hostileText(8),
  date: fc.option(fc.constantFrom('2016-07', '2022-04-11'), { nil: undefined }),
  source: fc.option(hostileText(3), { nil: undefined }),
  url: fc.option(fc.constantFrom('https://example.org/a', 'javascript:alert(1)', 'https://x.org/@everyone', 'https://x.org/a b'), { nil: undefined }),
  excerpt: hostileText(400),
  start: fc.constant(0),
  end: fc.constant(1),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
});

const answerArb: fc.Arbitrary<Answer> = fc.record({
  question: hostileText(30),
  abstained: fc.boolean(),
  citations: fc.array(citationArb, { maxLength: 7 }),
  nearest: fc.array(fc.record({ articleId: fc.constant('x'), title: hostileText(5), score: fc.constant(0.1) }), { maxLength: 12 }),
  mode: fc.constantFrom('hybrid' as const, 'lexical' as const),
  latencyMs: fc.nat(100_000),
});

/** No lone surrogate (String.prototype.isWellFormed is ES2024, beyond this project's lib). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
const unescape = (s: string) => s.replace(/\\([\s\S])/g, '$1');
/** What the reader should see for an excerpt: the same text without invisible characters and with neutral mentions. */
const visible = (s: string) => neutraliseMentions(stripInvisible(s)).replace(/\r\n?/g, '\n').replace(/\n{2,}/g, '\n');

function quoteBlocks(description: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of description.split('\n')) {
    if (line.startsWith('> ')) (current ??= []).push(line.slice(2));
    else if (current) {
      blocks.push(current.join('\n'));
      current = undefined;
    }
  }
  if (current) blocks.push(current.join('\n'));
  return blocks;
}

function unescapedSpecials(line: string): boolean {
  for (let i = 0; i < line.length; i += 1) {
    if (line[i] === '\\') {
      i += 1;
      continue;
    }
    if ('*_~`|<>[]()#'.includes(line[i]!)) return true;
  }
  return false;
}

describe('renderAnswerMessage (property-based, fixed seed)', () => {
  it('keeps every Discord limit, pings nobody, and never shows invisible or unbalanced characters', () => {
    fc.assert(
      fc.property(answerArb, fc.boolean(), fc.nat(20), (answer, publish, offset) => {
        const payload = renderAnswerMessage(answer, { kind: 'ask', stateKey: 'abc123', offset, publish });
        expect(checkMessageLimits(payload)).toEqual([]);
        const json = JSON.stringify(payload.embeds);
        expect(json).not.toMatch(/@(everyone|here)|<@/i);
        expect(json).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200D\uFEFF]/);
        for (const e of payload.embeds) {
          for (const text of [e.title, e.description, e.footer?.text]) if (text) expect(wellFormed(text)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('shows each excerpt verbatim (once escapes are read) or as a verbatim prefix ending with "…", with no live markdown', () => {
    fc.assert(
      fc.property(answerArb, (raw) => {
        const answer = { ...raw, abstained: false };
        fc.pre(answer.citations.length > 0);
        const payload = renderAnswerMessage(answer, { kind: 'ask' });
        const blocks = quoteBlocks(payload.embeds[0]!.description!);
        expect(blocks).toHaveLength(Math.min(answer.citations.length, 10));
        blocks.forEach((block, i) => {
          for (const line of block.split('\n')) expect(unescapedSpecials(line)).toBe(false);
          const shown = unescape(block);
          const original = visible(answer.citations[i]!.excerpt);
          if (shown !== original) {
            expect(shown.endsWith('…')).toBe(true);
            expect(original.startsWith(shown.slice(0, -1))).toBe(true);
          }
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('says why the period of the question was not applied: no article in it, or after the newest article', () => {
    const base: Answer = { question: 'q', abstained: true, citations: [], nearest: [], mode: 'lexical', latencyMs: 1 };
    const describe = (period: Answer['period']) => renderAnswerMessage({ ...base, period }, { kind: 'ask' }).embeds[0]!.description!;
    expect(describe({ since: '2019-01-01', until: '2019-12-31', label: 'en 2019' })).toMatch(/^Période : en 2019\n/);
    expect(describe({ label: 'en 2019', applied: false })).toContain('Période : en 2019 — aucun article publié dans cette période');
    expect(describe({ label: 'en 2024', applied: false, corpusUntil: '2020-09-27' })).toContain('Période : en 2024 — le corpus s’arrête au 27 septembre 2020\n');
    expect(renderAnswerMessage({ ...base, abstained: false, citations: [{ articleId: 'a', chunkId: 'a#0', title: 'T', excerpt: 'x', start: 0, end: 1, score: 1 }], period: { label: 'en 2025', applied: false, corpusUntil: '2020-09-27' } }, { kind: 'ask' }).embeds[0]!.description!).toContain('le corpus s’arrête au 27 septembre 2020 : seuls les passages qui parlent de cette période sont cités');
  });

  it('shows under the source line what the relative dates of an excerpt stand for', () => {
    const citation: Citation = { articleId: 'a', chunkId: 'a#0', title: 'T', date: '2017-06-24', excerpt: 'La police a annoncé vendredi…', start: 0, end: 1, score: 1, dates: [{ text: 'vendredi', offset: 20, date: '2017-06-23' }] };
    const payload = renderAnswerMessage({ question: 'q', abstained: false, citations: [citation], nearest: [], mode: 'lexical', latencyMs: 1 }, { kind: 'ask' });
    expect(payload.embeds[0]!.description!).toContain('— *T*, 2017-06-24\n-# Dates : « vendredi » = 23 juin 2017');
    expect(checkMessageLimits(payload)).toEqual([]);
  });

  it('cuts a huge excerpt at a sentence boundary with a visible "…"', () => {
    const sentence = 'La Coalition mondiale contre Daesh tiendra une réunion le 11 mai prochain à Marrakech. ';
    const citation: Citation = { articleId: 'a', chunkId: 'a#0', title: 'T', excerpt: sentence.repeat(200), start: 0, end: 1, score: 1 };
    const payload = renderAnswerMessage({ question: 'q', abstained: false, citations: [citation, citation, citation], nearest: [], mode: 'lexical', latencyMs: 1 }, { kind: 'ask' });
    expect(checkMessageLimits(payload)).toEqual([]);
    for (const block of quoteBlocks(payload.embeds[0]!.description!)) expect(block).toMatch(/Marrakech\.…$/);
    expect(payload.embeds[0]!.description!.length).toBeGreaterThan(3500);
  });

  it('wraps source links in <…> and drops links that are not plain http(s)', () => {
    const base: Citation = { articleId: 'a', chunkId: 'a#0', title: 'Titre', excerpt: 'Texte.', start: 0, end: 6, score: 1, date: '2022-04', source: 'Presse marocaine' };
    const render = (url: string) =>
      renderAnswerMessage({ question: 'q', abstained: false, citations: [{ ...base, url }], nearest: [], mode: 'hybrid', latencyMs: 1 }, { kind: 'ask' }).embeds[0]!.description!;
    expect(render('https://example.org/a')).toContain('— *Titre*, 2022-04, Presse marocaine, <https://example.org/a>');
    expect(render('javascript:alert(1)')).not.toContain('javascript');
  });

  it('puts at most 5 buttons in a row and custom ids under 100 characters', () => {
    const c: Citation = { articleId: 'a', chunkId: 'a#0', title: 'T', excerpt: 'x', start: 0, end: 1, score: 1 };
    const payload = renderAnswerMessage({ question: 'q', abstained: false, citations: Array(8).fill(c), nearest: [], mode: 'lexical', latencyMs: 1 }, { kind: 'verify', stateKey: 'k1', publish: true });
    expect(checkMessageLimits(payload)).toEqual([]);
    expect(payload.components.map((r) => r.components.length)).toEqual([4, 5]);
  });
});

describe('escapeMarkdown and truncateText', () => {
  it('neutralises mentions with the fullwidth ＠ and escapes markdown so Discord shows the characters', () => {
    expect(escapeMarkdown('@everyone <@&1> **x** [a](https://e.org)')).toBe('＠everyone \\<＠&1\\> \\*\\*x\\*\\* \\[a\\]\\(https\\://e.org\\)');
    expect(escapeMarkdown('# T\n- a\n12. b\n> q')).toBe('\\# T\n\\- a\n12\\. b\n\\> q');
  });

  it('removes bidi controls and zero-width characters', () => {
    expect(escapeMarkdown('a\u202Eb\u200Bc\u2066d\uFEFF')).toBe('abcd');
  });

  it('never splits a surrogate pair or a backslash escape when cutting', () => {
    fc.assert(
      fc.property(hostileText(60), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const escaped = escapeMarkdown(text);
        const cut = truncateText(escaped, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(wellFormed(cut)).toBe(true);
        if (cut !== escaped) {
          expect(cut.endsWith('…')).toBe(true);
          const trailing = /\\*…$/.exec(cut)![0].length - 1;
          expect(trailing % 2).toBe(0);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('other renderings', () => {
  it('renders the full passage within the limits, with its source', () => {
    const text = 'Phrase. '.repeat(2000);
    const payload = renderPassageMessage({
      chunk: { id: 'a#0', articleId: 'a', ordinal: 0, start: 0, end: text.length, text, sentences: [], tokens: 0 },
      article: { id: 'a', title: 'Titre', text, path: 'a.md', hash: 'h', url: 'https://example.org/a' },
    });
    expect(checkMessageLimits(payload)).toEqual([]);
    expect(payload.embeds[0]!.description).toContain('<https://example.org/a>');
  });

  it('keeps /sources fields under 1024 characters with many outlets', () => {
    const payload = renderSourcesMessage({
      articles: 36000, chunks: 90000, mode: 'hybrid', modelId: 'Xenova/multilingual-e5-small', dimensions: 384, bytes: 1, builtAt: 'x', generation: 'g',
      sources: Array.from({ length: 500 }, (_, i) => ({ name: `Média numéro ${i}`, articles: i })),
    });
    expect(checkMessageLimits(payload)).toEqual([]);
  });

  it('shares a budget: small wants in full, the rest equally', () => {
    expect(shareBudget([10, 1000, 1000], 610)).toEqual([10, 300, 300]);
    expect(shareBudget([10, 20], 100)).toEqual([10, 20]);
  });
});
