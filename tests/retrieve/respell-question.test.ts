import { describe, expect, it } from 'vitest';
import { parseQuestion } from '../../src/retrieve/parse-question.js';
import { respellUnknownTerms } from '../../src/retrieve/respell-question.js';
import { analyze } from '../../src/lexical/french-analyzer.js';

/** Document frequencies of the terms of a few known texts. */
function corpus(...texts: string[]): (term: string) => number {
  const df = new Map<string, number>();
  for (const text of texts) for (const term of new Set(analyze(text))) df.set(term, (df.get(term) ?? 0) + 1);
  return (term) => df.get(term) ?? 0;
}

const terms = (q: ReturnType<typeof parseQuestion>) => q.terms.map((t) => t.term);

describe('respellUnknownTerms', () => {
  it('reads a third person plural verb the corpus never uses as its singular', () => {
    const docFreq = corpus('Les corsaires turcs repoussent les Espagnols.', 'Barberousse repousse les Espagnols hors d’Alger.');
    const onlySingular = corpus('Barberousse repousse les Espagnols hors d’Alger.');
    const question = parseQuestion('Qui repoussent les Espagnols ?');
    expect(terms(question)).toContain('repoussent');
    // Known as written: untouched.
    expect(terms(respellUnknownTerms(question, docFreq))).toContain('repoussent');
    // Unknown as written: the singular's stem, which the corpus uses.
    const respelled = terms(respellUnknownTerms(question, onlySingular));
    expect(respelled).not.toContain('repoussent');
    expect(respelled).toContain(analyze('repousse')[0]);
  });

  it('corrects a long unknown word by one edit to the most frequent known neighbour', () => {
    const docFreq = corpus('Le camp du Stutthof fut libéré en 1945.', 'Le Stutthof, près de Dantzig.');
    const respelled = respellUnknownTerms(parseQuestion('Quand fut libéré le Strutthof ?'), docFreq);
    expect(terms(respelled)).toContain('stutthof');
    expect(terms(respelled)).not.toContain('strutthof');
  });

  it('leaves short unknown words alone, they have too many neighbours', () => {
    const docFreq = corpus('La cour du roi.', 'Le jour et la nuit.');
    expect(terms(respellUnknownTerms(parseQuestion('Comment se nourir ?'), docFreq))).toEqual(terms(parseQuestion('Comment se nourir ?')));
  });

  it('keeps the weight of the respelled term and the question unchanged when every term is known', () => {
    const docFreq = corpus('Le nom du fleuve institutionnel.');
    const question = parseQuestion('Quel nom institutionel ?');
    const respelled = respellUnknownTerms(question, docFreq);
    const nom = question.terms.find((t) => t.term === 'nom')!;
    expect(respelled.terms.find((t) => t.term === 'institutionnel')).toBeDefined();
    expect(respelled.terms.find((t) => t.term === 'nom')!.weight).toBe(nom.weight);
    const known = parseQuestion('Quel nom ?');
    expect(respellUnknownTerms(known, docFreq)).toBe(known);
  });

  it('leaves a word with no known neighbour as it was', () => {
    const docFreq = corpus('Le Tour de France part de Copenhague.');
    expect(terms(respellUnknownTerms(parseQuestion('Castelnaudary cassoulet'), docFreq))).toEqual(['castelnaudary', 'cassoulet']);
  });
});
