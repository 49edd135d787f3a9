import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { answerQuestion, findQuote, rerank } from '../../src/answer/answer-question.js';
import { retrievePassages } from '../../src/retrieve/retrieve-passages.js';
import { readPassage } from '../../src/answer/select-sentences.js';
import { parseQuestion } from '../../src/retrieve/parse-question.js';
import { ARTICLES, smallSnapshot } from './small-corpus.js';
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import { buildLexicalIndex } from '../../src/lexical/bm25-index.js';
import type { Article } from '../../src/core/types.js';
import type { SearchSnapshot } from '../../src/retrieve/search-snapshot.js';
import { renderAnswer } from '../../src/cli/render-answer.js';

const snapshot = smallSnapshot();
const articleText = (id: string) => snapshot.articles.get(id)!.text;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

describe('answerQuestion', () => {
  it('cites the article that answers, with an excerpt holding the answer', async () => {
    const answer = await answerQuestion(snapshot, 'Qui présidait la réunion de la coalition à Rome ?');
    expect(answer.abstained).toBe(false);
    expect(answer.mode).toBe('lexical');
    expect(answer.citations[0]!.articleId).toBe('monde/coalition-rome');
    expect(answer.citations[0]!.excerpt).toContain('Luigi Di Maio');
  });

  it('finds the article of a misspelt name the corpus spells otherwise', async () => {
    const question = 'Quand le Tour part-il de Copnehague ?';
    const respelled = await answerQuestion(snapshot, question, { limit: 10, tuning: { abstention: null } });
    expect(respelled.citations[0]!.articleId).toBe('sport/tour-copenhague');
    expect(respelled.citations[0]!.excerpt).toContain('Copenhague');
    const asWritten = await answerQuestion(snapshot, 'Copnehague ?', { limit: 10, tuning: { abstention: null, respell: false } });
    expect(asWritten.citations).toEqual([]);
  });

  it('ranks first the sibling passage worded as the question, among passages sharing its stems', async () => {
    const title = 'Régence d’Alger';
    const articles: Article[] = [
      { id: 'alger-1541', title, path: 'a.md', hash: 'a', text: 'Le corsaire turc a chassé les flottes espagnoles du port d’Alger en 1541.' },
      { id: 'alger-1529', title, path: 'b.md', hash: 'b', text: 'Les corsaires turcs ont chassé la flotte espagnole du port d’Alger en 1529.' },
    ];
    const map = new Map(articles.map((a) => [a.id, a]));
    const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 512 }));
    const siblings: SearchSnapshot = { chunks, articles: map, lexical: buildLexicalIndex(chunks, map) };
    const question = 'Quand les corsaires turcs ont-ils chassé la flotte espagnole du port d’Alger ?';
    const answer = await answerQuestion(siblings, question, { limit: 2, tuning: { abstention: null } });
    expect(answer.citations.map((c) => c.articleId)).toEqual(['alger-1529', 'alger-1541']);
    const weights = { retrieval: 1, sentence: 0.5, window: 0.3, passage: 0.3, proximity: 1, surface: 0 };
    const stemsOnly = await answerQuestion(siblings, question, { limit: 2, tuning: { abstention: null, rerankWeights: weights } });
    expect(stemsOnly.citations[0]!.articleId).toBe('alger-1541');
  });

  it('reads passages with their article title as context: a question word found only in the title counts in every sentence', async () => {
    // "Copenhague" is in the title and in the first sentence only; the passage quoting the spectators does not repeat it.
    const question = parseQuestion('Combien de spectateurs à Copenhague ?');
    const candidates = await retrievePassages(snapshot, question);
    const coverage = (titleContext: boolean) => {
      const best = rerank(snapshot, question, candidates, { titleContext }).find((r) => r.reading.span.end > r.reading.span.start && snapshot.chunks[r.key]!.text.includes('spectateurs'))!;
      return best.reading.sentenceCoverage;
    };
    expect(coverage(true)).toBe(1);
    expect(coverage(false)).toBeLessThan(1);
  });

  it('quotes every excerpt verbatim from its article', async () => {
    const words = ARTICLES.flatMap((a) => a.text.split(/\s+/)).filter((w) => w.length > 3);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 8 }), fc.string(), async (picked, noise) => {
        let answer;
        try {
          answer = await answerQuestion(snapshot, `${picked.join(' ')} ${noise}`, { limit: 10, tuning: { abstention: null } });
        } catch (error) {
          if (isAppError(error, 'QUESTION_INVALID')) return;
          throw error;
        }
        for (const c of answer.citations) {
          expect(c.excerpt).toBe(articleText(c.articleId).slice(c.start, c.end));
          expect(c.excerpt.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([undefined, 1, 2])('quotes at most perArticle (default 3) passages per article: %s', async (perArticle) => {
    const answer = await answerQuestion(snapshot, 'Mali militaires Bamako colonel Goïta Cédéao transition élections frontières', {
      limit: 10,
      tuning: { abstention: null, ...(perArticle ? { perArticle } : {}) },
    });
    const counts = new Map<string, number>();
    for (const c of answer.citations) counts.set(c.articleId, (counts.get(c.articleId) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(perArticle ?? 3);
    if (perArticle === 1) expect(new Set(answer.citations.map((c) => c.articleId)).size).toBe(answer.citations.length);
    expect(answer.citations.length).toBeGreaterThan(0);
  });

  it('folds wire copies of a cited story into alsoIn', async () => {
    const withDuplicates = smallSnapshot(ARTICLES, new Map([
      ['monde/iceberg', ['monde/iceberg-copie']],
      ['monde/iceberg-copie', ['monde/iceberg']],
    ]));
    const answer = await answerQuestion(withDuplicates, 'Comment les chercheurs ont-ils baptisé l’iceberg ?', { limit: 10 });
    const ids = answer.citations.map((c) => c.articleId);
    expect(ids.filter((id) => id.startsWith('monde/iceberg')).length).toBeGreaterThan(0);
    expect(ids.includes('monde/iceberg') && ids.includes('monde/iceberg-copie')).toBe(false);
    expect(answer.citations[0]!.alsoIn).toBeDefined();
  });

  it('applies date and source filters, month-only dates included', async () => {
    const q = 'Où se sont réunis les ministres de la coalition ?';
    const inMonth = await answerQuestion(snapshot, q, { since: '2022-04-15', until: '2022-04-20', tuning: { abstention: null } });
    expect([...new Set(inMonth.citations.map((c) => c.articleId))]).toEqual(['monde/coalition-rome']);
    const before = await answerQuestion(snapshot, q, { until: '2021', tuning: { abstention: null } });
    expect(before.citations.map((c) => c.articleId)).not.toContain('monde/coalition-rome');
    const source = await answerQuestion(snapshot, 'président', { source: 'orange actu', limit: 10, tuning: { abstention: null } });
    expect(source.citations.length).toBeGreaterThan(0);
    for (const c of source.citations) expect(c.source).toBe('Orange Actu');
    await rejectsWith(answerQuestion(snapshot, q, { since: 'hier' }), 'QUESTION_INVALID');
  });

  it('pages through sources with offset', async () => {
    const q = 'président élections pays';
    const all = await answerQuestion(snapshot, q, { limit: 6, tuning: { abstention: null } });
    const second = await answerQuestion(snapshot, q, { limit: 2, offset: 2, tuning: { abstention: null } });
    expect(second.citations.map((c) => c.chunkId)).toEqual(all.citations.slice(2, 4).map((c) => c.chunkId));
  });

  it('abstains on an off-topic question and names the nearest articles', async () => {
    const answer = await answerQuestion(snapshot, 'Quelle est la recette du cassoulet de Castelnaudary au confit de canard ?');
    expect(answer.abstained).toBe(true);
    expect(answer.citations).toEqual([]);
    const onTopic = await answerQuestion(snapshot, 'Combien de pays font partie de la coalition contre Daech ?');
    expect(onTopic.abstained).toBe(false);
  });

  it('refuses questions without words with QUESTION_INVALID', async () => {
    for (const q of ['', '   ', '?!…', '🙂🙂', '\n\t']) await rejectsWith(answerQuestion(snapshot, q), 'QUESTION_INVALID');
  });

  it('answers odd but real questions normally', async () => {
    const odd = [
      'Qui est le président islandais ? '.repeat(400),
      '**Qui** a _renversé_ le président [malien](http://x) ?',
      'Mali.*(coup)?[^a]+$ \\d+ "Bamako" \'colonel\'',
      'Islande\u0000\u0007 président\u001b[31m',
    ];
    for (const q of odd) {
      const answer = await answerQuestion(snapshot, q);
      expect(answer.question).toBe(q);
      for (const c of answer.citations) expect(c.excerpt).toBe(articleText(c.articleId).slice(c.start, c.end));
    }
  });
});

describe('readPassage', () => {
  it('picks the answering sentence and adds the antecedent of a leading pronoun', () => {
    const text = articleText('monde/islande');
    const sentences = [...text.matchAll(/[^.\s][^.\n]*\./g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
    const question = parseQuestion('Quel candidat se présentait comme proche de Donald Trump ?');
    // The passage starts at the pronoun sentence; its antecedent comes from the sentence before the passage.
    const at = sentences.findIndex((s) => text.slice(s.start, s.end).startsWith('Ce dernier'));
    const reading = readPassage({ text, sentences: sentences.slice(at), before: sentences[at - 1] }, question, () => 1, 'adaptive');
    const excerpt = text.slice(reading.span.start, reading.span.end);
    // "Ce dernier se présentait..." needs the sentence naming Gudmundur Franklin Jonsson.
    expect(excerpt).toContain('Ce dernier se présentait');
    expect(excerpt).toContain('Gudmundur Franklin Jonsson');
    expect(reading.sentenceCoverage).toBeGreaterThan(0.5);
  });

  it('adds the antecedent sentence in answers too, across chunk boundaries', async () => {
    const answer = await answerQuestion(snapshot, 'Quel candidat se présentait comme proche de Donald Trump ?', { tuning: { abstention: null } });
    expect(answer.citations[0]!.excerpt).toContain('Gudmundur Franklin Jonsson. Ce dernier');
  });
});

describe('findQuote', () => {
  it('finds an exact phrase whatever the case, accents, apostrophes and spaces', async () => {
    const answer = await findQuote(snapshot, 'la premiere fois que la GRANDE  boucle part d\'un pays scandinave');
    expect(answer.abstained).toBe(false);
    const c = answer.citations[0]!;
    expect(c.articleId).toBe('sport/tour-copenhague');
    expect(c.excerpt).toBe('la première fois que la Grande Boucle part d’un pays scandinave');
    expect(articleText(c.articleId).slice(c.start, c.end)).toBe(c.excerpt);
  });

  it('finds a near-exact statement and abstains when nothing is close', async () => {
    const near = await findQuote(snapshot, 'les chercheurs de l’université de Swansea suivaient la fissure pendant plusieurs mois');
    expect(near.abstained).toBe(false);
    expect(near.citations[0]!.excerpt).toContain('Swansea');
    expect(near.citations[0]!.score).toBeLessThan(1);
    const none = await findQuote(snapshot, 'le gratin dauphinois se prépare avec des pommes de terre');
    expect(none.abstained).toBe(true);
  });
});

describe('dates in excerpts', () => {
  const fire: Article = {
    id: 'monde/grenfell',
    title: 'Incendie de la tour Grenfell',
    date: '2017-06-24',
    source: 'Orange Actu',
    path: 'monde/grenfell.txt',
    hash: 'g',
    text: 'La police britannique a annoncé vendredi que l’incendie de la tour Grenfell avait été provoqué par un réfrigérateur. Le drame avait fait 79 morts le 14 juin 2017.',
  };
  const c = chunkArticle(fire, { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 160 });
  const m = new Map([[fire.id, fire]]);
  const snap: SearchSnapshot = { chunks: c, articles: m, lexical: buildLexicalIndex(c, m) };

  it('resolves the relative dates of an excerpt against the article date, and leaves out the ones that write their year', async () => {
    const answer = await answerQuestion(snap, 'Qu’a annoncé la police britannique sur l’incendie de la tour Grenfell ?', { tuning: { abstention: null } });
    const citation = answer.citations[0]!;
    expect(citation.dates).toEqual([{ text: 'vendredi', offset: citation.excerpt.indexOf('vendredi'), date: '2017-06-23' }]);
    expect(citation.excerpt.slice(citation.dates![0]!.offset, citation.dates![0]!.offset + 8)).toBe('vendredi');
    expect(renderAnswer(answer)).toContain('    dates : « vendredi » = 23 juin 2017');
  });

  it('gives no dates for an undated article', async () => {
    const undated = { ...fire, date: undefined };
    const mu = new Map([[fire.id, undated]]);
    const answer = await answerQuestion({ chunks: c, articles: mu, lexical: buildLexicalIndex(c, mu) }, 'Qu’a annoncé la police britannique ?', { tuning: { abstention: null } });
    expect(answer.citations[0]!.dates).toBeUndefined();
  });
});
