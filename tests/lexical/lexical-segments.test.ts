import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { buildLexicalIndex, lexicalIndexInfo, serializeLexicalIndex, type LexicalIndex, type LexicalIndexOptions } from '../../src/lexical/bm25-index.js';
import {
  deserializeLexicalDelta,
  mergeLexicalSegments,
  openLexicalSegments,
  previousLexical,
  serializeLexicalDelta,
  updateLexicalSegments,
  type LexicalSegments,
} from '../../src/lexical/lexical-segments.js';
import { applyEdits, article, body, byId, edits, fullBuild, nextTable, options, QUERIES, SEED, WORDS } from './lexical-fixtures.js';

/** Searches, document frequencies and idfs of `served` are those of `full`, to the bit; ties broken alike. */
function expectSameAnswers(served: LexicalIndex, full: LexicalIndex, queries: string[]): void {
  expect(served.size).toBe(full.size);
  expect(served.vocabularySize).toBe(full.vocabularySize);
  for (const q of queries) {
    for (const k of [1, 3, 10, 1000]) expect(served.search(q, k)).toEqual(full.search(q, k));
    expect(served.search(q, 10, (key) => key % 2 === 0)).toEqual(full.search(q, 10, (key) => key % 2 === 0));
  }
  // More lists than a search walks: the same ones are chosen.
  const many = WORDS.map((term, i) => ({ term: term.toLowerCase(), weight: 1 + (i % 3) / 4 }));
  expect(served.searchTerms(many, 20)).toEqual(full.searchTerms(many, 20));
  for (const w of [...WORDS, 'coalit', '~coali', 'zorblat']) {
    expect(served.docFreq(w.toLowerCase())).toBe(full.docFreq(w.toLowerCase()));
    expect(served.idf(w.toLowerCase())).toBe(full.idf(w.toLowerCase()));
  }
}

/** The segments as the next build reads them: through their bytes. */
function throughBytes(segments: LexicalSegments): LexicalSegments {
  if (!segments.delta) return segments;
  const info = lexicalIndexInfo(segments.base);
  return { base: segments.base, delta: deserializeLexicalDelta(serializeLexicalDelta(info, segments.delta), info) };
}

/** The next generation's segments, from the previous ones and a change, as a build makes them. */
async function update(segments: LexicalSegments, change: Parameters<typeof updateLexicalSegments>[1], articles: Parameters<typeof updateLexicalSegments>[2], mergeShare?: number): Promise<LexicalSegments & { merged: boolean }> {
  const next = await updateLexicalSegments(previousLexical(segments), change, articles, mergeShare === undefined ? {} : { mergeShare });
  return next.delta ? { base: segments.base, delta: next.delta, merged: false } : { base: next.index, merged: true };
}

