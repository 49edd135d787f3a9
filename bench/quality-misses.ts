/**
 * PIAF questions whose paragraph is not cited first (lexical-only, abstention off), to look at what the ranking misses.
 *
 *   npx tsx bench/quality-misses.ts [--limit N] [--out FILE]
 *
 * One block per miss: the rank of the right paragraph among the cited ones (-1: not cited), whether the first cited
 * paragraph is a sibling (same Wikipedia article), the question's searched terms with their IDF, the first excerpt and
 * the start of the right paragraph. A summary line counts misses, siblings and paragraphs not cited at all.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkArticle, estimateTokenCounter } from '../src/chunk/chunk-article.js';
import { answerQuestion, prepareQuestion } from '../src/answer/answer-question.js';
import { buildLexicalIndex } from '../src/lexical/bm25-index.js';
import { rankedArticles } from '../src/eval/run-eval.js';
import type { SearchSnapshot } from '../src/retrieve/search-snapshot.js';
import { loadPiaf } from './piaf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const limit = Number(option('--limit') ?? 200);

const piaf = await loadPiaf(path.resolve(root, '../shared/data/piaf/piaf-v1.0.json'));
const chunks = piaf.articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 160, overlapSentences: 1 }));
const articles = new Map(piaf.articles.map((a) => [a.id, a]));
const snapshot: SearchSnapshot = { chunks, articles, lexical: buildLexicalIndex(chunks, articles) };

let misses = 0;
let siblings = 0;
let uncited = 0;
const blocks: string[] = [];
for (const item of piaf.items) {
  const answer = await answerQuestion(snapshot, item.question, { limit: 10, tuning: { abstention: null } });
  const ranked = rankedArticles(answer);
  const gold = item.relevant[0]!;
  const rank = ranked.indexOf(gold);
  if (rank === 0) continue;
  misses++;
  if (rank < 0) uncited++;
  const sibling = ranked[0] !== undefined && articles.get(ranked[0])?.title === articles.get(gold)!.title;
  if (sibling) siblings++;
  if (blocks.length >= limit) continue;
  const terms = prepareQuestion(snapshot, item.question).terms.map((t) => `${t.term}(${snapshot.lexical.idf(t.term).toFixed(1)})`);
  blocks.push(
    [
      `${rank}\t${sibling ? 'sibling' : 'other'}\t${item.question}\t[${item.answer ?? ''}]`,
      `  terms: ${terms.join(' ')}`,
      `  cited: ${answer.citations[0]?.title ?? '-'}: ${answer.citations[0]?.excerpt.slice(0, 200) ?? ''}`,
      `  right: ${articles.get(gold)!.title}: ${articles.get(gold)!.text.slice(0, 200)}`,
    ].join('\n'),
  );
}
const summary = `${piaf.items.length} questions, ${misses} not answered first: ${siblings} by a sibling paragraph, ${uncited} not cited in the first 10`;
const out = option('--out');
if (out) await writeFile(out, `${summary}\n\n${blocks.join('\n\n')}\n`);
else console.log(blocks.join('\n\n'));
console.log(summary);
