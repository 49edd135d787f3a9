import { describe, expect, it } from 'vitest';
import type { Embedder, ScoredKey, VectorIndex } from '../../src/core/types.js';
import { dateRange, articleFilter } from '../../src/retrieve/search-filters.js';
import { parseQuestion } from '../../src/retrieve/parse-question.js';
import { chunkFilter, retrievePassages } from '../../src/retrieve/retrieve-passages.js';
import { smallSnapshot } from '../answer/small-corpus.js';

const base = { id: 'x', title: 't', text: 'x', path: 'x', hash: 'x' };

describe('search filters', () => {
  it('reads YYYY, YYYY-MM and YYYY-MM-DD as inclusive day ranges', () => {
    expect(dateRange('2022')).toEqual({ from: '2022-01-01', to: '2022-12-31' });
    expect(dateRange('2022-04')).toEqual({ from: '2022-04-01', to: '2022-04-31' });
    expect(dateRange('2022-04-15')).toEqual({ from: '2022-04-15', to: '2022-04-15' });
    expect(dateRange('avril')).toBeUndefined();
  });

  it('matches a month-only article when the range overlaps its month, bounds included', () => {
    const april = { ...base, date: '2022-04' };
    expect(articleFilter({ since: '2022-04-30' })!(april)).toBe(true);
    expect(articleFilter({ until: '2022-04-01' })!(april)).toBe(true);
    expect(articleFilter({ since: '2022-05-01' })!(april)).toBe(false);
    expect(articleFilter({ since: '2022-03', until: '2022-03' })!(april)).toBe(false);
    expect(articleFilter({ since: '2022-03-10', until: '2022-03-10' })!({ ...base, date: '2022-03-10' })).toBe(true);
    expect(articleFilter({ since: '2020' })!({ ...base })).toBe(false);
    expect(articleFilter({})).toBeUndefined();
  });

  it('matches the source case- and accent-insensitively', () => {
    const filter = articleFilter({ source: 'le monde' })!;
    expect(filter({ ...base, source: 'Le Monde' })).toBe(true);
    expect(articleFilter({ source: 'LE MATIN' })!({ ...base, source: 'Le Mátin' })).toBe(true);
    expect(filter({ ...base, source: 'Le Matin' })).toBe(false);
  });
});

describe('chunkFilter', () => {
  const snapshot = smallSnapshot();
  it('keeps exactly the chunks whose article passes the filters, and no key outside the table', () => {
    expect(chunkFilter(snapshot, {})).toBeUndefined();
    const filters = [{ since: '2022-01-01' }, { until: '2021-12-31' }, { since: '2016-07', until: '2022-05-11' }, { since: '2022-05-11', until: '2022-05-11' }, { source: snapshot.articles.values().next().value!.source ?? 'x' }];
    for (const f of filters) {
      const accept = articleFilter(f)!;
      const keep = chunkFilter(snapshot, f)!;
      // Twice: the second pass answers from the per-article verdicts.
      for (let pass = 0; pass < 2; pass++) {
        snapshot.chunks.forEach((c, key) => expect(keep(key), `${JSON.stringify(f)} ${c.id}`).toBe(accept(snapshot.articles.get(c.articleId)!)));
      }
      for (const key of [-1, snapshot.chunks.length, 1.5, Number.NaN]) expect(keep(key)).toBe(false);
    }
    const kept = snapshot.chunks.filter((_, key) => chunkFilter(snapshot, filters[0]!)!(key)).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(snapshot.chunks.length);
  });
});

describe('retrievePassages', () => {
  const snapshot = smallSnapshot();
  it('is lexical-only without vectors', async () => {
    const hits = await retrievePassages(snapshot, parseQuestion('coalition Rome'));
    expect(hits[0]!.denseRank).toBeUndefined();
    expect(snapshot.chunks[hits[0]!.key]!.articleId).toBe('monde/coalition-rome');
  });

  it('adds the best passages of a preferred period to the candidates and marks every candidate published in it', async () => {
    // At depth 1 the unfiltered search keeps one chunk; the preferred period (July 2017, the iceberg copies) adds its own.
    const question = parseQuestion('Combien de pays compte la coalition, et quel iceberg ?');
    const plain = await retrievePassages(snapshot, question, { depth: 1 });
    const hits = await retrievePassages(snapshot, question, { depth: 1, prefer: { since: '2017-07-01', until: '2017-07-31' } });
    expect(hits.slice(0, plain.length).map((h) => h.key)).toEqual(plain.map((h) => h.key));
    const dateOf = (key: number) => snapshot.articles.get(snapshot.chunks[key]!.articleId)!.date;
    for (const h of hits) expect(h.preferred === true).toBe(dateOf(h.key) === '2017-07-12');
    expect(hits.some((h) => h.preferred)).toBe(true);
  });

  it('fuses lexical and dense rankings when vectors are present', async () => {
    // A dense half that only knows the iceberg chunks: fusion must bring one up for a question with no shared word.
    const iceberg = snapshot.chunks.map((c, key) => ({ c, key })).filter(({ c }) => c.articleId === 'monde/iceberg').map(({ key }) => key);
    const vectors: VectorIndex = {
      dimensions: 2,
      size: snapshot.chunks.length,
      search: (_v, k, filter): ScoredKey[] => iceberg.filter((key) => !filter || filter(key)).slice(0, k).map((key, i) => ({ key, score: 0.9 - i * 0.01 })),
    };
    let asked = '';
    const embedder: Embedder = {
      modelId: 'test',
      dimensions: 2,
      maxTokens: 512,
      tokenCounter: { countTokens: (t) => t.length },
      embedPassages: async (texts) => texts.map(() => new Float32Array(2)),
      embedQuery: async (text) => {
        asked = text;
        return new Float32Array(2);
      },
    };
    const hits = await retrievePassages({ ...snapshot, vectors, embedder }, parseQuestion('bloc de glace géant'));
    expect(asked).toBe('bloc de glace géant');
    expect(hits.some((h) => iceberg.includes(h.key) && h.denseRank === 0)).toBe(true);
    const filtered = await retrievePassages({ ...snapshot, vectors, embedder }, parseQuestion('bloc de glace géant'), { until: '2016' });
    expect(filtered.some((h) => iceberg.includes(h.key))).toBe(false);
  });
});
