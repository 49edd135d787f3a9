import { describe, expect, it } from 'vitest';
import { renderAnswer } from '../../src/cli/render-answer.js';
import { answerInPeriod } from '../../src/answer/answer-in-period.js';
import { answerQuestion } from '../../src/answer/answer-question.js';
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import type { Article } from '../../src/core/types.js';
import { buildLexicalIndex } from '../../src/lexical/bm25-index.js';
import type { SearchSnapshot } from '../../src/retrieve/search-snapshot.js';

// An archive that ends in June 2020.
const articles: Article[] = [
  {
    id: 'eco/livret-a',
    title: 'Le taux du livret A abaissé',
    date: '2020-02-01',
    source: 'Orange Actu',
    path: 'eco/livret-a.txt',
    hash: 'a',
    text:
      'Le taux de rémunération du livret A passe à 0,5 % au 1er février, son plus bas niveau historique.\n\n' +
      'Les épargnants ont pourtant continué à y placer leurs économies, selon la Caisse des dépôts.',
  },
  {
    id: 'monde/defense',
    title: 'La loi de programmation militaire adoptée',
    date: '2020-06-30',
    source: 'Orange Actu',
    path: 'monde/defense.txt',
    hash: 'b',
    text:
      'Les députés ont adopté la loi de programmation militaire.\n\n' +
      'Le budget des armées doit atteindre 50 milliards d’euros en 2025, a précisé la ministre des Armées.',
  },
  {
    id: 'eco/chomage-bilan',
    title: 'Le chômage au plus bas depuis dix ans',
    date: '2020-03-12',
    source: 'Orange Actu',
    path: 'eco/chomage-bilan.txt',
    hash: 'c',
    text: 'Le taux de chômage a reculé à 8,1 % de la population active à la fin de 2019, selon l’Insee.\n\nLe recul touche surtout les jeunes.',
  },
  {
    id: 'monde/yulin',
    title: 'En Chine, la fête de la viande de chien bat de l’aile',
    date: '2020-06-23',
    source: 'Orange Actu',
    path: 'monde/yulin.txt',
    hash: 'd',
    text: 'La fête de la viande de chien de Yulin, dans le sud de la Chine, attire moins de visiteurs cette année.\n\nLes défenseurs des animaux dénoncent ce festival depuis des années.',
  },
];
const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 160 }));
const map = new Map(articles.map((a) => [a.id, a]));
const snapshot: SearchSnapshot = { chunks, articles: map, lexical: buildLexicalIndex(chunks, map) };
const now = new Date(2026, 11, 3, 12);
const ask = (question: string) => answerInPeriod(snapshot, question, { limit: 3 }, answerQuestion, now);

describe('answerInPeriod', () => {
  it('prefers the period the question names and says which it is', async () => {
    const answer = await ask('Quel est le taux du livret A en février 2020 ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]!.articleId).toBe('eco/livret-a');
    expect(answer.period).toEqual({ since: '2020-02-01', until: '2020-02-29', label: 'en février 2020' });
  });

  it('abstains on a period after the newest article when no passage speaks of it, and says where the corpus ends', async () => {
    const answer = await ask('Quel est le taux du livret A en 2024 ?');
    expect(answer.abstained).toBe(true);
    expect(answer.citations).toEqual([]);
    expect(answer.period).toMatchObject({ since: '2024-01-01', until: '2024-12-31', applied: false, corpusUntil: '2020-06-30' });
    expect(renderAnswer(answer)).toContain('Période : en 2024 — le corpus s’arrête au 30 juin 2020\nAucun passage pertinent');
    expect(answer.nearest.map((n) => n.articleId)).toContain('eco/livret-a');
  });

  it('quotes an older article that speaks of the later period', async () => {
    const answer = await ask('Quel sera le budget des armées en 2025 ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations.map((c) => c.articleId)).toEqual(['monde/defense']);
    expect(answer.citations[0]!.excerpt).toContain('2025');
    expect(answer.period).toMatchObject({ applied: false, corpusUntil: '2020-06-30' });
  });

  it('abstains on a completed event dated after the newest article, even when a passage names its year', async () => {
    const answer = await ask('Combien les armées ont-elles dépensé en 2025 ?');
    expect(answer.abstained).toBe(true);
    expect(answer.period).toMatchObject({ applied: false, corpusUntil: '2020-06-30' });
    expect(answer.nearest.map((n) => n.articleId)).toContain('monde/defense');
  });

  it('still answers from an article published after the period it reports', async () => {
    const answer = await ask('Quel était le taux de chômage fin 2019 ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ articleId: 'eco/chomage-bilan', excerpt: expect.stringContaining('8,1 %') });
    expect(answer.period).toMatchObject({ since: '2019-10-01', until: '2019-12-31', applied: false });
    expect(answer.period!.corpusUntil).toBeUndefined();
  });

  it('does not abstain on a relative expression that resolves after the archive ("chaque fin juin")', async () => {
    const answer = await ask('Quelle ville chinoise accueille chaque fin juin une fête de la viande de chien ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]!.articleId).toBe('monde/yulin');
    expect(answer.period).toMatchObject({ applied: false });
    expect(answer.period!.corpusUntil).toBeUndefined();
  });

  it('ends a corpus whose newest article is dated by month on the last real day of that month', async () => {
    const april: Article = { ...articles[0]!, id: 'eco/avril', date: '2022-04' };
    const c = chunkArticle(april, { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 160 });
    const m = new Map([[april.id, april]]);
    const answer = await answerInPeriod({ chunks: c, articles: m, lexical: buildLexicalIndex(c, m) }, 'Quel est le taux du livret A en 2024 ?', {}, answerQuestion, now);
    expect(answer.period!.corpusUntil).toBe('2022-04-30');
  });

  it('keeps explicit since/until as a strict filter, without looking elsewhere', async () => {
    const answer = await answerInPeriod(snapshot, 'Quel est le taux du livret A ?', { since: '2024-01-01' }, answerQuestion, now);
    expect(answer.abstained).toBe(true);
    expect(answer.period).toEqual({ since: '2024-01-01', until: undefined });
  });
});
