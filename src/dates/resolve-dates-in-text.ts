import {
  DAY_PATTERN,
  MONTH_PATTERN,
  WEEKDAY_PATTERN,
  addDays,
  dayNumber,
  dayWord,
  daysInMonth,
  foldFrench,
  formatDay,
  formatMonth,
  isValidDate,
  monthNumber,
  parseIsoDate,
  shiftMonth,
  weekdayNumber,
  weekdayOf,
  type YMD,
} from './french-calendar.js';
import { isUnitWord } from './unit-words.js';

/** A date mentioned in a text, resolved to the calendar. */
export interface ResolvedDate {
  /** UTF-16 offsets of the date words in the text; `text === input.slice(start, end)`. */
  start: number;
  end: number;
  /** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, per `precision`. */
  date: string;
  precision: 'day' | 'month' | 'year';
  /** The date words as written ("jeudi 21 juillet", "3 mars dernier", "2014"). Determiners ("le", "en") are left out. */
  text: string;
}

const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';
const NO_DAY_BEFORE = '(?<!(?:\\d|1er|premier)\\s+)';
const global = (source: string) => new RegExp(source, 'gud');

const PATTERNS = {
  iso: global(`(?<![\\p{L}\\p{N}-])(\\d{4})-(\\d{2})-(\\d{2})(?![\\p{L}\\p{N}]|-\\d)`),
  numeric: global(`(?<![\\p{L}\\p{N}.,/])(\\d{1,2})([/.])(\\d{1,2})\\2(\\d{4}|\\d{2})(?![\\p{L}\\p{N}]|[.,/]\\p{N})`),
  dayMonth: global(
    `${START}(?:(${WEEKDAY_PATTERN})\\s+)?(${DAY_PATTERN})\\s+(${MONTH_PATTERN})${END}(?:\\s+(\\d{4})${END})?(?:\\s+(prochain|dernier)${END})?`,
  ),
  // Not after a day number: "31 février 2012" is no date at all, not February 2012.
  monthYear: global(`${START}${NO_DAY_BEFORE}(${MONTH_PATTERN})\\s+(\\d{4})${END}`),
  month: global(
    `${START}${NO_DAY_BEFORE}(?:(en|d'|de|depuis|des|jusqu'en|jusqu'a|fin|debut|mi|courant|mois\\s+de|mois\\s+d')[\\s-]*)?(${MONTH_PATTERN})${END}(?:\\s+(prochain|dernier)${END})?`,
  ),
  year: global(
    `${START}(en|depuis|des|jusqu'en|jusqu'a|d'ici|courant|l'annee|l'an|annee|printemps|ete|automne|hiver|fin|debut|mi|avant|apres|entre|de|du|a\\s+partir\\s+de|au\\s+cours\\s+de|et|a|au)[\\s-]+(\\d{4})${END}`,
  ),
  dayWord: global(`(?<![\\p{L}\\p{N}-])(avant-hier|hier|aujourd'hui|apres-demain|demain)${END}`),
  weekday: global(`${START}(${WEEKDAY_PATTERN})${END}(?:\\s+(${DAY_PATTERN})${END})?(?:\\s+(prochain|dernier)${END})?`),
  relative: global(
    `${START}(l'an\\s+dernier|l'annee\\s+derniere|l'an\\s+passe|l'annee\\s+passee|l'an\\s+prochain|l'annee\\s+prochaine|cette\\s+annee|le\\s+mois\\s+dernier|le\\s+mois\\s+passe|le\\s+mois\\s+prochain|ce\\s+mois-ci)${END}`,
  ),
};

/** Years after these words are sure to be dates ("en 2014", "depuis 1990"); after the others ("de", "avant") they must look recent. */
const STRONG_YEAR_WORDS = new Set(['en', 'depuis', 'des', "jusqu'en", "jusqu'a", "d'ici", 'courant', "l'annee", "l'an", 'annee']);
/** "et" / "a" / "au" introduce a year only as the second end of a range ("entre 2014 et 2016", "de 2014 à 2016"). */
const RANGE_JOIN_WORDS = new Set(['et', 'a', 'au']);

