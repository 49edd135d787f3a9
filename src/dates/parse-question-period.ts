import type { Span } from '../core/types.js';
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
  isValidDate,
  localDay,
  monthNumber,
  shiftMonth,
  weekdayNumber,
  weekdayOf,
  type YMD,
} from './french-calendar.js';
import { describeRange, formatDayFr, type DateRange } from './date-range.js';
import { isUnitWord } from './unit-words.js';

/** A period named in a question, as search filters plus what to tell the reader. */
export interface QuestionPeriod {
  /** Inclusive first day, `YYYY-MM-DD`; absent for "avant 2018". */
  since?: string;
  /** Inclusive last day, `YYYY-MM-DD`; absent for "depuis 2020". */
  until?: string;
  /** French label for the answer: the expression as written, with the resolved dates when it was relative ("l'an dernier (2015)"). */
  label: string;
  /** Where the expression is in the question (UTF-16 offsets), for `stripPeriod`. */
  span: Span;
  /** The expression writes its year and is not relative to today ("en 2016", "fin juin 2020"; not "fin juin", "l'an dernier"). */
  absolute: boolean;
}

/** Years accepted in questions: publication dates of a news corpus, not history ("la guerre de 1870" names no filter). */
const MIN_YEAR = 1900;
const MAX_YEAR = 2099;

const END = '(?![\\p{L}\\p{N}])';
// `d` gives group offsets, needed to look at the original spelling of a matched word.
const sticky = (source: string) => new RegExp(source, 'uyd');

/** One date term before it is resolved: a year may be borrowed from the other end of a range. */
interface Term {
  end: number;
  kind: 'day' | 'month' | 'year' | 'decade' | 'season' | 'resolved';
  y?: number;
  m?: number;
  d?: number;
  /** "début" / "mi" / "fin": a part of a month or a year. */
  mod?: 'debut' | 'mi' | 'fin';
  season?: Season;
  /** Set for relative terms ("hier", "l'an dernier"), already resolved against `now`. */
  range?: Required<DateRange>;
  /** The term depends on `now` (no explicit year), so the label shows the resolved dates. */
  relative: boolean;
}

type Season = 'printemps' | 'ete' | 'automne' | 'hiver';

/** Astronomical seasons at their usual French dates; winter YYYY starts on 21 December YYYY. */
const SEASONS: Record<Season, { from: [number, number]; to: [number, number] }> = {
  printemps: { from: [3, 20], to: [6, 20] },
  ete: { from: [6, 21], to: [9, 22] },
  automne: { from: [9, 23], to: [12, 20] },
  hiver: { from: [12, 21], to: [3, 19] },
};

const NUMBER_WORDS: Record<string, number> = {
  deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10, onze: 11, douze: 12, quinze: 15, trente: 30,
};

