import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Article, Chunk } from '../../src/core/types.js';
import { buildLexicalIndex, DEFAULT_PREFIX_LENGTH, deserializeLexicalIndex, lexicalParts, prefixOf, serializeLexicalIndex } from '../../src/lexical/bm25-index.js';
import { analyze } from '../../src/lexical/french-analyzer.js';

function article(id: string, title: string, text: string): Article {
  return { id, title, text, path: `${id}.md`, hash: id };
}
function wholeChunk(a: Article): Chunk {
  return { id: `${a.id}#0`, articleId: a.id, ordinal: 0, start: 0, end: a.text.length, text: a.text, sentences: [{ start: 0, end: a.text.length }], tokens: 10 };
}

const articles = [
  article('a', 'Mali : coup d’État militaire', 'Les militaires ont pris le pouvoir à Bamako après la chute du président.'),
  article('b', 'Coalition contre Daech', 'Les ministres de la coalition internationale se sont réunis à Rome le 21 juillet 2022.'),
  article('c', 'Économie', 'La croissance française a ralenti au deuxième trimestre selon l’Insee.'),
  article('d', 'Sport', 'Le Tour de France part de Copenhague cette année, une première pour le Danemark.'),
];
const map = new Map(articles.map((a) => [a.id, a]));
const chunks = articles.map(wholeChunk);

describe('buildLexicalIndex', () => {
  it('ranks the chunk that holds the query words first', () => {
    const index = buildLexicalIndex(chunks, map);
    expect(index.search('réunion de la coalition à Rome', 3)[0]!.key).toBe(1);
    expect(index.search('Copenhague', 3).map((h) => h.key)).toEqual([3]);
  });

  it('weighs a title match above a body match', () => {
    const twins = [article('x', 'Iran', 'Un article sur le pétrole.'), article('y', 'Pétrole', 'Un article sur l’Iran.')];
    const index = buildLexicalIndex(twins.map(wholeChunk), new Map(twins.map((a) => [a.id, a])));
    expect(index.search('Iran', 2)[0]!.key).toBe(0);
    expect(index.search('pétrole', 2)[0]!.key).toBe(1);
  });

  it('applies the filter to keys', () => {
    const index = buildLexicalIndex(chunks, map);
    expect(index.search('coalition président croissance', 4, (key) => key !== 1).map((h) => h.key)).not.toContain(1);
  });

  it('serialises and loads back with the same results', () => {
    const index = buildLexicalIndex(chunks, map);
    const bytes = serializeLexicalIndex(index);
    const loaded = deserializeLexicalIndex(bytes);
    for (const q of ['coalition Rome', 'président Bamako', 'Insee croissance', 'Danemark']) {
      expect(loaded.search(q, 4)).toEqual(index.search(q, 4));
    }
    expect(loaded.idf('coalit')).toBeCloseTo(index.idf('coalit'));
    // Loading from an unaligned copy works too (a Buffer slice from a pool).
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    expect(deserializeLexicalIndex(unaligned).search('Rome', 1)).toEqual(index.search('Rome', 1));
  });

  it('keeps its vocabulary sorted, so the same chunk table always gives the same bytes', () => {
    const vocab = lexicalParts(buildLexicalIndex(chunks, map, { bigramWeight: 0.5 })).vocab;
    expect(vocab.length).toBeGreaterThan(20);
    expect([...vocab].sort()).toEqual(vocab);
    // Chunks met in another order (keys aside) give the same terms in the same order.
    const reordered = buildLexicalIndex([...chunks].reverse(), map, { bigramWeight: 0.5 });
    expect(lexicalParts(reordered).vocab).toEqual(vocab);
  });

  it('refuses damaged bytes with INDEX_CORRUPT', () => {
    const bytes = serializeLexicalIndex(buildLexicalIndex(chunks, map));
    const cases: Uint8Array[] = [new Uint8Array(0), bytes.slice(0, bytes.length - 8), new TextEncoder().encode('not an index at all')];
    const flipped = bytes.slice();
    flipped[flipped.length - 10]! ^= 0xff;
    cases.push(flipped);
    for (const bad of cases) {
      let caught: unknown;
      try {
        deserializeLexicalIndex(bad);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'INDEX_CORRUPT')).toBe(true);
    }
  });
});