/** Words that put a plain weekday in the future ("lundi, il sera reçu"): otherwise a weekday is the past one. */
// French future tense ends in -ra / -ront ("parlera", "viendra", "pourront"); a few nouns ("camera") slip through.
const FUTURE_MARKERS =
  /\b(?:sera|seront|fera|feront|aura|auront|ira|iront|va|vont|doit|doivent|devrait|devraient|prevu|prevue|prevus|prevues|prochain|prochaine|attendu|attendue|demain|[a-z]{3,}(?:era|ira|dra|rra)|[a-z]{2,}(?:eront|iront|dront|rront))\b/;

/**
 * Finds dates mentioned in an article sentence and resolves them against the article's own date (`YYYY-MM-DD` or
 * `YYYY-MM`): "ce jeudi 21 juillet" in an article of 2016-07 is 2016-07-21 (the year within one of the article's in
 * which 21 July is a Thursday), "le 11 mai prochain" in 2022-04 is 2022-05-11. Weekdays alone and "hier" /
 * "aujourd'hui" / "demain" need a day-precise article date. Without an article date only absolute dates are returned.
 * A four-digit number counts as a year only after a word that makes it one ("en 2014", "depuis 1990"), never when a
 * unit follows ("de 2000 euros"). Results are in text order and never overlap.
 */
