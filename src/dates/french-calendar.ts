/**
 * Calendar arithmetic and French date words shared by the date parsers. Dates are plain `{ y, m, d }` triples
 * (month 1-12) computed in UTC so that no time zone or daylight-saving change can shift a day.
 */

export interface YMD {
  y: number;
  /** 1-12 */
  m: number;
  /** 1-31 */
  d: number;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC), the unit every comparison and offset below works in. */
export function dayNumber(date: YMD): number {
  return Math.round(Date.UTC(date.y, date.m - 1, date.d) / DAY_MS);
}

export function fromDayNumber(n: number): YMD {
  const t = new Date(n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function addDays(date: YMD, days: number): YMD {
  return fromDayNumber(dayNumber(date) + days);
}

/** 0 = Sunday ... 6 = Saturday, as `Date.prototype.getUTCDay`. */
export function weekdayOf(date: YMD): number {
  return new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isValidDate(y: number, m: number, d: number): boolean {
  return Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Adds months to a (year, month) pair: `shiftMonth(2016, 1, -1)` is December 2015. */
export function shiftMonth(y: number, m: number, months: number): { y: number; m: number } {
  const index = y * 12 + (m - 1) + months;
  return { y: Math.floor(index / 12), m: (((index % 12) + 12) % 12) + 1 };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatDay(date: YMD): string {
  return `${pad(date.y, 4)}-${pad(date.m)}-${pad(date.d)}`;
}

export function formatMonth(y: number, m: number): string {
  return `${pad(y, 4)}-${pad(m)}`;
}

export function firstOfMonth(y: number, m: number): string {
  return `${formatMonth(y, m)}-01`;
}

export function lastOfMonth(y: number, m: number): string {
  return `${formatMonth(y, m)}-${pad(daysInMonth(y, m))}`;
}

/** The calendar day of `now` in its local time zone: "today" for whoever runs Sourcier. */
export function localDay(now: Date): YMD {
  return { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() };
}

/**
 * Parses `YYYY-MM-DD` or `YYYY-MM` (an article's metadata date). Returns the day (the 15th when only the month is
 * known, the middle being the best guess for "nearest" decisions) and whether the day is known.
 */
export function parseIsoDate(value: string | undefined): { date: YMD; dayKnown: boolean } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(value.trim());
  if (!match) return undefined;
  const y = Number(match[1]);
  const m = Number(match[2]);
  if (match[3] !== undefined) {
    const d = Number(match[3]);
    return isValidDate(y, m, d) ? { date: { y, m, d }, dayKnown: true } : undefined;
  }
  return m >= 1 && m <= 12 ? { date: { y, m, d: 15 }, dayKnown: false } : undefined;
}

/** French month names (accent-free, lower case, as produced by `foldFrench`) and abbreviations, to month number. */
const MONTH_WORDS: Record<string, number> = {
  janvier: 1, janv: 1, jan: 1,
  fevrier: 2, fevr: 2, fev: 2,
  mars: 3,
  avril: 4, avr: 4,
  mai: 5,
  juin: 6,
  juillet: 7, juil: 7,
  aout: 8,
  septembre: 9, sept: 9, sep: 9,
  octobre: 10, oct: 10,
  novembre: 11, nov: 11,
  decembre: 12, dec: 12,
};

/** Full names only: abbreviations must end with a dot to count, since "sept" is also the number seven. */
const FULL_MONTHS = ['janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre'];
const ABBREVIATIONS = ['janv', 'jan', 'fevr', 'fev', 'avr', 'juil', 'sept', 'sep', 'oct', 'nov', 'dec'];

/** Regex source matching a month word in folded text (full name, or abbreviation followed by a dot). */
export const MONTH_PATTERN = `(?:${FULL_MONTHS.join('|')}|(?:${ABBREVIATIONS.join('|')})\\.)`;

export const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
export const WEEKDAY_PATTERN = `(?:${WEEKDAYS.join('|')})`;

export const FRENCH_MONTH_NAMES = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** Month number of a folded month word ("fevr." -> 2), or undefined. */
export function monthNumber(word: string): number | undefined {
  return MONTH_WORDS[word.replace(/\.$/, '')];
}

/** 0 = dimanche ... 6 = samedi, or undefined. */
export function weekdayNumber(word: string): number | undefined {
  const index = WEEKDAYS.indexOf(word);
  return index < 0 ? undefined : index;
}

/** "1er" / "premier" / "21" -> day number. */
export function dayWord(word: string): number {
  return word === '1er' || word === 'premier' ? 1 : Number(word);
}

/** Regex source for a day of the month: "1er", "premier" or 1-31 (one or two digits). */
export const DAY_PATTERN = '(?:1er|premier|[12]\\d|3[01]|0?[1-9])';

const SPECIAL_FOLDS: Record<string, string> = {
  '\u2019': "'", '\u2018': "'", '\u02bc': "'", '\u00b4': "'", '`': "'",
  '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '\u2007': ' ', '\t': ' ',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-',
  '\u0153': 'o', '\u0152': 'o', '\u00e6': 'a', '\u00c6': 'a',
};

/**
 * Lower-cases, strips accents and unifies apostrophes, spaces and hyphens, one UTF-16 unit for one: offsets into the
 * folded text are offsets into the original, so matches map back to verbatim spans.
 */
export function foldFrench(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = c.charCodeAt(0);
    if (code < 0x80) {
      out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c === '`' ? "'" : c === '\t' ? ' ' : c;
      continue;
    }
    const special = SPECIAL_FOLDS[c];
    if (special !== undefined) {
      out += special;
      continue;
    }
    // Lone surrogates and characters whose folding changes length are kept as they are.
    const base = c.normalize('NFD')[0]!.toLowerCase();
    out += base.length === 1 ? base : c;
  }
  return out;
}
