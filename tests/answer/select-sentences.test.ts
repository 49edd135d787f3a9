import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/types.js';
import { readPassage, SentenceTokenCache, startsWithAnaphora } from '../../src/answer/select-sentences.js';
import { analyze, tokenize } from '../../src/lexical/french-analyzer.js';
import { parseQuestion } from '../../src/retrieve/parse-question.js';

/** Sentence spans of a text written with one sentence per full stop. */
function sentencesOf(text: string): Span[] {
  return [...text.matchAll(/[^.\s][^.]*\./g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
}

const idf = () => 1;

describe('readPassage', () => {
  it('counts a word that shares only its prefix with a question word as a partial match', () => {
    const text = 'Le forum se réunira sous la présidence du ministre. Il fera beau à Marrakech.';
    const question = parseQuestion('Qui préside le forum ?');
    const loose = readPassage({ text, sentences: sentencesOf(text) }, question, idf);
    const strict = readPassage({ text, sentences: sentencesOf(text) }, question, idf, { prefixCredit: 0 });
    expect(text.slice(loose.span.start, loose.span.end)).toContain('présidence');
    expect(loose.sentenceCoverage).toBeGreaterThan(strict.sentenceCoverage);
    expect(loose.sentenceCoverage).toBeLessThan(1);
  });

  it('credits the question\'s words found as written above words that only share their stem', () => {
    const question = parseQuestion('Qui repousse les envahisseurs espagnols ?');
    const written = 'Les frères Barberousse repoussent les envahisseurs espagnols hors d’Alger.';
    const stems = 'L’envahisseur espagnol recule devant ceux qui le repoussaient.';
    const same = readPassage({ text: written, sentences: sentencesOf(written) }, question, idf);
    const stemOnly = readPassage({ text: stems, sentences: sentencesOf(stems) }, question, idf);
    // "repoussent" is its own stem (the French stemmer keeps "-ent"): only "envahisseurs" and "espagnols" are written alike.
    expect(same.surfaceCoverage).toBeCloseTo(2 / 3, 5);
    expect(stemOnly.surfaceCoverage).toBe(0);
    expect(stemOnly.passageCoverage).toBe(1);
    const exact = 'Barberousse repousse les envahisseurs espagnols.';
    expect(readPassage({ text: exact, sentences: sentencesOf(exact) }, question, idf).surfaceCoverage).toBe(1);
  });

  it('adds the antecedent when a subject pronoun follows a fronted phrase ("Dès 1987, il …")', () => {
    const text = 'Yoweri Museveni prend le pouvoir en 1986. Dès 1987, il abandonne ses principes marxistes. Le pays se redresse.';
    const question = parseQuestion('Qui abandonne ses principes marxistes en 1987 ?');
    const reading = readPassage({ text, sentences: sentencesOf(text) }, question, idf);
    expect(text.slice(reading.span.start, reading.span.end)).toContain('Yoweri Museveni');
    const at = (sentence: string) => ({ start: text.indexOf(sentence), end: text.indexOf(sentence) + sentence.length });
    expect(startsWithAnaphora(text, at('Dès 1987, il abandonne ses principes marxistes.'))).toBe(true);
    // A pronoun later in the sentence, or without a comma before it, is not a subject pointing back.
    const other = 'Au printemps 1987 le président dit qu’il abandonne tout. Le pays, dit-il, se redresse.';
    expect(startsWithAnaphora(other, { start: 0, end: other.indexOf('.') + 1 })).toBe(false);
  });

  it('reads the article title as context of every sentence, so the sentence saying what else the question asks wins', () => {
    const text = 'Le Stutthof est un camp nazi près de Dantzig. Les premiers détenus sont des Polonais.';
    const question = parseQuestion('Quelle est la nationalité des premiers détenus du Stutthof ?');
    const weights: Record<string, number> = { stutthof: 5, premi: 1, detenus: 3, detenu: 3, national: 3 };
    const rare = (term: string) => weights[term] ?? 1;
    const source = { text, sentences: sentencesOf(text) };
    const alone = readPassage(source, question, rare, 'adaptive');
    expect(text.slice(alone.span.start, alone.span.end)).toContain('Le Stutthof est un camp');
    const titled = readPassage(source, question, rare, { policy: 'adaptive', titleTerms: new Set(analyze('Camp de concentration du Stutthof')) });
    expect(text.slice(titled.span.start, titled.span.end)).toBe('Les premiers détenus sont des Polonais.');
    expect(titled.sentenceCoverage).toBeGreaterThan(alone.sentenceCoverage);
    // Title matches have no position: they add nothing to proximity.
    expect(titled.proximity).toBe(alone.proximity);
  });

  it('lends a sentence opening on a pronoun the words of the sentence before, which it speaks of', () => {
    const question = parseQuestion('Quand Museveni abandonne-t-il le marxisme ?');
    const text = 'Museveni critique le marxisme. Museveni prend le pouvoir. Il abandonne le marxisme en 1987.';
    const reading = readPassage({ text, sentences: sentencesOf(text) }, question, idf, 'adaptive');
    expect(text.slice(reading.span.start, reading.span.end)).toBe('Museveni prend le pouvoir. Il abandonne le marxisme en 1987.');
    expect(reading.sentenceCoverage).toBe(1);
    // "En …" opens as many sentences that do not point back: no words lent.
    const loose = 'Museveni critique le marxisme. Museveni prend le pouvoir. En 1987 abandonne le marxisme.';
    const looseReading = readPassage({ text: loose, sentences: sentencesOf(loose) }, question, idf, 'adaptive');
    expect(looseReading.sentenceCoverage).toBeCloseTo(2 / 3, 5);
  });

  it('rates question words standing together above the same words scattered over the passage', () => {
    const question = parseQuestion('Quel ministre préside la réunion de Rabat ?');
    const together = 'Le ministre préside la réunion de Rabat. Les débats dureront deux jours.';
    const apart =
      'Le ministre est arrivé hier soir après un long voyage. Il préside depuis des années une commission technique. ' +
      'La réunion, prévue de longue date dans la capitale, se tiendra à Rabat.';
    const near = readPassage({ text: together, sentences: sentencesOf(together) }, question, idf);
    const far = readPassage({ text: apart, sentences: sentencesOf(apart) }, question, idf);
    expect(near.passageCoverage).toBe(far.passageCoverage);
    expect(near.proximity).toBeGreaterThan(far.proximity);
    expect(far.proximity).toBeGreaterThanOrEqual(0);
    expect(near.proximity).toBeLessThanOrEqual(1);
  });

  it('extends an excerpt that ends its passage with the article\'s next sentence, not the one before', () => {
    const text = 'Les ministres sont arrivés. Plus de 80 pays participent au forum. Le forum durera deux jours.';
    const all = sentencesOf(text);
    const question = parseQuestion('Combien de pays participent au forum ?');
    // The passage stops at the answering sentence; the article goes on.
    const reading = readPassage({ text, sentences: all.slice(0, 2), after: all[2] }, question, idf);
    expect(text.slice(reading.span.start, reading.span.end)).toBe('Plus de 80 pays participent au forum. Le forum durera deux jours.');
    const alone = readPassage({ text, sentences: all.slice(0, 2) }, question, idf);
    expect(text.slice(alone.span.start, alone.span.end)).toBe('Les ministres sont arrivés. Plus de 80 pays participent au forum.');
  });
});

describe('SentenceTokenCache', () => {
  const text = 'Le forum se réunira sous la présidence du ministre. Il fera beau à Marrakech. La séance durera deux jours.';
  const source = { text, sentences: sentencesOf(text) };

  it('gives the same reading as analysing the sentences afresh', () => {
    const cache = new SentenceTokenCache(4);
    const question = parseQuestion('Qui préside le forum de Marrakech ?');
    const fresh = readPassage(source, question, idf);
    const first = readPassage(source, question, idf, { tokens: cache.tokensOf(1, source) });
    const again = readPassage(source, question, idf, { tokens: cache.tokensOf(1, source) });
    expect(first).toEqual(fresh);
    expect(again).toEqual(fresh);
    expect(cache.tokensOf(1, source)).toEqual(source.sentences.map((s) => tokenize(text.slice(s.start, s.end))));
  });

  it('keeps at most its capacity, dropping the passage read least recently', () => {
    const cache = new SentenceTokenCache(2);
    const a = cache.tokensOf(1, source);
    cache.tokensOf(2, source);
    expect(cache.tokensOf(1, source)).toBe(a); // read again: now the most recent
    cache.tokensOf(3, source); // drops 2, not 1
    expect(cache.size).toBe(2);
    expect(cache.tokensOf(1, source)).toBe(a);
    expect(cache.tokensOf(2, source)).not.toBe(a);
  });
});
