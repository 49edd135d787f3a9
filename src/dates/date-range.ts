import { FRENCH_MONTH_NAMES, daysInMonth, type YMD } from './french-calendar.js';

/** An inclusive range of days; `from` or `to` is absent for open-ended periods ("depuis 2020", "avant 2018"). */
export interface DateRange {
  from?: YMD;
  to?: YMD;
}

/** "21 juillet 2016" (with "1er" for the first of the month, as French writes it). */
export function formatDayFr(date: YMD, withYear = true): string {
  const day = date.d === 1 ? '1er' : String(date.d);
  return `${day} ${FRENCH_MONTH_NAMES[date.m - 1]}${withYear ? ` ${date.y}` : ''}`;
}

/** A `YYYY-MM-DD` day in French ("2020-09-27" -> "27 septembre 2020"). */
export function formatIsoDayFr(day: string): string {
  return formatDayFr({ y: Number(day.slice(0, 4)), m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) });
}

/** A `YYYY-MM-DD`, `YYYY-MM` or `YYYY` date in French ("23 juin 2017", "juin 2017", "2017"). */
export function formatDateFr(date: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return formatIsoDayFr(date);
  if (/^\d{4}-\d{2}$/.test(date)) return `${FRENCH_MONTH_NAMES[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
  return date;
}

/** What the relative dates of an excerpt stand for: « vendredi » = 23 juin 2017 ; « hier » = 22 juin 2017. */
export function describeExcerptDates(dates: ReadonlyArray<{ text: string; date: string }>): string {
  return dates.map((d) => `« ${d.text} » = ${formatDateFr(d.date)}`).join(' ; ');
}

const sameDay = (a: YMD, b: YMD) => a.y === b.y && a.m === b.m && a.d === b.d;

/**
 * A short French description of a resolved range, used beside a relative expression so the reader sees the dates:
 * "2015", "juin 2016", "21 juillet 2016", "du 11 au 17 juillet 2016", "depuis le 18 juillet 2016".
 */
export function describeRange(range: DateRange): string {
  const { from, to } = range;
  if (from && to) {
    if (sameDay(from, to)) return formatDayFr(from);
    const wholeMonths = from.d === 1 && to.d === daysInMonth(to.y, to.m);
    if (wholeMonths && from.m === 1 && to.m === 12 && from.y === to.y) return String(from.y);
    if (wholeMonths && from.m === 1 && to.m === 12) return `de ${from.y} à ${to.y}`;
    if (wholeMonths && from.y === to.y && from.m === to.m) return `${FRENCH_MONTH_NAMES[from.m - 1]} ${from.y}`;
    if (wholeMonths && from.y === to.y) return `de ${FRENCH_MONTH_NAMES[from.m - 1]} à ${FRENCH_MONTH_NAMES[to.m - 1]} ${to.y}`;
    if (from.y === to.y && from.m === to.m) return `du ${from.d === 1 ? '1er' : from.d} au ${formatDayFr(to)}`;
    return `du ${formatDayFr(from, from.y !== to.y)} au ${formatDayFr(to)}`;
  }
  if (from) return `depuis le ${formatDayFr(from)}`;
  if (to) return `jusqu'au ${formatDayFr(to)}`;
  return '';
}
