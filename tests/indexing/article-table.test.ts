import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Article } from '../../src/core/types.js';
import { decodeArticleTable, encodeArticleTable } from '../../src/indexing/article-table.js';

const ARTICLES: Article[] = [
  { id: 'monde/2020/mali', title: 'Coup d’État au Mali', date: '2020-08-18', source: 'Le Monde', text: 'Les militaires ont pris le pouvoir à Bamako.\n\nLa CEDEAO condamne.', path: 'monde/2020/mali.md', hash: 'a'.repeat(64) },
  { id: 'eco/euro', title: 'Le budget', url: 'https://example.org/budget', author: 'Zoé Œuvre', text: 'Un budget de 8,5 milliards d’€ pour le cœur de l’État 😀.', path: 'eco/euro.html', hash: 'b'.repeat(64) },
  { id: '42', title: '', text: 'Texte court.', path: 'orangesum.jsonl:3', hash: 'c'.repeat(64) },
];

const article = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 12 }),
    title: fc.string({ unit: 'grapheme', maxLength: 30 }),
    date: fc.constantFrom('2020-01-01', '2021-06'),
    source: fc.string({ unit: 'binary', maxLength: 10 }),
    url: fc.string({ maxLength: 20 }),
    author: fc.string({ unit: 'grapheme', maxLength: 10 }),
    text: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 200 })),
    path: fc.string({ maxLength: 20 }),
    hash: fc.string({ maxLength: 64 }),
  },
  { requiredKeys: ['id', 'title', 'text', 'path', 'hash'] },
) as fc.Arbitrary<Article>;

describe('article table', () => {
  it('reads back every article as written: same fields, same key order, absent fields stay absent', () => {
    const back = decodeArticleTable(encodeArticleTable(ARTICLES));
    expect(back).toEqual(ARTICLES);
    expect(back.map((a) => Object.keys(a))).toEqual([
      ['id', 'title', 'date', 'source', 'text', 'path', 'hash'],
      ['id', 'title', 'url', 'author', 'text', 'path', 'hash'],
      ['id', 'title', 'text', 'path', 'hash'],
    ]);
    expect(back[1]!.text.slice(back[1]!.text.indexOf('😀'))).toBe('😀.');
  });

  it('round-trips any strings, Latin-1 or not, whatever the segment size', () => {
    fc.assert(
      fc.property(fc.array(article, { maxLength: 12 }), fc.constantFrom(1, 7, 64, 1 << 26), (articles, segmentChars) => {
        expect(decodeArticleTable(encodeArticleTable(articles, { segmentChars }))).toEqual(articles);
      }),
    );
  });

  it('splits the text into several segments when one would exceed the limit', () => {
    const small = encodeArticleTable(ARTICLES, { segmentChars: 16 });
    const segments = new Int32Array(small.buffer, small.byteOffset, 4)[3]!;
    expect(segments).toBeGreaterThan(4);
    expect(decodeArticleTable(small)).toEqual(ARTICLES);
  });

  it('refuses a truncated, padded or bit-flipped table with INDEX_CORRUPT, never another error', () => {
    const bytes = encodeArticleTable(ARTICLES);
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.nat(7), fc.boolean(), (at, bit, truncate) => {
        const damaged = truncate ? bytes.slice(0, at) : bytes.slice();
        if (!truncate) damaged[at]! ^= 1 << bit;
        let decoded: Article[] | undefined;
        try {
          decoded = decodeArticleTable(damaged);
        } catch (error) {
          expect(isAppError(error, 'INDEX_CORRUPT'), String(error)).toBe(true);
          return;
        }
        // A flip inside a text or a non-structural field can decode: then every article still has its required strings.
        expect(truncate).toBe(false);
        for (const a of decoded) for (const f of ['id', 'title', 'text', 'path', 'hash'] as const) expect(typeof a[f]).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
