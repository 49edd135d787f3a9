/**
 * Question words the corpus never uses are most often a form the stemmer keeps apart or a typo: "repoussent" (the
 * French Snowball stemmer leaves the third person plural "-ent" on: `repoussent`, not `repouss`), "Strutthof" for
 * "Stutthof", "institutionel". Searched as written they match nothing; respelled to the form the corpus does use, they
 * find the passage. Only unknown terms are touched: a word the corpus knows is never second-guessed.
 */
import { analyze, foldText } from '../lexical/french-analyzer.js';
import type { ParsedQuestion } from './parse-question.js';

/** Options of {@link respellUnknownTerms}. */
export interface RespellOptions {
  /**
   * Shortest unknown stem, in characters, corrected by one edit (a letter deleted, inserted, replaced, or two swapped).
   * Shorter stems have too many one-edit neighbours ("nour" -> cour, jour, tour). Default 7.
   */
  minEditLength?: number;
}

/** Letters a folded stem is made of (accents are folded away by the analyzer). */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Default shortest stem corrected by one edit (see {@link RespellOptions.minEditLength}). */
export const MIN_EDIT_LENGTH = 7;

/**
 * The question with each term of document frequency 0 replaced by a known form, when one is found: first the verb
 * without its plural ending (`-ent` -> `-e`, stemmed again), then, for stems of at least `minEditLength` letters, the
 * most frequent known term one edit away. The replacement keeps the term's weight; a term with no known form stays.
 */
export function respellUnknownTerms(question: ParsedQuestion, docFreq: (term: string) => number, options: RespellOptions = {}): ParsedQuestion {
  const minEditLength = options.minEditLength ?? MIN_EDIT_LENGTH;
  if (question.terms.every((t) => docFreq(t.term) > 0)) return question;
  const seen = new Set(question.terms.map((t) => t.term));
  const terms = question.terms.map((t) => {
    if (docFreq(t.term) > 0) return t;
    const token = question.tokens.find((k) => k.term === t.term);
    const written = token ? question.text.slice(token.start, token.end) : undefined;
    const known = (written && withoutPluralEnding(written, docFreq)) ?? nearestKnown(t.term, docFreq, minEditLength);
    if (known === undefined || seen.has(known)) return t;
    seen.add(known);
    return { term: known, weight: t.weight };
  });
  return { ...question, terms };
}

/** "repoussent" -> "repouss" when the corpus knows it: the verb's third person plural read as its singular. */
function withoutPluralEnding(word: string, docFreq: (term: string) => number): string | undefined {
  const folded = foldText(word);
  if (!folded.endsWith('ent') || folded.endsWith('ment') || folded.length < 6) return undefined;
  const stem = analyze(word.slice(0, -2))[0];
  return stem !== undefined && docFreq(stem) > 0 ? stem : undefined;
}

/** The known term one edit away from `term` with the highest document frequency (ties: alphabetical order). */
function nearestKnown(term: string, docFreq: (term: string) => number, minLength: number): string | undefined {
  if (term.length < minLength || !/^[a-z]+$/.test(term)) return undefined;
  let best: string | undefined;
  let bestDf = 0;
  const consider = (candidate: string) => {
    const df = docFreq(candidate);
    if (df > bestDf || (df === bestDf && df > 0 && best !== undefined && candidate < best)) {
      best = candidate;
      bestDf = df;
    }
  };
  for (let i = 0; i <= term.length; i++) {
    const head = term.slice(0, i);
    if (i < term.length) {
      const tail = term.slice(i + 1);
      consider(head + tail);
      if (i + 1 < term.length) consider(head + term[i + 1] + term[i] + term.slice(i + 2));
      for (const c of LETTERS) if (c !== term[i]) consider(head + c + tail);
    }
    for (const c of LETTERS) consider(head + c + term.slice(i));
  }
  return best;
}