export function resolveDatesInText(text: string, articleDate?: string): ResolvedDate[] {
  const folded = foldFrench(text);
  const ref = parseIsoDate(articleDate);
  const found: Array<Omit<ResolvedDate, 'text'>> = [];
  const add = (start: number, end: number, date: string | undefined, precision: ResolvedDate['precision']) => {
    if (date !== undefined && end > start) found.push({ start, end, date, precision });
  };
  const each = (re: RegExp, visit: (m: RegExpExecArray) => void) => {
    re.lastIndex = 0;
    for (let m = re.exec(folded); m; m = re.exec(folded)) visit(m);
  };
  const span = (m: RegExpExecArray, group: number) => m.indices![group]![0];
  const endOf = (m: RegExpExecArray) => m.index + m[0].length;

  each(PATTERNS.iso, (m) => {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (isValidDate(y, mo, d)) add(m.index, endOf(m), formatDay({ y, m: mo, d }), 'day');
  });

  each(PATTERNS.numeric, (m) => {
    // Two-digit years only with slashes: "1.5.12" is more likely a version or a score than a date.
    if (m[4]!.length === 2 && m[2] !== '/') return;
    const yy = Number(m[4]);
    const y = m[4]!.length === 2 ? (yy < 50 ? 2000 + yy : 1900 + yy) : yy;
    const [d, mo] = [Number(m[1]), Number(m[3])];
    if (isValidDate(y, mo, d)) add(m.index, endOf(m), formatDay({ y, m: mo, d }), 'day');
  });

  each(PATTERNS.dayMonth, (m) => {
    const weekday = m[1] === undefined ? undefined : weekdayNumber(m[1]);
    const d = dayWord(m[2]!);
    const mo = monthNumber(m[3]!)!;
    if (m[4] !== undefined) {
      const y = Number(m[4]);
      // An explicit year wins; "prochain" / "dernier" after it are just words.
      const end = m[5] !== undefined ? span(m, 5) - 1 : endOf(m);
      if (isValidDate(y, mo, d)) add(m.index, trimEnd(folded, m.index, end), formatDay({ y, m: mo, d }), 'day');
      return;
    }
    if (!ref) return;
    const date = resolveDayMonth(ref, mo, d, weekday, m[5] as Direction | undefined);
    add(m.index, endOf(m), date && formatDay(date), 'day');
  });

  each(PATTERNS.monthYear, (m) => {
    const y = Number(m[2]);
    add(m.index, endOf(m), formatMonth(y, monthNumber(m[1]!)!), 'month');
  });

  if (ref) {
    each(PATTERNS.month, (m) => {
      const prefix = m[1];
      const direction = m[3] as Direction | undefined;
      if (prefix === undefined && direction === undefined) return;
      if (prefix === 'des' && text.slice(m.index, m.index + 3).toLowerCase() !== 'dès') return;
      const monthStart = span(m, 2);
      // "de Mars" with a capital is the planet.
      if (text.slice(monthStart, monthStart + 4) === 'Mars') return;
      const mo = monthNumber(m[2]!)!;
      const resolved = resolveMonth(ref.date, mo, direction);
      add(monthStart, endOf(m), formatMonth(resolved.y, resolved.m), 'month');
    });

    each(PATTERNS.relative, (m) => {
      const phrase = m[1]!.replace(/\s+/g, ' ');
      const { y, m: mo } = ref.date;
      if (phrase.startsWith("l'an") && /(dernier|derniere|passe|passee)$/.test(phrase)) add(m.index, endOf(m), String(y - 1), 'year');
      else if (phrase.startsWith("l'an")) add(m.index, endOf(m), String(y + 1), 'year');
      else if (phrase === 'cette annee') add(m.index, endOf(m), String(y), 'year');
      else {
        const shift = phrase === 'ce mois-ci' ? 0 : phrase.endsWith('prochain') ? 1 : -1;
        const target = shiftMonth(y, mo, shift);
        add(m.index, endOf(m), formatMonth(target.y, target.m), 'month');
      }
    });
  }

  each(PATTERNS.year, (m) => {
    const word = m[1]!.replace(/\s+/g, ' ');
    const y = Number(m[2]);
    const yearStart = span(m, 2);
    const yearEnd = endOf(m);
    if (isUnitWord(folded, yearEnd) || /^[.,]\d/.test(folded.slice(yearEnd, yearEnd + 2))) return;
    if (word === 'des' && text.slice(m.index, m.index + 3).toLowerCase() !== 'dès') return;
    if (RANGE_JOIN_WORDS.has(word)) {
      // Only the second end of "entre 2014 et 2016" / "de 2014 à 2016".
      const before = folded.slice(Math.max(0, m.index - 40), m.index);
      if (!/(?:^|[^\p{L}\p{N}])(?:entre|de|du)\s+(\d{4})\s*$/u.test(before)) return;
    }
    const strong = STRONG_YEAR_WORDS.has(word);
    if (y < (strong ? 1000 : 1900) || y > 2099) return;
    add(yearStart, yearEnd, String(y), 'year');
  });

  if (ref?.dayKnown) {
    const today = ref.date;
    each(PATTERNS.dayWord, (m) => {
      const offset = { 'avant-hier': -2, hier: -1, "aujourd'hui": 0, demain: 1, 'apres-demain': 2 }[m[1]!] ?? 0;
      add(m.index, endOf(m), formatDay(addDays(today, offset)), 'day');
    });
  }
  if (ref) {
    each(PATTERNS.weekday, (m) => {
      const weekday = weekdayNumber(m[1]!)!;
      const direction = m[3] as Direction | undefined;
      if (m[2] !== undefined) {
        // "samedi 14": the month around the article date in which the 14th is a Saturday.
        const date = resolveWeekdayDay(ref.date, weekday, dayWord(m[2]));
        const end = direction !== undefined ? span(m, 3) - 1 : endOf(m);
        add(m.index, trimEnd(folded, m.index, end), date && formatDay(date), 'day');
        return;
      }
      if (!ref.dayKnown) return;
      const future = direction === 'prochain' || (direction === undefined && FUTURE_MARKERS.test(sentenceAround(folded, m.index)));
      add(m.index, endOf(m), formatDay(resolveWeekday(ref.date, weekday, direction, future)), 'day');
    });
  }

  // Longest first, then earliest; keep the ones that overlap nothing kept.
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: typeof found = [];
  for (const candidate of found) {
    if (kept.every((k) => candidate.end <= k.start || candidate.start >= k.end)) kept.push(candidate);
  }
  kept.sort((a, b) => a.start - b.start);
  return kept.map((k) => ({ ...k, text: text.slice(k.start, k.end) }));
}

type Direction = 'prochain' | 'dernier';

function trimEnd(folded: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(folded[e - 1]!)) e--;
  return e;
}

/**
 * Resolves "21 juillet" (optionally "jeudi", "prochain", "dernier") around the article date: among the article's year
 * and the years either side, the one after (prochain) or before (dernier) the article, on the given weekday when
 * one is named, nearest to the article date. A month-precise article date counts as its whole month.
 */