const RE = {
  iso: sticky(`(\\d{4})-(\\d{2})-(\\d{2})${END}`),
  numeric: sticky(`(\\d{1,2})[/.](\\d{1,2})[/.](\\d{4})${END}`),
  mod: sticky(`(debut|fin|mi)(?:[\\s-]+)`),
  dayMonth: sticky(`(?:(${WEEKDAY_PATTERN})\\s+)?(${DAY_PATTERN})\\s+(${MONTH_PATTERN})${END}(?:\\s+(\\d{4})${END})?`),
  bareDay: sticky(`(?:(${WEEKDAY_PATTERN})\\s+)?(${DAY_PATTERN})${END}`),
  month: sticky(`(?:(?:le\\s+)?mois\\s+(?:de\\s+|d'))?(${MONTH_PATTERN})${END}(?:\\s+(\\d{4})${END})?`),
  year: sticky(`(?:l'annee\\s+|l'an\\s+)?(\\d{4})${END}`),
  decade: sticky(`(?:les\\s+)?annees\\s+(\\d{4}|\\d{2})${END}`),
  season: sticky(`(?:l')?(printemps|ete|automne|hiver)${END}(?:\\s+(\\d{4})(?:-(\\d{4}))?${END})?`),
  weekday: sticky(`(${WEEKDAY_PATTERN})${END}(?:\\s+(dernier))?`),
  relative: sticky(
    `(l'an\\s+dernier|l'annee\\s+derniere|l'an\\s+passe|l'annee\\s+passee|cette\\s+annee|l'annee\\s+en\\s+cours|le\\s+debut\\s+de\\s+l'annee|le\\s+mois\\s+dernier|le\\s+mois\\s+passe|ce\\s+mois-ci|ce\\s+mois|la\\s+semaine\\s+derniere|la\\s+semaine\\s+passee|cette\\s+semaine|le\\s+week-end\\s+dernier|ce\\s+week-end|avant-hier|hier|aujourd'hui)${END}`,
  ),
  lastN: sticky(
    `(?:au\\s+cours\\s+des|pendant\\s+les|durant\\s+les|ces|les|sur\\s+les)\\s+(\\d{1,3}|${Object.keys(NUMBER_WORDS).join('|')})\\s+derni(?:ers|eres)\\s+(jours|semaines|mois|annees|ans)${END}`,
  ),
  rangeStart: sticky(`(entre|de|du|d')\\s*(?:le\\s+)?`),
  rangeJoin: sticky(`\\s+(et|a|au|jusqu'a|jusqu'au)\\s+(?:le\\s+)?`),
  since: sticky(`(depuis|des|a\\s+partir\\s+du|a\\s+partir\\s+de|a\\s+partir\\s+d'|a\\s+compter\\s+du|a\\s+compter\\s+de)\\s*(?:le\\s+)?`),
  after: sticky(`(apres)\\s+(?:le\\s+)?`),
  before: sticky(`(avant)\\s+(?:le\\s+)?`),
  until: sticky(`(jusqu'en|jusqu'au|jusqu'a|jusqu'a\\s+la\\s+fin\\s+de)\\s*(?:le\\s+)?`),
  within: sticky(
    `(au\\s+cours\\s+de\\s+l'annee|au\\s+cours\\s+du\\s+mois\\s+de|au\\s+cours\\s+du\\s+mois\\s+d'|au\\s+cours\\s+de|au\\s+cours\\s+du|au\\s+mois\\s+de|au\\s+mois\\s+d'|pendant|durant|courant|pour|dans|en|de|d'|le|du|au|a|sur)\\s*`,
  ),
};

const isYear = (y: number) => y >= MIN_YEAR && y <= MAX_YEAR;

/**
 * Finds the French date expression in a question ("en 2016", "l'an dernier", "entre mars et mai 2020",
 * "depuis lundi") and turns it into an inclusive period. Relative expressions are resolved against the local
 * calendar day of `now`; a month or day without a year is the most recent one not after `now`. When several
 * expressions occur, the longest wins (then the first). Returns undefined when the question names no period.
 */
export function parseQuestionPeriod(question: string, now: Date): QuestionPeriod | undefined {
  const folded = foldFrench(question);
  const today = localDay(now);
  let best: { start: number; end: number; range: DateRange; relative: boolean } | undefined;
  const consider = (start: number, end: number, range: DateRange | undefined, relative: boolean) => {
    if (!range || (!range.from && !range.to)) return;
    if (!best || end - start > best.end - best.start) best = { start, end, range, relative };
  };

  for (let pos = 0; pos < folded.length; pos++) {
    if (pos > 0 && /[\p{L}\p{N}]/u.test(folded[pos - 1]!) && folded[pos - 1] !== "'") continue;
    if (!/[\p{L}\p{N}]/u.test(folded[pos]!)) continue;
    scanAt(question, folded, pos, today, consider);
  }
  if (!best) return undefined;
  const { start, end, range, relative } = best;
  const written = question.slice(start, end).replace(/\s+/g, ' ');
  const expression = written.charAt(0).toLowerCase() + written.slice(1);
  const explicitYear = /\d{4}/.test(written);
  const detail = range.from && range.to ? describeRange(range) : formatDayFr((range.from ?? range.to)!);
  const label = relative || !explicitYear ? `${expression} (${detail})` : expression;
  return {
    ...(range.from ? { since: formatDay(range.from) } : {}),
    ...(range.to ? { until: formatDay(range.to) } : {}),
    label,
    span: { start, end },
    absolute: explicitYear && !relative,
  };
}

