/**
 * A question's own dates as a period: "en juillet 2016", "depuis 2020", "l'an dernier" become a publication-date
 * filter (the words are taken out of the searched text), and the answer says which period it covers.
 */
import type { Answer, AskOptions, Citation, NearestArticle } from '../core/types.js';
import { parseQuestionPeriod, stripPeriod } from '../dates/parse-question-period.js';
import { chunkKeysOf, newestArticleDay } from '../retrieve/article-chunks.js';
import { dayNumber } from '../retrieve/search-filters.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';

/** Answers one question from a snapshot (answerQuestion, or a variant of it). */
export type AnswerFn = (snapshot: SearchSnapshot, question: string, options: AskOptions) => Promise<Answer>;

/**
 * Answers `question` with `run`, filtered to the period its words name unless `options` already set `since`/`until`
 * (then those are the period, strictly). When the period came from the question and nothing in it answers, the
 * question is asked again across all dates (an article published later may still answer it), and the answer's
 * period says it was not applied. When the period starts after the newest article ("en 2024" over an archive that
 * ends in 2020), no article can report it, only speak of it: a passage is quoted only if it names one of the period's
 * years, else the answer abstains and says up to when the corpus goes. Relative expressions are read against
 * `options.now`, else `now`.
 */
export async function answerInPeriod(snapshot: SearchSnapshot, question: string, options: AskOptions, run: AnswerFn, now: Date): Promise<Answer> {
  let q = question;
  let o: AskOptions = options;
  let period: Answer['period'];
  if (options.since === undefined && options.until === undefined) {
    const found = parseQuestionPeriod(question, options.now ?? now);
    if (found) {
      const stripped = stripPeriod(question, found.span);
      if (stripped.trim().length > 0) q = stripped;
      o = { ...options, since: found.since, until: found.until };
      period = { since: found.since, until: found.until, label: found.label };
    }
  } else {
    period = { since: options.since, until: options.until };
  }
  let answer = await run(snapshot, q, o);
  if (period && o !== options && answer.abstained) {
    const unfiltered = await run(snapshot, question, options);
    const newest = newestArticleDay(snapshot);
    if (newest > 0 && period.since !== undefined && dayNumber(period.since) > newest) {
      const corpusUntil = formatDayNumber(newest);
      answer = speakingOfPeriod(snapshot, unfiltered, period.since, period.until);
      period = { ...period, applied: false, corpusUntil };
    } else if (!unfiltered.abstained) {
      answer = unfiltered;
      period = { ...period, applied: false };
    }
  }
  return { ...answer, question, ...(period ? { period } : {}) };
}

/**
 * The answer restricted to citations whose passage (the chunk holding the excerpt) names a year of the period; an
 * abstention listing the articles it had cited when none does.
 */
function speakingOfPeriod(snapshot: SearchSnapshot, answer: Answer, since: string, until: string | undefined): Answer {
  const first = Number(since.slice(0, 4));
  const last = Math.max(first, Math.min(first + 20, Number((until ?? since).slice(0, 4))));
  const years: string[] = [];
  for (let y = first; y <= last; y++) years.push(String(y));
  const kept = answer.citations.filter((c) => {
    const passage = passageText(snapshot, c);
    return years.some((y) => new RegExp(`(?<!\\d)${y}(?!\\d)`).test(passage));
  });
  if (kept.length > 0) return { ...answer, citations: kept };
  const nearest: NearestArticle[] = answer.abstained
    ? answer.nearest
    : [...new Map(answer.citations.map((c) => [c.articleId, c])).values()].map((c) => ({
        articleId: c.articleId,
        title: c.title,
        ...(c.date ? { date: c.date } : {}),
        ...(c.source ? { source: c.source } : {}),
        score: c.score,
      }));
  return { ...answer, abstained: true, citations: [], nearest };
}

/** Text of the chunk that holds a citation's excerpt (the excerpt itself when the chunk is not found). */
function passageText(snapshot: SearchSnapshot, c: Citation): string {
  const article = snapshot.articles.get(c.articleId);
  if (!article) return c.excerpt;
  for (const key of chunkKeysOf(snapshot, c.articleId)) {
    const chunk = snapshot.chunks[key]!;
    if (chunk.start <= c.start && c.start < chunk.end) return article.text.slice(chunk.start, Math.max(chunk.end, c.end));
  }
  return c.excerpt;
}

function formatDayNumber(day: number): string {
  const y = Math.floor(day / 10000);
  const m = Math.floor(day / 100) % 100;
  const d = day % 100;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
