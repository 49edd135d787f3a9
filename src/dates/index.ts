/** French dates: periods named in questions, dates mentioned in articles, dates in metadata. */
export { parseQuestionPeriod, stripPeriod, type QuestionPeriod } from './parse-question-period.js';
export { resolveDatesInText, type ResolvedDate } from './resolve-dates-in-text.js';
export { parseFrenchDate } from './parse-french-date.js';