/** Removes the period expression from the question so retrieval does not look for "2016" as a word. */
export function stripPeriod(question: string, span: Span): string {
  const start = Math.max(0, Math.min(span.start, question.length));
  const end = Math.max(start, Math.min(span.end, question.length));
  const joined = `${question.slice(0, start)} ${question.slice(end)}`;
  return joined
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?…)])/g, (_m, p: string) => (p === '?' || p === '!' || p === ':' || p === ';' ? ` ${p}` : p))
    .replace(/^[\s,;:.]+/, '')
    .replace(/,(\s*[?!.])/g, '$1')
    .trim();
}

type Consider = (start: number, end: number, range: DateRange | undefined, relative: boolean) => void;

function scanAt(original: string, folded: string, pos: number, today: YMD, consider: Consider): void {
  const exec = (re: RegExp, at: number) => {
    re.lastIndex = at;
    return re.exec(folded);
  };

  // "entre mars et mai 2020", "du 3 au 5 mars 2020", "de 2016 à 2018"
  const open = exec(RE.rangeStart, pos);
  if (open) {
    const first = parseTerm(original, folded, open.index + open[0].length, today, true);
    const join = first && exec(RE.rangeJoin, first.end);
    const joinOk = join && (open[1] === 'entre' ? join[1] === 'et' : join[1] !== 'et');
    if (first && join && joinOk) {
      const second = parseTerm(original, folded, join.index + join[0].length, today, false);
      // The first end borrows the second's year, so only the second (or a relative first end) makes the range relative.
      if (second) consider(pos, second.end, resolvePair(first, second, today), second.relative || first.kind === 'resolved');
    }
  }

  const lastN = exec(RE.lastN, pos);
  if (lastN) {
    const n = NUMBER_WORDS[lastN[1]!] ?? Number(lastN[1]);
    const unit = lastN[2]!;
    let from: YMD;
    if (unit === 'jours') from = addDays(today, -n);
    else if (unit === 'semaines') from = addDays(today, -7 * n);
    else {
      const months = unit === 'mois' ? n : 12 * n;
      const shifted = shiftMonth(today.y, today.m, -months);
      from = { ...shifted, d: Math.min(today.d, daysInMonth(shifted.y, shifted.m)) };
    }
    if (n > 0) consider(pos, lastN.index + lastN[0].length, { from, to: today }, true);
  }

  const prefixed: Array<[RegExp, (r: Required<DateRange>) => DateRange]> = [
    [RE.since, (r) => ({ from: r.from })],
    [RE.after, (r) => ({ from: addDays(r.to, 1) })],
    [RE.before, (r) => ({ to: addDays(r.from, -1) })],
    [RE.until, (r) => ({ to: r.to })],
    [RE.within, (r) => r],
  ];
  for (const [re, apply] of prefixed) {
    const match = exec(re, pos);
    if (!match) continue;
    // Folded "des" is both "dès" (since) and the article "des" ("des années 2010"): only the accented one counts.
    if (match[1] === 'des' && original.slice(pos, pos + 3).toLowerCase() !== 'dès') continue;
    // Folded "a" is both "à" and the verb ("Qui a été élu ?", "Qui a mai…"): only the accented one is a preposition.
    if (match[1] === 'a' && original.slice(pos, pos + 1).toLowerCase() !== 'à') continue;
    const term = parseTerm(original, folded, match.index + match[0].length, today, false);
    // "d'été" without a year is an adjective ("les Jeux olympiques d'été", "l'heure d'été"), not a period.
    if (term && term.kind === 'season' && term.y === undefined && (match[1] === 'de' || match[1] === "d'")) continue;
    if (term) consider(pos, term.end, apply(resolveTerm(term, today)), term.relative);
  }

  // A bare term: a year ("la présidentielle 2017"), a full date, "hier", "lundi", "fin juillet"; a plain month or
  // season needs a year to stand alone ("mai" or "été" in a question are rarely a filter without a preposition).
  const bare = parseTerm(original, folded, pos, today, false);
  const weak = bare && (bare.kind === 'month' || bare.kind === 'season') && bare.y === undefined && !bare.mod;
  if (bare && !weak) consider(pos, bare.end, resolveTerm(bare, today), bare.relative);
}