describe('buildLexicalIndex postings', () => {
  it('lists, for every term, each chunk holding it once, keys increasing, with its weighted frequency, over many thousands of postings', () => {
    // Enough postings to fill many blocks of the build's forward index (the first ones hold 1,024 postings).
    const words = ['maison', 'maisons', 'gouvernement', 'gouverner', 'rivière', 'élection', 'électeurs', 'budget', 'Lyon', 'Marseille', 'hôpital', 'grève', '2022', '14,5'];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % words.length;
    const many: Chunk[] = Array.from({ length: 3000 }, (_, i) => {
      const text = Array.from({ length: 1 + (i % 9) }, next).map((w) => words[w]).join(' ') + ` mot${i}`;
      return { id: `z${i}#0`, articleId: `z${i}`, ordinal: 0, start: 0, end: text.length, text, sentences: [{ start: 0, end: text.length }], tokens: 1 };
    });
    // No article: each chunk is indexed on its text alone, every occurrence weighing 1 (stored as 8).
    const expected = new Map<string, Map<number, number>>();
    const count = (term: string, doc: number) => {
      let docs = expected.get(term);
      if (!docs) expected.set(term, (docs = new Map()));
      docs.set(doc, (docs.get(doc) ?? 0) + 8);
    };
    many.forEach((chunk, doc) => {
      for (const term of analyze(chunk.text)) {
        count(term, doc);
        const prefix = prefixOf(term, DEFAULT_PREFIX_LENGTH);
        if (prefix !== undefined) count(prefix, doc);
      }
    });
    const parts = lexicalParts(buildLexicalIndex(many, new Map()));
    expect(parts.postingDocs.length).toBeGreaterThan(10_000);
    expect([...parts.vocab].sort()).toEqual([...expected.keys()].sort());
    parts.vocab.forEach((term, t) => {
      const from = parts.termOffsets[t]!;
      const to = parts.termOffsets[t + 1]!;
      const got = [...parts.postingDocs.subarray(from, to)].map((doc, p) => [doc, parts.postingTfs[from + p]!]);
      expect(got).toEqual([...expected.get(term)!].sort(([x], [y]) => x - y));
    });
  });
});

describe('searchTerms on long questions', () => {
  // 3,000 chunks: one word in every chunk, two in a half and a third, and rare made-up words.
  const syllables = ['ka', 'lo', 'mi', 'ru', 'te', 'zo', 'vi', 'pa'];
  const vocab: string[] = [];
  for (const a of syllables) for (const b of syllables) for (const c of syllables) vocab.push(`${a}${b}${c}x`);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const docs: Article[] = [];
  for (let i = 0; i < 3000; i++) {
    const words = ['quotidien'];
    if (i % 2 === 0) words.push('marchand');
    if (i % 3 === 0) words.push('riviere');
    const n = 2 + Math.floor(random() * 8);
    for (let j = 0; j < n; j++) words.push(vocab[Math.floor(random() * vocab.length)]!);
    docs.push(article(`d${i}`, 'Titre', words.join(' ')));
  }
  const index = buildLexicalIndex(docs.map(wholeChunk), new Map(docs.map((a) => [a.id, a])));

  it('scores a question of few terms exactly, whatever k', () => {
    const question = `quotidien marchand riviere ${vocab[3]} ${vocab[40]}`;
    const all = index.search(question, docs.length);
    const top = index.search(question, 5);
    top.forEach((h, i) => expect(h.score).toBeCloseTo(all[i]!.score, 5));
  });

  it('keeps the rarest words of a very long question: the chunk that holds them comes first', () => {
    const withTarget = [...docs, article('target', 'Titre', 'quotidien boulangix ferrovix tramontix')];
    const big = buildLexicalIndex(withTarget.map(wholeChunk), new Map(withTarget.map((a) => [a.id, a])));
    // 10,000 characters: words the chunks do not hold, the common words, and 40 of the made-up words (more terms
    // than the search walks).
    const filler: string[] = [];
    while (filler.join(' ').length < 9_000) filler.push(`absentwort${filler.length}`);
    filler.push('quotidien marchand riviere', ...vocab.slice(100, 140));
    const hits = big.search(`${filler.join(' ')} boulangix ferrovix tramontix`, 5);
    expect(hits[0]!.key).toBe(withTarget.length - 1);
  });
});
