/** Dates as Sourcier stores them: `YYYY-MM-DD`, or `YYYY-MM` when only the month is known. */

const MONTHS: Record<string, number> = {
  janvier: 1, janv: 1, fevrier: 2, fevr: 2, fev: 2, mars: 3, avril: 4, avr: 4, mai: 5, juin: 6, juillet: 7, juil: 7,
  aout: 8, septembre: 9, sept: 9, octobre: 10, oct: 10, novembre: 11, nov: 11, decembre: 12, dec: 12,
};
const MONTH_PATTERN = '(janv(?:ier|\\.)?|f[ée]vr?(?:ier|\\.)?|mars|avr(?:il|\\.)?|mai|juin|juil(?:let|\\.)?|ao[ûu]t|sept(?:embre|\\.)?|oct(?:obre|\\.)?|nov(?:embre|\\.)?|d[ée]c(?:embre|\\.)?)';
const DAY_NAMES = '(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)[ \\u00A0]+)?';
const SP = '[ \\u00A0\\u202F]+';
/** "22 mai 2012", "1er août 2012", "mardi 3 juillet 2012", "Le 4 juillet 2012" at the very start of a text. */
const LEADING_FRENCH_DATE = new RegExp(`^[ \\u00A0]*(?:le${SP})?${DAY_NAMES}(1er|\\d{1,2})${SP}${MONTH_PATTERN}${SP}(\\d{4})(?!\\d)`, 'iu');
/** The same, anywhere (word-bounded). */
const ANY_FRENCH_DATE = new RegExp(`(?<![\\p{L}\\d])(1er|\\d{1,2})${SP}${MONTH_PATTERN}${SP}(\\d{4})(?!\\d)`, 'iu');
const MONTH_YEAR = new RegExp(`^${MONTH_PATTERN}${SP}(\\d{4})$`, 'iu');

/**
 * Normalises a date from metadata (YAML may give a Date or a number, JSON a string): ISO dates and timestamps keep
 * their written calendar day (`2020-07-02T19:09:00+02:00` -> `2020-07-02`), `YYYY-MM` stays, `DD/MM/YYYY`, French
 * "22 mai 2012" / "juillet 2016", `YYYYMMDD` numbers and Unix times (seconds or milliseconds) are understood.
 * Returns undefined for anything else, including a bare year.
 */
export function normalizeDate(value: unknown): string | undefined {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    return ymd(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const digits = String(Math.trunc(value));
    if (/^\d{8}$/.test(digits)) return ymd(+digits.slice(0, 4), +digits.slice(4, 6), +digits.slice(6, 8));
    if (/^\d{6}$/.test(digits)) return ym(+digits.slice(0, 4), +digits.slice(4, 6));
    if (value >= 1e9) return normalizeDate(new Date(value >= 1e11 ? value : value * 1000));
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])/.exec(s);
  if (m) return ymd(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{4})-(\d{1,2})$/.exec(s) ?? /^(\d{4})\/(\d{1,2})$/.exec(s);
  if (m) return ym(+m[1]!, +m[2]!);
  m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(s);
  if (m) return ymd(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(s);
  if (m) return ymd(+m[3]!, +m[2]!, +m[1]!);
  m = /^\d{8}$/.exec(s);
  if (m) return normalizeDate(Number(s));
  m = MONTH_YEAR.exec(s);
  if (m) return ym(+m[2]!, monthNumber(m[1]!));
  return parseLeadingFrenchDate(s);
}

/** A French date at the start of a text ("22 mai 2012. - Le ..." as in Wikinews datelines). */
export function parseLeadingFrenchDate(text: string): string | undefined {
  const m = LEADING_FRENCH_DATE.exec(text);
  return m ? fromFrenchMatch(m) : undefined;
}

/** The first full French date anywhere in a text. */
export function findFrenchDate(text: string): string | undefined {
  const m = ANY_FRENCH_DATE.exec(text);
  return m ? fromFrenchMatch(m) : undefined;
}

function fromFrenchMatch(m: RegExpExecArray): string | undefined {
  const [day, month, year] = m.slice(-3) as [string, string, string];
  return ymd(+year, monthNumber(month), day.toLowerCase() === '1er' ? 1 : +day);
}

function monthNumber(name: string): number {
  const key = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f.]/g, '');
  return MONTHS[key] ?? 0;
}

function ym(year: number, month: number): string | undefined {
  if (year < 1000 || year > 2999 || month < 1 || month > 12) return undefined;
  return `${year}-${String(month).padStart(2, '0')}`;
}

function ymd(year: number, month: number, day: number): string | undefined {
  const monthOnly = ym(year, month);
  if (!monthOnly) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  return `${monthOnly}-${String(day).padStart(2, '0')}`;
}