/** Parses one date term at `pos` in the folded question. */
function parseTerm(original: string, folded: string, pos: number, today: YMD, allowBareDay: boolean): Term | undefined {
  const exec = (re: RegExp, at: number) => {
    re.lastIndex = at;
    return re.exec(folded);
  };
  const endOf = (m: RegExpExecArray) => m.index + m[0].length;

  const iso = exec(RE.iso, pos);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (isValidDate(y, m, d) && isYear(y)) return { end: endOf(iso), kind: 'day', y, m, d, relative: false };
  }
  const numeric = exec(RE.numeric, pos);
  if (numeric) {
    const [d, m, y] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
    if (isValidDate(y, m, d) && isYear(y)) return { end: endOf(numeric), kind: 'day', y, m, d, relative: false };
  }

  const relative = exec(RE.relative, pos);
  if (relative) return { end: endOf(relative), kind: 'resolved', range: relativeRange(relative[1]!, today), relative: true };

  const mod = exec(RE.mod, pos);
  const at = mod ? endOf(mod) : pos;
  const modifier = mod ? (mod[1] as Term['mod']) : undefined;

  const dayMonth = exec(RE.dayMonth, at);
  if (dayMonth) {
    const d = dayWord(dayMonth[2]!);
    const m = monthNumber(dayMonth[3]!)!;
    const y = dayMonth[4] === undefined ? undefined : Number(dayMonth[4]);
    if (y === undefined || isYear(y)) return { end: endOf(dayMonth), kind: 'day', y, m, d, relative: y === undefined };
  }
  if (allowBareDay && !modifier) {
    const bareDay = exec(RE.bareDay, at);
    if (bareDay) return { end: endOf(bareDay), kind: 'day', d: dayWord(bareDay[2]!), relative: true };
  }
  const month = exec(RE.month, at);
  if (month) {
    const m = monthNumber(month[1]!)!;
    const y = month[2] === undefined ? undefined : Number(month[2]);
    const monthStart = month.indices![1]![0];
    // "Mars" with a capital and no year is the planet, not the month.
    const planet = y === undefined && original.slice(monthStart, monthStart + 4) === 'Mars';
    if (!planet && (y === undefined || isYear(y))) {
      const end = endOf(month);
      return { end, kind: 'month', y, m, mod: modifier, relative: y === undefined };
    }
  }
  const year = exec(RE.year, at);
  if (year) {
    const y = Number(year[1]);
    if (isYear(y) && !isUnitWord(folded, endOf(year)) && !/^[.,]\d/.test(folded.slice(endOf(year)))) {
      return { end: endOf(year), kind: 'year', y, mod: modifier, relative: false };
    }
  }
  if (modifier) return undefined;
  const decade = exec(RE.decade, pos);
  if (decade) {
    const raw = Number(decade[1]);
    const y = decade[1]!.length === 2 ? (raw >= 30 ? 1900 + raw : 2000 + raw) : raw;
    if (y % 10 === 0 && y >= MIN_YEAR - 100 && y <= MAX_YEAR) return { end: endOf(decade), kind: 'decade', y, relative: false };
  }
  const season = exec(RE.season, pos);
  if (season) {
    const y = season[2] === undefined ? undefined : Number(season[2]);
    if (y === undefined || isYear(y)) {
      return { end: endOf(season), kind: 'season', season: season[1] as Season, y, relative: y === undefined };
    }
  }
  const weekday = exec(RE.weekday, pos);
  if (weekday) {
    const target = weekdayNumber(weekday[1]!)!;
    // The most recent such day not after today; "lundi dernier" said on a Monday is a week ago.
    let back = (weekdayOf(today) - target + 7) % 7;
    if (back === 0 && weekday[2]) back = 7;
    const day = addDays(today, -back);
    return { end: endOf(weekday), kind: 'resolved', range: { from: day, to: day }, relative: true };
  }
  return undefined;
}

