/**
 * A question's own dates as a period: "en juillet 2016", "depuis 2020", "l'an dernier" become a publication-date
 * filter (the words are taken out of the searched text), and the answer says which period it covers.
 */
import type { Answer, AskOptions } from '../core/types.js';
import { parseQuestionPeriod, stripPeriod } from '../dates/parse-question-period.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';

/** Answers one question from a snapshot (answerQuestion, or a variant of it). */
export type AnswerFn = (snapshot: SearchSnapshot, question: string, options: AskOptions) => Promise<Answer>;

/**
 * Answers `question` with `run`, filtered to the period its words name unless `options` already set `since`/`until`
 * (then those are the period, strictly). When the period came from the question and nothing in it answers, the
 * question is asked again across all dates (an article published later may still answer it), and the answer's
 * period says it was not applied. Relative expressions are read against `options.now`, else `now`.
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
    if (!unfiltered.abstained) {
      answer = unfiltered;
      period = { ...period, applied: false };
    }
  }
  return { ...answer, question, ...(period ? { period } : {}) };
}
