/**
 * French text analysis for the lexical index and for everything that compares a question with article text.
 *
 * The original text is never changed: every token keeps the UTF-16 span it came from, so callers can quote
 * `text.slice(start, end)` verbatim. Only the index terms are folded (case, accents, ligatures) and stemmed.
 */
import { createRequire } from 'node:module';
import type snowballStemmers from 'snowball-stemmers';

// snowball-stemmers is one 870 kB CommonJS file: required as CommonJS it loads in ~20 ms, imported from ESM in ~100 ms
// (Node scans the whole file for its named exports first).
const snowball = createRequire(import.meta.url)('snowball-stemmers') as typeof snowballStemmers;

/** One word (or number) of the text, as it was written and as it is indexed. */
export interface Token {
  /** Lower-cased, accent-folded written form, elision removed (`l’Été` -> `ete`). Used for exact phrase matching. */
  surface: string;
  /** Index term (folded Snowball stem, or the normalised number); `null` for a stop word. */
  term: string | null;
  /** UTF-16 span in the analysed text. */
  start: number;
  end: number;
  /** Ordinal of the token among all tokens of the text, stop words included (for proximity). */
  position: number;
  /** For a hyphenated compound (`Jean-Yves`): the whole form as an extra index term (`jeanyves`), else undefined. */
  compound?: string;
}

/**
 * One alternation, tried left to right at each position:
 *   1. numbers with thousands groups: `1.032.913`, `1 032 913` (plain, no-break or narrow no-break spaces), `3 000,5`
 *   2. plain numbers and decimals: `2022`, `14,2`, `3.5`
 *   3. words, with inner apostrophes (elision, aujourd'hui) and hyphens (Jean-Yves, Saint-Étienne)
 * The thousands alternative needs exactly three digits per group so "en 2016 300 000 personnes" stays 2016 | 300000.
 */
