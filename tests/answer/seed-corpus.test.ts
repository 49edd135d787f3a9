import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answer/answer-question.js';
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import { readCorpus } from '../../src/ingest/read-corpus.js';
import { buildLexicalIndex } from '../../src/lexical/bm25-index.js';
import type { SearchSnapshot } from '../../src/retrieve/search-snapshot.js';

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../corpus');
let snapshot: SearchSnapshot;

beforeAll(async () => {
  // The two seed articles bundled with the project, read and chunked as `sourcier index` does (lexical-only).
  const { articles } = await readCorpus(corpusDir);
  const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, targetTokens: 160, maxTokens: 512, overlapSentences: 1 }));
  const map = new Map(articles.map((a) => [a.id, a]));
  snapshot = { chunks, articles: map, lexical: buildLexicalIndex(chunks, map) };
});

async function firstCitation(question: string) {
  const answer = await answerQuestion(snapshot, question);
  expect(answer.abstained).toBe(false);
  const c = answer.citations[0]!;
  expect(c.excerpt).toBe(snapshot.articles.get(c.articleId)!.text.slice(c.start, c.end));
  return c;
}

describe('answers over the seed corpus', () => {
  it('quotes the sentence on the presidency of the Marrakech meeting when asked who presides it (préside ~ présidence)', async () => {
    const c = await firstCitation('Qui préside la réunion de Marrakech ?');
    expect(c.articleId).toBe('maroc/2022-04-coalition-daesh-marrakech');
    expect(c.excerpt).toContain(
      'Plus de 80 pays vont participer à ce forum qui va se réunir sous la présidence du ministre marocain des Affaires étrangères, Nasser Bourita, et son homologue américain, Antony Blinken.',
    );
  });

  it('opens the answer on the date of the Washington meeting with the sentence that gives it', async () => {
    const c = await firstCitation('Quand a lieu la réunion de Washington ?');
    expect(c.articleId).toBe('maroc/2016-07-coalition-anti-daech-washington');
    expect(c.excerpt.startsWith('La réunion des ministres')).toBe(true);
    expect(c.excerpt).toContain('ce jeudi 21 juillet à Washington');
  });

  it('answers "Quand a lieu la réunion de Marrakech ?" from the Marrakech article, not from the one that says "aura lieu"', async () => {
    const c = await firstCitation('Quand a lieu la réunion de Marrakech ?');
    expect(c.articleId).toBe('maroc/2022-04-coalition-daesh-marrakech');
  });

  it('opens the answer on the number of countries at the Marrakech forum with the sentence that gives it', async () => {
    const c = await firstCitation('Combien de pays participent au forum de Marrakech ?');
    expect(c.articleId).toBe('maroc/2022-04-coalition-daesh-marrakech');
    expect(c.excerpt.startsWith('Plus de 80 pays')).toBe(true);
  });
});
