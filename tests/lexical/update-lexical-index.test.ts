import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import {
  buildLexicalIndex,
  deserializeLexicalIndex,
  lexicalIndexFromParts,
  lexicalParts,
  serializeLexicalIndex,
  type LexicalIndex,
  type LexicalIndexOptions,
} from '../../src/lexical/bm25-index.js';
import { updateLexicalIndex, type LexicalChange } from '../../src/lexical/update-lexical-index.js';
import { applyEdits, article, body, byId, edits, fullBuild, nextTable, options, QUERIES, SEED } from './lexical-fixtures.js';

/** Same size, vocabulary, bytes, and the same hits with the same scores for every query. */
function expectSameIndex(updated: LexicalIndex, full: LexicalIndex, queries: string[]): void {
  expect(updated.size).toBe(full.size);
  expect(updated.vocabularySize).toBe(full.vocabularySize);
  expect(Buffer.from(serializeLexicalIndex(updated)).equals(Buffer.from(serializeLexicalIndex(full)))).toBe(true);
  for (const q of queries) {
    expect(updated.search(q, 10)).toEqual(full.search(q, 10));
    expect(updated.searchTerms([{ term: q.toLowerCase(), weight: 1 }], 5)).toEqual(full.searchTerms([{ term: q.toLowerCase(), weight: 1 }], 5));
  }
}

