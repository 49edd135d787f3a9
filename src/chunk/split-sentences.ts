import type { Span } from '../core/types.js';

/**
 * Sentence spans for French news text: Intl.Segmenter (ICU) paragraph by paragraph, then corrections ICU gets wrong
 * on this text: abbreviations and initials ("M. Macron", "J.-Y. Le Drian", "U.S.A."), closing quotes it leaves to the
 * next sentence ("« Bonjour. » Il"), breaks inside URLs, and glued sentences it misses ("terroriste.Au").
 */

/** ICU's sentence breaking is quadratic on long inputs, so no single call gets more than this many characters. */
const SEGMENTER_BLOCK_CHARS = 8000;
/** A "sentence" longer than this many words is cut at word boundaries (lists, tables, text without punctuation). */
export const MAX_SENTENCE_WORDS = 60;
/** When cutting a long sentence, a clause end (, ; : ) ») among the last words of a piece is preferred. */
const MIN_PIECE_WORDS = 30;

const segmenter = new Intl.Segmenter('fr', { granularity: 'sentence' });

/** Titles and common abbreviations that end with a period but never end a sentence. */
const ABBREVIATIONS = new Set([
  'M', 'MM', 'Mme', 'Mmes', 'Mlle', 'Mlles', 'Mgr', 'Me', 'Dr', 'Drs', 'Pr', 'Prof', 'St', 'Ste', 'Sts', 'Mr', 'Mrs',
  'Ms', 'Jr', 'Sr', 'Gén', 'Gal', 'Col', 'Cdt', 'Lt', 'Cie', 'Ets', 'Vve', 'cf', 'Cf', 'p', 'pp', 'ex', 'Ex', 'env',
  'av', 'apr', 'art', 'Art', 'al', 'chap', 'vol', 'éd', 'coll', 'fig', 'hab', 'n', 'no', 'No', 'nos', 'tél', 'Tél',
  'bd', 'boul', 'réf', 'resp', 'vs', 'janv', 'févr', 'fév', 'avr', 'juil', 'sept', 'oct', 'nov', 'déc', 'min', 'max',
]);
/** Initials: "M.", "U.S.A.", "J.-Y.", "J.-C." */
const INITIALS = /^\p{Lu}\.(?:-?\p{Lu}\.)*$/u;
const OPENING_PUNCTUATION = /^[«"“‘'(\[]+/u;
const SPACE = /[\s\u00A0\u202F]/;
const NOT_SPACE = /[^\s\u00A0\u202F]/;
const CLOSERS = new Set(['»', '”', '’', ')', ']']);

/**
 * Absolute spans of the sentences of `text.slice(from, to)`, in order, non-overlapping, trimmed of whitespace, together
 * covering every non-space character. Paragraphs (separated by a blank line) never share a sentence.
 */
export function splitSentences(text: string, from = 0, to = text.length): Span[] {
  const lo = Math.max(0, Math.min(from, text.length));
  const hi = Math.max(lo, Math.min(to, text.length));
  const spans: Span[] = [];
  const paragraphBreak = /\n[ \t\u00A0\u202F]*\n/g;
  paragraphBreak.lastIndex = lo;
  let start = lo;
  let m: RegExpExecArray | null;
  while ((m = paragraphBreak.exec(text)) !== null && m.index < hi) {
    splitParagraph(text, start, m.index, spans);
    start = m.index + m[0].length;
  }
  if (start < hi) splitParagraph(text, start, hi, spans);
  return spans;
}

function splitParagraph(text: string, start: number, end: number, out: Span[]): void {
  if (!NOT_SPACE.test(text.slice(start, end))) return;
  // 1. Candidate boundaries from ICU, block by block.
  const breaks: number[] = [];
  let blockStart = start;
  while (blockStart < end) {
    const blockEnd = end - blockStart > SEGMENTER_BLOCK_CHARS ? blockCut(text, blockStart, end) : end;
    const block = text.slice(blockStart, blockEnd);
    for (const segment of segmenter.segment(block)) {
      if (segment.index > 0) breaks.push(blockStart + segment.index);
    }
    if (blockEnd < end) breaks.push(blockEnd);
    blockStart = blockEnd;
  }

  // 2. Keep the boundaries that really end a sentence, moving closing quotes to the sentence they close.
  const cuts: number[] = [];
  let sentenceStart = start;
  for (const b of breaks) {
    const cut = confirmBreak(text, sentenceStart, b, end);
    if (cut !== undefined && cut > sentenceStart && cut < end) {
      cuts.push(cut);
      sentenceStart = cut;
    }
  }
  cuts.push(end);

  // 3. Split glued sentences inside each piece, trim, and cut very long ones.
  let pieceStart = start;
  for (const cut of cuts) {
    for (const span of splitGlued(text, pieceStart, cut)) pushTrimmed(text, span.start, span.end, out);
    pieceStart = cut;
  }
}

/** Where to end an ICU block: after the last sentence end or newline of its second half, else the last space. */
function blockCut(text: string, start: number, end: number): number {
  const limit = start + SEGMENTER_BLOCK_CHARS;
  const half = start + SEGMENTER_BLOCK_CHARS / 2;
  const window = text.slice(half, limit);
  const sentenceEnd = /[.!?…]["»”)]*[\s\u00A0]+|\n/g;
  let best = -1;
  let m: RegExpExecArray | null;
  while ((m = sentenceEnd.exec(window)) !== null) best = m.index + m[0].length;
  if (best > 0) return half + best;
  for (let i = limit; i > half; i--) if (SPACE.test(text[i - 1]!)) return i;
  return safeCut(text, Math.min(limit, end));
}

/**
 * Decides an ICU boundary `b` (start of the next segment). Returns the confirmed boundary (possibly moved past closing
 * quotes) or undefined to merge the two segments.
 */
function confirmBreak(text: string, sentenceStart: number, b: number, paragraphEnd: number): number | undefined {
  let contentEnd = b;
  while (contentEnd > sentenceStart && SPACE.test(text[contentEnd - 1]!)) contentEnd--;
  if (contentEnd === sentenceStart) return undefined;
  const glued = contentEnd === b;

  // Closing quotes/parentheses that ICU gave to the next segment belong to this sentence.
  let next = b;
  let movedQuote = false;
  for (;;) {
    while (next < paragraphEnd && SPACE.test(text[next]!)) next++;
    const c = text[next];
    if (c !== undefined && (CLOSERS.has(c) || (c === '"' && isOddQuoteCount(text, sentenceStart, next)))) {
      next++;
      movedQuote = true;
      continue;
    }
    break;
  }
  if (next >= paragraphEnd) return undefined;
  const following = text[next]!;
  if (movedQuote) {
    // "« Vraiment ? » demanda-t-il" goes on; "« Bonjour. » Il" ends after the quote.
    if (/[\p{Ll},;:\-–—]/u.test(following)) return undefined;
    return next;
  }

  const last = text[contentEnd - 1]!;
  if (last === '.' && isAbbreviation(lastToken(text, sentenceStart, contentEnd))) return undefined;
  if (glued) {
    // ICU breaks inside "https://a.b?c=1"; keep only real glued sentences ("Oui?Non").
    if (!/[.!?…]/.test(last) || !/[\p{Lu}«"“]/u.test(following) || isUrlLike(tokenAround(text, contentEnd))) return undefined;
  }
  return b;
}

function isOddQuoteCount(text: string, from: number, to: number): boolean {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 34) n++;
  return n % 2 === 1;
}

/** The whitespace-delimited token ending at `end`, without opening punctuation. */
function lastToken(text: string, from: number, end: number): string {
  let i = end;
  while (i > from && !SPACE.test(text[i - 1]!)) i--;
  return text.slice(i, end).replace(OPENING_PUNCTUATION, '');
}

function tokenAround(text: string, at: number): string {
  let i = at;
  let j = at;
  while (i > 0 && !SPACE.test(text[i - 1]!)) i--;
  while (j < text.length && !SPACE.test(text[j]!)) j++;
  return text.slice(i, j);
}

/** "M.", "Mme.", "J.-Y.", "U.S.A.", "cf.", "art." (a token ending with its period). */
function isAbbreviation(token: string): boolean {
  if (!token.endsWith('.')) return false;
  if (INITIALS.test(token)) return true;
  const word = token.slice(0, -1);
  return ABBREVIATIONS.has(word);
}

function isUrlLike(token: string): boolean {
  return token.includes('://') || /(?:^|[^\p{L}])www\./iu.test(token) || /\S@\S/.test(token);
}

/** Splits "terroriste.Au cours" after the period, except in URLs, e-mails and abbreviations. */
function splitGlued(text: string, start: number, end: number): Span[] {
  const spans: Span[] = [];
  let from = start;
  // Jumps from punctuation mark to punctuation mark; a regex with look-behind on Unicode classes is much slower here.
  const punctuation = /[.!?…]/g;
  for (let i = start + 1; i < end - 1; i++) {
    punctuation.lastIndex = i;
    const found = punctuation.exec(text);
    if (found === null || found.index >= end - 1) break;
    i = found.index;
    const c = text.charCodeAt(i);
    let j = i + 1;
    while (j < end && isTerminal(text.charCodeAt(j))) j++;
    const afterQuote = text.charCodeAt(j) === 34 || text.charCodeAt(j) === 0xab || text.charCodeAt(j) === 0x201c ? j + 1 : j;
    if (afterQuote >= end || !isUpper(text, afterQuote) || !GLUED_BEFORE.test(text[i - 1]!)) {
      i = j - 1;
      continue;
    }
    let cut = j;
    if (isUrlLike(tokenAround(text, i)) || (j === i + 1 && c === 46 && isAbbreviation(lastToken(text, from, cut)))) {
      i = j - 1;
      continue;
    }
    // `."Ils` opens a quote; `"Je pars."Le` closes one: the quote goes with the sentence it closes.
    if (text.charCodeAt(cut) === 34 && isOddQuoteCount(text, from, cut)) cut++;
    spans.push({ start: from, end: cut });
    from = cut;
    i = cut - 1;
  }
  spans.push({ start: from, end });
  return spans;
}

/** What may precede glued sentence-final punctuation: a lowercase letter, a digit, a closing quote or parenthesis. */
const GLUED_BEFORE = /[\p{Ll}\d»”)\]"'’]/u;

function isTerminal(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 0x2026;
}

function isUpper(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c >= 65 && c <= 90) return true;
  if (c < 0xc0) return false;
  const ch = String.fromCodePoint(text.codePointAt(at)!);
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

function pushTrimmed(text: string, start: number, end: number, out: Span[]): void {
  let s = start;
  let e = end;
  while (s < e && SPACE.test(text[s]!)) s++;
  while (e > s && SPACE.test(text[e - 1]!)) e--;
  if (s === e) return;
  if (hasManyWords(text, s, e)) cutLongSentence(text, s, e, out);
  else out.push({ start: s, end: e });
}

/** More than MAX_SENTENCE_WORDS space-separated words (cheap: counts spaces, stops early). */
function hasManyWords(text: string, start: number, end: number): boolean {
  // At least 2 characters a word: only a long span can hold too many words.
  if (end - start < MAX_SENTENCE_WORDS * 2) return false;
  let spaces = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c === 32 || c === 0xa0 || c === 0x202f || c === 10 || c === 9) && ++spaces >= MAX_SENTENCE_WORDS) return true;
  }
  return false;
}

/** Cuts a span of more than MAX_SENTENCE_WORDS words into pieces of at most that many, preferring clause ends. */
function cutLongSentence(text: string, start: number, end: number, out: Span[]): void {
  const words: Span[] = [];
  const wordPattern = /[^\s\u00A0\u202F]+/g;
  wordPattern.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = wordPattern.exec(text)) !== null && m.index < end) {
    words.push({ start: m.index, end: Math.min(end, m.index + m[0].length) });
  }
  if (words.length <= MAX_SENTENCE_WORDS) {
    out.push({ start, end });
    return;
  }
  let first = 0;
  while (first < words.length) {
    let last = Math.min(words.length, first + MAX_SENTENCE_WORDS) - 1;
    if (last < words.length - 1) {
      for (let k = last; k >= first + MIN_PIECE_WORDS - 1; k--) {
        if (/[,;:)»—–]$/u.test(text.slice(words[k]!.start, words[k]!.end))) {
          last = k;
          break;
        }
      }
    }
    out.push({ start: words[first]!.start, end: words[last]!.end });
    first = last + 1;
  }
}

/** Moves a cut off the middle of a surrogate pair. */
export function safeCut(text: string, at: number): number {
  const c = text.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff ? at - 1 : at;
}