const TOKEN_RE =
  /\d{1,3}(?:[.\u0020\u00a0\u202f]\d{3})+(?!\d)(?:,\d+(?!\d))?|\d+(?:[.,]\d+)?|[\p{L}\p{M}\p{N}]+(?:['\u2019\u02bc\u2010\u2011-][\p{L}\p{M}\p{N}]+)*/gu;
const APOSTROPHE_RE = /['\u2019\u02bc]/;
const HYPHEN_RE = /[\u2010\u2011-]/;

/** Elided words that are dropped in front of an apostrophe (`l'été` -> `été`). */
const ELISIONS = new Set(['l', 'd', 'qu', 'jusqu', 'lorsqu', 'puisqu', 'quoiqu', 'presqu', 'n', 's', 'c', 'j', 'm', 't']);

/**
 * French stop words (folded): the Snowball French list plus frequent auxiliaries, pronouns, determiners and
 * question words. Question words are stop words here because they never name the subject of a question.
 */
const STOP_WORDS_TEXT = `
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l a m n s t y
etant etante etants etantes suis es est sommes etes sont serai seras sera serons serez seront
serais serait serions seriez seraient etais etait etions etiez etaient fus fut fumes futes furent sois soit soyons
soyez soient fusse fusses fut fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont
aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eumes
eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent
ceci cela cet cette ici ils les leurs quel quels quelle quelles sans soi celui celle ceux celles dont donc or ni car
comme si plus moins tres aussi ainsi alors apres avant chez entre vers sous depuis pendant lors tout tous toute toutes
autre autres aucun aucune chaque lequel laquelle lesquels lesquelles auquel auxquels duquel desquels
quoi quand comment pourquoi combien ou est-ce estce qu'est-ce cest y a-t-il
fait faire etre avoir peut peuvent doit doivent selon deja encore bien non oui ca cela cet lorsque puisque parce
dont via contre parmi sinon
`;
const STOP_WORDS = new Set(STOP_WORDS_TEXT.split(/\s+/).filter(Boolean));

const stemmer = snowball.newStemmer('french');

/** Lower-case, strip combining marks, expand ligatures. Does not touch length-changing punctuation. */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  // Fast path: plain ASCII needs no decomposition.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  return lower
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss');
}

interface WordInfo {
  surface: string;
  term: string | null;
}

/**
 * Memo of analysed word forms (as written, case included). Snowball costs ~15 µs a word; a news corpus repeats
 * the same few hundred thousand forms, so the memo turns analysis into a Map lookup. Bounded so that a stream of
 * junk cannot grow it without limit.
 */
const wordMemo = new Map<string, WordInfo>();
const WORD_MEMO_LIMIT = 2_000_000;

function analyseWord(word: string): WordInfo {
  let info = wordMemo.get(word);
  if (info !== undefined) return info;
  const lower = word.toLowerCase().replace(/[\u2019\u02bc]/g, "'");
  const surface = foldText(lower);
  let term: string | null;
  if (STOP_WORDS.has(surface) || (surface.length === 1 && !/\d/.test(surface))) term = null;
  else if (/^\d/.test(surface)) term = surface;
  else term = foldText(stemmer.stem(lower));
  info = { surface, term };
  if (wordMemo.size >= WORD_MEMO_LIMIT) wordMemo.clear();
  wordMemo.set(word, info);
  return info;
}

/** Normalised number: separators of thousands removed, decimal comma as a dot (`1 032 913` -> `1032913`, `14,2` -> `14.2`). */
function normaliseNumber(raw: string): string {
  const [intPart, decimal] = raw.includes(',') ? raw.split(',', 2) : splitDot(raw);
  const digits = intPart!.replace(/[^\d]/g, '');
  return decimal ? `${digits}.${decimal}` : digits;
}

function splitDot(raw: string): [string, string | undefined] {
  // "1.032.913" is a thousands-grouped integer; "3.5" is a decimal.
  if (/^\d{1,3}(\.\d{3})+$/.test(raw)) return [raw, undefined];
  const i = raw.indexOf('.');
  return i < 0 ? [raw, undefined] : [raw.slice(0, i), raw.slice(i + 1)];
}

/**
 * Splits text into tokens with their spans. Stop words are kept (with `term: null`) so positions and exact
 * phrases stay intact; elided articles (`l'`, `qu'`...) are dropped. No-break spaces count as spaces.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let position = 0;
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(text)) !== null) {
    const raw = m[0];
    const start = m.index;
    const c0 = raw.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) {
      const n = normaliseNumber(raw);
      out.push({ surface: n, term: n, start, end: start + raw.length, position: position++ });
      continue;
    }
    // Elision: drop known elided prefixes, possibly several (`qu'aujourd'hui` keeps `aujourd'hui`).
    let word = raw;
    let offset = start;
    for (;;) {
      const a = word.search(APOSTROPHE_RE);
      if (a <= 0) break;
      const prefix = foldText(word.slice(0, a));
      if (!ELISIONS.has(prefix)) break;
      word = word.slice(a + 1);
      offset += a + 1;
    }
    if (!HYPHEN_RE.test(word)) {
      pushWord(out, word, offset, position++);
      continue;
    }
    // Hyphenated compound: each part is a token; the whole form is an extra term on the first one.
    const first = out.length;
    let nonStop = 0;
    let compound = '';
    let partStart = 0;
    for (let i = 0; i <= word.length; i++) {
      if (i === word.length || HYPHEN_RE.test(word[i]!)) {
        if (i > partStart) {
          const info = pushWord(out, word.slice(partStart, i), offset + partStart, position++);
          if (info.term !== null) nonStop++;
          compound += info.surface.replace(/['\u2019\u02bc]/g, '');
        }
        partStart = i + 1;
      }
    }
    if (nonStop >= 2 && out.length > first) out[first]!.compound = compound;
  }
  return out;
}

function pushWord(out: Token[], word: string, start: number, position: number): WordInfo {
  const info = analyseWord(word);
  out.push({ surface: info.surface, term: info.term, start, end: start + word.length, position });
  return info;
}

/** Index terms of a text, in order: stems of non-stop words, normalised numbers, and whole hyphenated compounds. */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const t of tokenize(text)) {
    if (t.term !== null) terms.push(t.term);
    if (t.compound !== undefined) terms.push(t.compound);
  }
  return terms;
}

/** Whether a folded surface form is a stop word (for callers that weigh words of a question). */
export function isStopWord(surface: string): boolean {
  return STOP_WORDS.has(surface);
}