describe('updateLexicalIndex', () => {
  it('gives the index a full build of the new chunk table gives, after any edits (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 199 }), body }), { selector: (a) => a.id, maxLength: 10 }),
        fc.array(edits, { minLength: 1, maxLength: 2 }),
        options,
        fc.integer({ min: 24, max: 90 }),
        (initial, rounds, opts, maxTokens) => {
          let articles = initial.map((a) => article(a.id, a.body)).sort(byId);
          let state = fullBuild(articles, maxTokens, opts);
          for (const round of rounds) {
            articles = applyEdits(articles, round);
            const next = nextTable(state, articles, maxTokens);
            const updated = updateLexicalIndex(state.index, next.change, next.articles);
            const full = buildLexicalIndex(next.chunks, next.articles, opts);
            expectSameIndex(updated, full, [...QUERIES, ...articles.slice(0, 3).map((a) => a.title)]);
            // The next round updates the updated index, as successive builds would.
            state = { chunks: next.chunks, articles: next.articles, index: updated };
          }
        },
      ),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
  });

  const opts: LexicalIndexOptions = { bigramWeight: 0.5 };
  const base = [
    article(10, { title: 'Coalition contre Daech', text: 'Les ministres de la coalition se sont réunis à Rome.\n\nLa réunion a duré deux jours.' }),
    article(20, { title: 'Économie', text: 'La croissance a ralenti selon l’Insee. Le zorblat est resté stable.' }),
    article(30, { title: 'Sport', text: 'Le Tour de France part de Copenhague.' }),
  ];
  const state = fullBuild(base, 40, opts);

  it('keeps the index byte for byte when nothing changed', () => {
    const next = nextTable(state, base, 40);
    expect(next.change.added).toHaveLength(0);
    const updated = updateLexicalIndex(state.index, next.change, next.articles);
    expect(Buffer.from(serializeLexicalIndex(updated)).equals(Buffer.from(serializeLexicalIndex(state.index)))).toBe(true);
  });

  it('gives an empty index when every chunk is deleted', () => {
    const change: LexicalChange = { keyMap: new Int32Array(state.chunks.length).fill(-1), added: [], size: 0 };
    const updated = updateLexicalIndex(state.index, change, new Map());
    expectSameIndex(updated, buildLexicalIndex([], new Map(), opts), ['coalition', 'croissance']);
    expect(updated.vocabularySize).toBe(0);
    expect(updated.search('coalition', 5)).toEqual([]);
  });

  it('takes additions only, interleaved with kept chunks', () => {
    const articles = [...base, article(5, { title: 'Avant', text: 'Un kwimp de la coalition à Marrakech.' }), article(25, { title: 'Entre', text: 'La coalition à Marrakech.' })];
    const next = nextTable(state, articles, 40);
    // Every previous chunk is kept, under a new key; the new chunks fall before and between them.
    expect(state.chunks.every((c, k) => next.chunks[next.change.keyMap[k]!] === c)).toBe(true);
    expect(new Set(next.change.added.map((a) => a.chunk.articleId))).toEqual(new Set(['a005', 'a025']));
    const updated = updateLexicalIndex(state.index, next.change, next.articles);
    expectSameIndex(updated, buildLexicalIndex(next.chunks, next.articles, opts), ['kwimp', 'Marrakech', 'coalition', 'coalition Marrakech']);
    expect(updated.docFreq('marrakech')).toBe(2);
    // Chunks of a010 hold it in their title; a005 and a025 (one sentence each) in their text.
    expect(updated.docFreq('coalit')).toBe(next.chunks.filter((c) => ['a005', 'a010', 'a025'].includes(c.articleId)).length);
    // The added chunks may come in any order.
    const shuffled = updateLexicalIndex(state.index, { ...next.change, added: [...next.change.added].reverse() }, next.articles);
    expect(Buffer.from(serializeLexicalIndex(shuffled)).equals(Buffer.from(serializeLexicalIndex(updated)))).toBe(true);
  });

  it('drops a term whose only chunk is deleted and adds a term that is new', () => {
    const articles = [base[0]!, article(20, { title: 'Économie', text: 'La croissance a ralenti selon l’Insee. Le quortex est resté stable.' }), base[2]!];
    const next = nextTable(state, articles, 40);
    const updated = updateLexicalIndex(state.index, next.change, next.articles);
    expect(state.index.docFreq('zorblat')).toBe(1);
    expect(updated.docFreq('zorblat')).toBe(0);
    expect(updated.search('zorblat', 5)).toEqual([]);
    expect(updated.docFreq('quortex')).toBe(1);
    expect(updated.search('quortex', 5).map((h) => next.chunks[h.key]!.articleId)).toEqual(['a020']);
    expectSameIndex(updated, buildLexicalIndex(next.chunks, next.articles, opts), ['zorblat', 'quortex', 'croissance Insee']);
  });

  it('updates an index whose vocabulary is not sorted (written by an earlier version) into the sorted one', () => {
    // Through bytes, as a file written by the earlier version would be read.
    const reversed = deserializeLexicalIndex(serializeLexicalIndex(reverseVocabulary(state.index)));
    expect(lexicalParts(reversed).vocab).not.toEqual(lexicalParts(state.index).vocab);
    for (const q of ['coalition Rome', 'zorblat', 'Copenhague']) expect(reversed.search(q, 5)).toEqual(state.index.search(q, 5));
    const articles = [...base.slice(0, 2), article(40, { title: 'Nouveau', text: 'Un trazine à Copenhague.' })];
    const next = nextTable(state, articles, 40);
    const updated = updateLexicalIndex(reversed, next.change, next.articles);
    expectSameIndex(updated, buildLexicalIndex(next.chunks, next.articles, opts), ['trazine', 'Copenhague', 'coalition Rome', 'réunion']);
  });

  it('refuses an inconsistent change with INTERNAL', () => {
    const n = state.chunks.length;
    const identity = Int32Array.from(state.chunks.keys());
    const extra = { key: n, chunk: state.chunks[0]! };
    const cases: LexicalChange[] = [
      { keyMap: new Int32Array(n - 1), added: [], size: n - 1 }, // wrong key map length
      { keyMap: identity, added: [], size: n + 1 }, // a new key nobody fills
      { keyMap: identity, added: [{ key: 0, chunk: state.chunks[0]! }], size: n }, // kept and added
      { keyMap: Int32Array.from(identity).reverse(), added: [], size: n }, // kept keys out of order
      { keyMap: identity, added: [extra, extra], size: n + 2 }, // added twice
      { keyMap: identity, added: [], size: -1 },
    ];
    for (const change of cases) {
      let caught: unknown;
      try {
        updateLexicalIndex(state.index, change, state.articles);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'INTERNAL')).toBe(true);
    }
  });
});

/** The same index with its vocabulary in reverse order (postings moved along), as an unsorted index would hold it. */
function reverseVocabulary(index: LexicalIndex): LexicalIndex {
  const p = lexicalParts(index);
  const terms = p.vocab.length;
  const termOffsets = new Uint32Array(terms + 1);
  const postingDocs = new Uint32Array(p.postingDocs.length);
  const postingTfs = new Uint16Array(p.postingTfs.length);
  for (let r = 0; r < terms; r++) {
    const t = terms - 1 - r;
    const from = p.termOffsets[t]!;
    const to = p.termOffsets[t + 1]!;
    postingDocs.set(p.postingDocs.subarray(from, to), termOffsets[r]!);
    postingTfs.set(p.postingTfs.subarray(from, to), termOffsets[r]!);
    termOffsets[r + 1] = termOffsets[r]! + (to - from);
  }
  return lexicalIndexFromParts({ ...p, vocab: [...p.vocab].reverse(), termOffsets, postingDocs, postingTfs });
}
