import { AppError } from '../core/app-error.js';
import type { Article, SearchFilters } from '../core/types.js';
import { foldText } from '../lexical/french-analyzer.js';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** First and last day (`YYYY-MM-DD`) covered by a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date; undefined if malformed. */
export function dateRange(date: string): { from: string; to: string } | undefined {
  const m = DATE_RE.exec(date.trim());
  if (!m) return undefined;
  const [, y, mo, d] = m;
  if (d) return { from: `${y}-${mo}-${d}`, to: `${y}-${mo}-${d}` };
  if (mo) return { from: `${y}-${mo}-01`, to: `${y}-${mo}-31` };
  return { from: `${y}-01-01`, to: `${y}-12-31` };
}

/**
 * Builds the article predicate for `since` / `until` (inclusive; an article dated by month only matches when that
 * month overlaps the range) and `source` (case- and accent-insensitive). Undated articles never match a date filter.
 * Returns undefined when there is nothing to filter. Throws QUESTION_INVALID on a malformed date.
 */
export function articleFilter(filters: SearchFilters): ((article: Article) => boolean) | undefined {
  const since = filters.since ? parseBound(filters.since, 'since').from : undefined;
  const until = filters.until ? parseBound(filters.until, 'until').to : undefined;
  const source = filters.source?.trim() ? foldText(filters.source.trim()) : undefined;
  if (!since && !until && !source) return undefined;
  return (article) => {
    if (source !== undefined && (!article.source || foldText(article.source.trim()) !== source)) return false;
    if (since !== undefined || until !== undefined) {
      const range = article.date ? dateRange(article.date) : undefined;
      if (!range) return false;
      if (since !== undefined && range.to < since) return false;
      if (until !== undefined && range.from > until) return false;
    }
    return true;
  };
}

function parseBound(value: string, name: string): { from: string; to: string } {
  const range = dateRange(value);
  if (!range) throw new AppError('QUESTION_INVALID', `The ${name} date "${value}" is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.`);
  return range;
}

/** `YYYY-MM-DD` as the number YYYYMMDD (comparable like the string). */
export function dayNumber(day: string): number {
  return Number(day.slice(0, 4)) * 10000 + Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

/**
 * The date bounds of `filters` as day numbers (see {@link dayNumber}), with the same meaning as in
 * {@link articleFilter}; undefined when no date is filtered. Throws QUESTION_INVALID on a malformed date.
 */
export function dayBounds(filters: SearchFilters): { since: number; until: number } | undefined {
  if (!filters.since && !filters.until) return undefined;
  return {
    since: filters.since ? dayNumber(parseBound(filters.since, 'since').from) : 0,
    until: filters.until ? dayNumber(parseBound(filters.until, 'until').to) : 99999999,
  };
}