function resolveDayMonth(ref: { date: YMD; dayKnown: boolean }, m: number, d: number, weekday: number | undefined, direction?: Direction): YMD | undefined {
  const { date, dayKnown } = ref;
  const low = dayKnown ? dayNumber(date) : dayNumber({ y: date.y, m: date.m, d: 1 });
  const high = dayKnown ? low : dayNumber({ y: date.y, m: date.m, d: daysInMonth(date.y, date.m) });
  let candidates: YMD[] = [date.y - 1, date.y, date.y + 1].filter((y) => isValidDate(y, m, d)).map((y) => ({ y, m, d }));
  if (direction === 'prochain') candidates = candidates.filter((c) => dayNumber(c) > (dayKnown ? low : low - 1));
  if (direction === 'dernier') candidates = candidates.filter((c) => dayNumber(c) < (dayKnown ? high : high + 1));
  if (weekday !== undefined) {
    const agreeing = candidates.filter((c) => weekdayOf(c) === weekday);
    if (agreeing.length > 0) candidates = agreeing;
  }
  const distance = (c: YMD) => {
    const n = dayNumber(c);
    return n < low ? low - n : n > high ? n - high : 0;
  };
  candidates.sort((a, b) => distance(a) - distance(b) || dayNumber(a) - dayNumber(b));
  if (direction === 'prochain' || direction === 'dernier') {
    candidates.sort((a, b) => (direction === 'prochain' ? dayNumber(a) - dayNumber(b) : dayNumber(b) - dayNumber(a)));
  }
  return candidates[0];
}

/** "en juillet" around the article month: the nearest July, or the next / previous one with "prochain" / "dernier". */
function resolveMonth(date: YMD, m: number, direction?: Direction): { y: number; m: number } {
  const refIndex = date.y * 12 + date.m - 1;
  const candidates = [date.y - 1, date.y, date.y + 1].map((y) => ({ y, m, index: y * 12 + m - 1 }));
  const eligible = candidates.filter((c) => (direction === 'prochain' ? c.index > refIndex : direction === 'dernier' ? c.index < refIndex : true));
  eligible.sort((a, b) => Math.abs(a.index - refIndex) - Math.abs(b.index - refIndex) || a.index - b.index);
  const best = eligible[0]!;
  return { y: best.y, m: best.m };
}

/** A weekday alone: the next one (future or "prochain"), or the most recent one; "dernier" / "prochain" exclude the article day. */
function resolveWeekday(today: YMD, weekday: number, direction: Direction | undefined, future: boolean): YMD {
  const current = weekdayOf(today);
  if (future) {
    let ahead = (weekday - current + 7) % 7;
    if (ahead === 0 && direction === 'prochain') ahead = 7;
    return addDays(today, ahead);
  }
  let back = (current - weekday + 7) % 7;
  if (back === 0 && direction === 'dernier') back = 7;
  return addDays(today, -back);
}

/** "samedi 14": the 14th, in the article's month or one either side, that falls on a Saturday, nearest first; else none. */
function resolveWeekdayDay(date: YMD, weekday: number, d: number): YMD | undefined {
  const origin = dayNumber(date);
  const candidates: YMD[] = [];
  for (const shift of [0, -1, 1]) {
    const { y, m } = shiftMonth(date.y, date.m, shift);
    if (isValidDate(y, m, d) && weekdayOf({ y, m, d }) === weekday) candidates.push({ y, m, d });
  }
  candidates.sort((a, b) => Math.abs(dayNumber(a) - origin) - Math.abs(dayNumber(b) - origin));
  return candidates[0];
}

/** The sentence around `index` (folded text), for the tense of a weekday. */
function sentenceAround(folded: string, index: number): string {
  const before = folded.slice(Math.max(0, index - 300), index);
  const after = folded.slice(index, index + 300);
  const startCut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '), before.lastIndexOf('\n'));
  const endMatch = /[.?!\n](?:\s|$)/.exec(after);
  return before.slice(startCut + 1) + (endMatch ? after.slice(0, endMatch.index) : after);
}
