import { formatDay, formatMonth, isValidDate } from './french-calendar.js';
import { resolveDatesInText } from './resolve-dates-in-text.js';

/**
 * Reads a date from a metadata string ("22 mai 2012", "mardi 22 mai 2012", "2012-05-22", "2012-05-22T10:00:00+02:00",
 * "22/05/2012", "mai 2012", "1er janv. 2020") and returns `YYYY-MM-DD`, or `YYYY-MM` when only the month is given.
 * The first absolute date in the string wins ("22 mai 2012. - Le ministre..." reads as 2012-05-22). A year alone is
 * not enough (undefined), since `ArticleMeta.date` needs at least a month.
 */
export function parseFrenchDate(text: string): string | undefined {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?=$|[T\s])/.exec(trimmed);
  if (iso) {
    const [y, m] = [Number(iso[1]), Number(iso[2])];
    if (iso[3] === undefined) return m >= 1 && m <= 12 ? formatMonth(y, m) : undefined;
    const d = Number(iso[3]);
    return isValidDate(y, m, d) ? formatDay({ y, m, d }) : undefined;
  }
  return resolveDatesInText(trimmed).find((found) => found.precision !== 'year')?.date;
}
