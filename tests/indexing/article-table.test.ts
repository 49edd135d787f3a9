import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Article } from '../../src/core/types.js';
import { decodeArticleSegments, decodeArticleTable, encodeArticleDelta, encodeArticleTable, planArticleDelta } from '../../src/indexing/article-table.js';

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

describe('article table in segments (a base and a delta)', () => {
  const byId = (a: Article, b: Article) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const numbered = (n: number, text = `Texte ${n}.`): Article => ({ id: `a${String(n).padStart(3, '0')}`, title: `Titre ${n}`, text, path: `a${n}.md`, hash: String(n) });

  it('gives the articles of the new table, in id order, from the base kept and a delta of what changed (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.constantFrom('keep', 'keep', 'keep', 'text', 'path', 'delete'), { minLength: 1, maxLength: 10 }),
        fc.uniqueArray(fc.integer({ min: 301, max: 400 }), { maxLength: 5 }),
        (ids, ops, added) => {
          const before = ids.map((n) => numbered(n)).sort(byId);
          const base = decodeArticleSegments(encodeArticleTable(before));
          const after: Article[] = [];
          before.forEach((a, i) => {
            const op = ops[i % ops.length]!;
            if (op === 'keep') after.push(a);
            else if (op === 'text') after.push({ ...a, text: `${a.text} Mis à jour.` });
            else if (op === 'path') after.push({ ...a, path: `moved/${a.path}` });
          });
          after.push(...added.map((n) => numbered(n)));
          after.sort(byId);
          const plan = planArticleDelta(after, base);
          // A moved article (its path alone changed) stays in the base.
          const kept = after.filter((a) => before.some((b) => b === a || (b.id === a.id && b.text === a.text))).length;
          if (!plan) {
            expect(after.length - kept + (before.length - kept)).toBeGreaterThan(0.2 * before.length);
            return;
          }
          expect(plan.delta).toHaveLength(after.length - kept);
          const read = decodeArticleSegments(encodeArticleTable(before), encodeArticleDelta(before.length, plan));
          expect(read.articles).toEqual(after);
          // Every article in the base is the base's, field for field but a new path; the others are the delta's.
          read.articles.forEach((a, i) => {
            const at = read.basePosition[i]!;
            if (at >= 0) expect({ ...before[at]!, path: a.path }).toEqual(a);
            else expect(plan.delta).toContainEqual(a);
          });
          expect(plan.moved.map(([at]) => before[at]!.id)).toEqual(after.filter((a) => a.path.startsWith('moved/')).map((a) => a.id));
          // The next generation plans against these segments: moves are counted from the base table's paths.
          const again = planArticleDelta(read.articles, read);
          expect(again?.moved).toEqual(plan.moved);
          expect(again?.delta).toEqual(plan.delta);
        },
      ),
      { seed: 20_261_203, numRuns: 200 },
    );
  });

  it('writes a whole table again once the delta and the gone articles pass a fifth of the base', () => {
    const before = Array.from({ length: 20 }, (_, n) => numbered(n));
    const base = decodeArticleSegments(encodeArticleTable(before));
    // 2 changed (each gone from the base and in the delta) = 4 <= 20% of 20: a delta.
    const small = before.map((a, n) => (n < 2 ? { ...a, text: 'Autre.' } : a));
    expect(planArticleDelta(small, base)?.delta.map((a) => a.id)).toEqual(['a000', 'a001']);
    // 3 changed = 6 > 4: one table.
    expect(planArticleDelta(before.map((a, n) => (n < 3 ? { ...a, text: 'Autre.' } : a)), base)).toBeUndefined();
  });

  it('refuses a delta that is damaged or made for another base with INDEX_CORRUPT', () => {
    const before = Array.from({ length: 10 }, (_, n) => numbered(n));
    const table = encodeArticleTable(before);
    const delta = encodeArticleDelta(10, { gone: Uint32Array.of(3), moved: [[5, 'ailleurs.md']], delta: [numbered(3, 'Autre texte.')] });
    const read = decodeArticleSegments(table, delta).articles;
    expect(read[3]!.text).toBe('Autre texte.');
    expect(read[5]!.path).toBe('ailleurs.md');
    const corrupt = (bytes: Uint8Array, base = table) => {
      try {
        decodeArticleSegments(base, bytes);
      } catch (error) {
        return isAppError(error, 'INDEX_CORRUPT');
      }
      return false;
    };
    expect(corrupt(delta, encodeArticleTable(before.slice(1)))).toBe(true); // another base
    expect(corrupt(encodeArticleDelta(10, { gone: Uint32Array.of(4), moved: [], delta: [numbered(3)] }))).toBe(true); // a003 twice
    expect(corrupt(encodeArticleDelta(10, { gone: Uint32Array.of(12), moved: [], delta: [] }))).toBe(true); // gone past the base
    expect(corrupt(encodeArticleDelta(10, { gone: Uint32Array.of(3), moved: [[3, 'x.md']], delta: [numbered(3)] }))).toBe(true); // a gone article moved
    expect(corrupt(delta.subarray(0, delta.length - 4))).toBe(true);
    const badMagic = Uint8Array.from(delta);
    badMagic[0] = 0;
    expect(corrupt(badMagic)).toBe(true);
  });
});