describe('updateLexicalSegments', () => {
  for (const mergeShare of [Number.POSITIVE_INFINITY, 0.2]) {
    it(`answers as a full build of the new chunk table after any rounds of edits, and merges into its bytes (merge share ${mergeShare}, property)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 199 }), body }), { selector: (a) => a.id, minLength: 1, maxLength: 12 }),
          fc.array(edits, { minLength: 1, maxLength: 4 }),
          options,
          fc.integer({ min: 24, max: 90 }),
          async (initial, rounds, opts, maxTokens) => {
            let articles = initial.map((a) => article(a.id, a.body)).sort(byId);
            const first = fullBuild(articles, maxTokens, opts);
            let state = { chunks: first.chunks, articles: first.articles };
            let segments: LexicalSegments = { base: first.index };
            for (const round of rounds) {
              articles = applyEdits(articles, round);
              const next = nextTable(state, articles, maxTokens);
              const updated = await update(segments, next.change, next.articles, mergeShare);
              const full = buildLexicalIndex(next.chunks, next.articles, opts);
              const read = throughBytes(updated);
              expectSameAnswers(openLexicalSegments(read), full, [...QUERIES, ...articles.slice(0, 3).map((a) => a.title)]);
              expect(Buffer.from(serializeLexicalIndex(mergeLexicalSegments(read))).equals(Buffer.from(serializeLexicalIndex(full)))).toBe(true);
              if (mergeShare === Number.POSITIVE_INFINITY) expect(updated.base).toBe(first.index);
              state = { chunks: next.chunks, articles: next.articles };
              segments = read;
            }
          },
        ),
        { seed: SEED, numRuns: 120, endOnFailure: true },
      );
    });
  }

  const opts: LexicalIndexOptions = { bigramWeight: 0.5 };
  const base = [
    article(10, { title: 'Coalition contre Daech', text: 'Les ministres de la coalition se sont réunis à Rome.\n\nLa réunion a duré deux jours.' }),
    article(20, { title: 'Économie', text: 'La croissance a ralenti selon l’Insee. Le zorblat est resté stable.' }),
    article(30, { title: 'Sport', text: 'Le Tour de France part de Copenhague.' }),
    article(40, { title: 'Rome', text: 'Le zorblat de Rome. La coalition à Rome.' }),
  ];
  const first = fullBuild(base, 40, opts);

  it('keeps the base and records in the delta only the new chunks and the gone ones', async () => {
    const articles = [base[0]!, article(20, { title: 'Économie', text: 'La croissance a ralenti. Le quortex est resté stable.' }), base[2]!, article(50, { title: 'Ajout', text: 'Un kwimp à Rome.' })];
    const next = nextTable(first, articles, 40);
    const updated = await update({ base: first.index }, next.change, next.articles, 10);
    expect(updated.merged).toBe(false);
    expect(updated.base).toBe(first.index);
    expect([...updated.delta!.deltaKeys]).toEqual(next.change.added.map((a) => a.key));
    const served = openLexicalSegments(updated);
    expect(served.docFreq('zorblat')).toBe(0);
    expect(served.search('zorblat', 5)).toEqual([]);
    expect(served.search('kwimp', 5).map((h) => next.chunks[h.key]!.articleId)).toEqual(['a050']);
    expectSameAnswers(served, buildLexicalIndex(next.chunks, next.articles, opts), ['zorblat Rome', 'quortex', 'coalition Rome', 'kwimp']);
  });

  it('merges into one index, the full build’s, once the delta and the gone chunks pass the share', async () => {
    const articles = [base[0]!, article(25, { title: 'Ajout', text: 'Un kwimp à Rome.' }), base[2]!, base[3]!];
    const next = nextTable(first, articles, 40);
    const merged = await update({ base: first.index }, next.change, next.articles);
    expect(merged.merged).toBe(true);
    expect(merged.delta).toBeUndefined();
    const full = buildLexicalIndex(next.chunks, next.articles, opts);
    expect(Buffer.from(serializeLexicalIndex(merged.base)).equals(Buffer.from(serializeLexicalIndex(full)))).toBe(true);
  });

  it('refuses a delta that is damaged or made for another base with INDEX_CORRUPT', async () => {
    const next = nextTable(first, [...base, article(50, { title: 'Ajout', text: 'Un kwimp à Rome.' })], 40);
    const updated = await update({ base: first.index }, next.change, next.articles, 10);
    const bytes = serializeLexicalDelta(lexicalIndexInfo(updated.base), updated.delta!);
    const other = lexicalIndexInfo(fullBuild(base.slice(1), 40, opts).index);
    const info = lexicalIndexInfo(first.index);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 40]! ^= 0xff;
    const wrongMap = Uint8Array.from(bytes);
    // The first key of the base map (after the magic, the header length and the header) made to point past the table.
    const headerLength = new DataView(wrongMap.buffer).getUint32(8, true);
    new DataView(wrongMap.buffer).setInt32(12 + headerLength, 1_000_000, true);
    for (const [bad, against, checksumVerified] of [
      [bytes.subarray(0, bytes.length - 8), info, false],
      [flipped, info, false],
      [bytes, other, false],
      [wrongMap, info, true],
      [Buffer.from('SRCLEX01 not a delta'), info, false],
    ] as const) {
      let caught: unknown;
      try {
        deserializeLexicalDelta(bad, against, { checksumVerified });
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'INDEX_CORRUPT')).toBe(true);
    }
  });
});
