/**
 * A question's own dates as a period: "en juillet 2016", "depuis 2020", "l'an dernier" become a preferred period of
 * publication (the words are taken out of the searched text), and the answer says which period it covers.
 */
import type { Answer, AskOptions, NearestArticle } from '../core/types.js';
import { asksCompletedEvent } from '../retrieve/parse-question.js';
import { parseQuestionPeriod, stripPeriod } from '../dates/parse-question-period.js';
import { newestArticleDay } from '../retrieve/article-chunks.js';
import { articleFilter, dayNumber } from '../retrieve/search-filters.js';
import { addDays, daysInMonth, formatDay } from '../dates/french-calendar.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';

/** Answers one question from a snapshot (answerQuestion, or a variant of it). */
export type AnswerFn = (snapshot: SearchSnapshot, question: string, options: AskOptions) => Promise<Answer>;

/** Days after a question's period during which an article may still report it (news lags events). */
export const REPORTING_LAG_DAYS = 31;

/**
 * Answers `question` with `run`. Explicit `options.since`/`until` filter strictly. Otherwise the period the question's
 * words name is preferred, not filtered: articles published in it (or within `REPORTING_LAG_DAYS` after it, as news
 * follows events) are ranked up, the others still compete, since an article published later may be the one that
 * answers; the answer's period says `applied: false` when no citation comes from it. When the question names a year
 * after the newest article ("en 2024" over an archive that ends in 2020), no article can report it, only speak of it:
 * a passage is quoted only if it names one of the period's years, and not at all when the question asks about an
 * event as done ("Qui a remporté l'élection de 2024 ?"); the answer says up to when the corpus goes (`corpusUntil`).
 * Relative expressions are read against `options.now`, else `now`.
 */
export async function answerInPeriod(snapshot: SearchSnapshot, question: string, options: AskOptions, run: AnswerFn, now: Date): Promise<Answer> {
  if (options.since !== undefined || options.until !== undefined) {
    const answer = await run(snapshot, question, options);
    return { ...answer, question, period: { since: options.since, until: options.until } };
  }
  const found = parseQuestionPeriod(question, options.now ?? now);
  if (!found) return { ...(await run(snapshot, question, options)), question };
  const stripped = stripPeriod(question, found.span);
  const q = stripped.trim().length > 0 ? stripped : question;
  const prefer = { since: found.since, until: found.until && formatDay(addDays(ymdOf(found.until), REPORTING_LAG_DAYS)) };
  const newest = newestArticleDay(snapshot);
  let period: NonNullable<Answer['period']> = { since: found.since, until: found.until, label: found.label };
  if (found.absolute && newest > 0 && found.since !== undefined && dayNumber(found.since) > newest) {
    const answer = await run(snapshot, q, { ...options, prefer, mentions: yearsOf(found.since, found.until) });
    const after = { ...period, applied: false, corpusUntil: formatDayNumber(newest) };
    // "Qui a remporté l'élection de 2024 ?": an article written before can announce the event, not report it.
    // A bare year or a season often names an event ("la Coupe du monde 2022", "les Jeux d'hiver 2026"), not when it
    // happened: only a month or a year with its preposition ("en 2024", "de novembre 2024") dates the event asked about.
    const written = question.slice(found.span.start, found.span.end);
    const datesEvent = !/^\d/.test(written) && !/printemps|[ée]t[ée]|automne|hiver/i.test(written);
    if (datesEvent && asksCompletedEvent(question) && !answer.abstained) {
      return { ...answer, question, period: after, abstained: true, citations: [], nearest: nearestOf(answer) };
    }
    return { ...answer, question, period: after };
  }
  const answer = await run(snapshot, q, { ...options, prefer });
  // The same test as the retrieval's preferred passages (chunkFilter over articleFilter).
  const inPeriod = articleFilter(prefer);
  const cited = (id: string) => snapshot.articles.get(id);
  if (!answer.abstained && inPeriod && !answer.citations.some((c) => inPeriod(cited(c.articleId)!))) period = { ...period, applied: false };
  return { ...answer, question, period };
}

/** The articles an answer cites, as the nearest ones of an abstention. */
function nearestOf(answer: Answer): NearestArticle[] {
  const seen = new Map<string, NearestArticle>();
  for (const c of answer.citations) {
    if (seen.has(c.articleId)) continue;
    seen.set(c.articleId, { articleId: c.articleId, title: c.title, ...(c.date ? { date: c.date } : {}), ...(c.source ? { source: c.source } : {}), score: c.score });
  }
  return [...seen.values()];
}

/** The years from `since` to `until` (at most 21), as written in text. */
function yearsOf(since: string, until: string | undefined): string[] {
  const first = Number(since.slice(0, 4));
  const last = Math.max(first, Math.min(first + 20, Number((until ?? since).slice(0, 4))));
  const years: string[] = [];
  for (let y = first; y <= last; y++) years.push(String(y));
  return years;
}

const ymdOf = (day: string) => ({ y: Number(day.slice(0, 4)), m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) });

/** YYYY-MM-DD of a day number; an article dated by month only ends on the last real day of that month. */
function formatDayNumber(day: number): string {
  const y = Math.floor(day / 10000);
  const m = Math.floor(day / 100) % 100;
  return formatDay({ y, m, d: Math.min(day % 100, daysInMonth(y, m)) });
}