function relativeRange(phrase: string, today: YMD): Required<DateRange> {
  const p = phrase.replace(/\s+/g, ' ');
  const year = (y: number) => ({ from: { y, m: 1, d: 1 }, to: { y, m: 12, d: 31 } });
  const month = (y: number, m: number) => ({ from: { y, m, d: 1 }, to: { y, m, d: daysInMonth(y, m) } });
  const monday = addDays(today, -((weekdayOf(today) + 6) % 7));
  switch (p) {
    case "l'an dernier":
    case "l'annee derniere":
    case "l'an passe":
    case "l'annee passee":
      return year(today.y - 1);
    case 'cette annee':
    case "l'annee en cours":
      return year(today.y);
    case "le debut de l'annee":
      return { from: { y: today.y, m: 1, d: 1 }, to: { y: today.y, m: 3, d: 31 } };
    case 'le mois dernier':
    case 'le mois passe': {
      const previous = shiftMonth(today.y, today.m, -1);
      return month(previous.y, previous.m);
    }
    case 'ce mois-ci':
    case 'ce mois':
      return month(today.y, today.m);
    case 'la semaine derniere':
    case 'la semaine passee':
      return { from: addDays(monday, -7), to: addDays(monday, -1) };
    case 'cette semaine':
      return { from: monday, to: addDays(monday, 6) };
    case 'le week-end dernier':
    case 'ce week-end': {
      const saturday = addDays(today, -((weekdayOf(today) + 1) % 7));
      return { from: saturday, to: addDays(saturday, 1) };
    }
    case 'avant-hier':
      return { from: addDays(today, -2), to: addDays(today, -2) };
    case 'hier':
      return { from: addDays(today, -1), to: addDays(today, -1) };
    default:
      return { from: today, to: today };
  }
}

/** The most recent year in which (m, d) is not after today. */
function recentYear(today: YMD, m: number, d = 1): number {
  return m < today.m || (m === today.m && d <= today.d) ? today.y : today.y - 1;
}

function resolveTerm(term: Term, today: YMD, yearHint?: number): Required<DateRange> {
  switch (term.kind) {
    case 'resolved':
      return term.range!;
    case 'day': {
      const m = term.m ?? today.m;
      const y = term.y ?? yearHint ?? (term.m === undefined ? today.y : recentYear(today, m, term.d));
      const d = Math.min(term.d!, daysInMonth(y, m));
      return { from: { y, m, d }, to: { y, m, d } };
    }
    case 'month': {
      const m = term.m!;
      const y = term.y ?? yearHint ?? recentYear(today, m);
      const last = daysInMonth(y, m);
      const [from, to] = term.mod === 'debut' ? [1, 10] : term.mod === 'mi' ? [11, 20] : term.mod === 'fin' ? [21, last] : [1, last];
      return { from: { y, m, d: from }, to: { y, m, d: to } };
    }
    case 'year': {
      const y = term.y!;
      const [from, to] = term.mod === 'debut' ? [1, 3] : term.mod === 'mi' ? [5, 8] : term.mod === 'fin' ? [10, 12] : [1, 12];
      return { from: { y, m: from, d: 1 }, to: { y, m: to, d: daysInMonth(y, to) } };
    }
    case 'decade':
      return { from: { y: term.y!, m: 1, d: 1 }, to: { y: term.y! + 9, m: 12, d: 31 } };
    case 'season': {
      const s = SEASONS[term.season!];
      const crosses = s.to[0] < s.from[0];
      let y = term.y ?? yearHint;
      if (y === undefined) {
        // The most recent season that has begun by today.
        y = today.y;
        if (dayNumber({ y, m: s.from[0], d: s.from[1] }) > dayNumber(today)) y -= 1;
      }
      return { from: { y, m: s.from[0], d: s.from[1] }, to: { y: crosses ? y + 1 : y, m: s.to[0], d: s.to[1] } };
    }
  }
}

/** Resolves the two ends of a range; the first borrows the second's year or month when it has none. */
function resolvePair(first: Term, second: Term, today: YMD): DateRange | undefined {
  if (second.kind === 'day' && second.m === undefined) return undefined;
  let firstTerm = first;
  if (first.kind === 'day' && first.m === undefined) {
    if (second.kind !== 'day') return undefined;
    firstTerm = { ...first, m: second.m, y: second.y, relative: second.relative };
  }
  const to = resolveTerm(second, today).to;
  let hint: number | undefined;
  if (firstTerm.y === undefined && (firstTerm.kind === 'day' || firstTerm.kind === 'month' || firstTerm.kind === 'season')) {
    const firstMonth = firstTerm.m ?? 1;
    hint = firstMonth > to.m || (firstMonth === to.m && (firstTerm.d ?? 1) > to.d) ? to.y - 1 : to.y;
    if (firstTerm.kind === 'season') hint = undefined;
  }
  const from = resolveTerm(firstTerm, today, hint).from;
  if (dayNumber(from) > dayNumber(to)) return undefined;
  return { from, to };
}
