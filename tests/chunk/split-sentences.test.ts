import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SENTENCE_WORDS, splitSentences } from '../../src/chunk/split-sentences.js';

const sentences = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('splits glued sentences (a lowercase letter, digit or closing quote, then . ! ?, then a capital)', () => {
    expect(sentences('contre cette organisation terroriste.Au cours de cette réunion, rien.')).toEqual([
      'contre cette organisation terroriste.',
      'Au cours de cette réunion, rien.',
    ]);
    expect(sentences('annoncé dans un communiqué.Le gouvernement avait déjà annoncé 6 milliards en 2019.Une seconde enveloppe suit!Enfin')).toEqual([
      'annoncé dans un communiqué.',
      'Le gouvernement avait déjà annoncé 6 milliards en 2019.',
      'Une seconde enveloppe suit!',
      'Enfin',
    ]);
    expect(sentences('reste "insuffisante".Ils disent vouloir continuer.')).toEqual(['reste "insuffisante".', 'Ils disent vouloir continuer.']);
  });

  it('gives an ASCII quote to the sentence it closes and leaves an opening one to the next', () => {
    expect(sentences('a dit le ministre."Nous partons."Le lendemain, rien.')).toEqual([
      'a dit le ministre.',
      '"Nous partons."',
      'Le lendemain, rien.',
    ]);
  });

  it('does not split abbreviations, initials, numbers, URLs or e-mail addresses', () => {
    for (const text of [
      'Selon M. Macron, la réunion aura lieu.',
      'Jean-Yves Le Drian, dit J.-Y. Le Drian, est venu.',
      'Aux U.S.A. la vie est chère.',
      'Des pommes, des poires, etc. sont vendues ici.',
      'Mme Dupont et Dr. House, cf. Le Monde, sont là.',
      'La ville compte 1.032.913 habitants et 3.5 % de chômeurs.',
      'Voir https://exemple.fr/a.B?c=1 et www.Exemple.fr pour plus.',
      'Écrire à Jean.Dupont@Exemple.fr pour plus.',
    ]) {
      expect(sentences(text), text).toEqual([text]);
    }
  });

  it('keeps closing guillemets with their sentence and a quoted question followed by its verb together', () => {
    expect(sentences('« Bonjour. » Il est parti. « Vraiment ? » demanda-t-il.')).toEqual([
      '« Bonjour. »',
      'Il est parti.',
      '« Vraiment ? » demanda-t-il.',
    ]);
  });

  it('never lets a sentence cross a paragraph break', () => {
    expect(sentences('Premier paragraphe sans point\n\nSecond paragraphe. Et une suite.')).toEqual([
      'Premier paragraphe sans point',
      'Second paragraphe.',
      'Et une suite.',
    ]);
  });

  it('cuts a "sentence" of more than 60 words at word boundaries, preferring a clause end', () => {
    const words = Array.from({ length: 150 }, (_, i) => (i === 40 ? `mot${i},` : `mot${i}`));
    const text = words.join(' ');
    const parts = sentences(text);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts[0]!.endsWith('mot40,')).toBe(true);
    for (const p of parts) expect(p.split(' ').length).toBeLessThanOrEqual(MAX_SENTENCE_WORDS);
    expect(parts.join(' ')).toBe(text);
  });

  it('returns absolute spans inside [from, to)', () => {
    const text = 'Avant. Milieu un. Milieu deux. Après.';
    const from = text.indexOf('Milieu');
    const to = text.indexOf(' Après');
    const spans = splitSentences(text, from, to);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Milieu un.', 'Milieu deux.']);
  });

  it('handles a long paragraph in blocks and still finds every sentence', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `Phrase numéro ${i} du texte.`).join(' ');
    const spans = splitSentences(text);
    expect(spans).toHaveLength(3000);
    expect(text.slice(spans[2999]!.start, spans[2999]!.end)).toBe('Phrase numéro 2999 du texte.');
  });

  it('gives ordered, non-overlapping, trimmed spans inside the text that cover every non-space character', () => {
    const pieces = fc.constantFrom('M.', 'Le', 'la', 'terroriste.Au', ' ', '  ', '\n', '\n\n', '.', '!', '?', '«', '»', '"', 'J.-Y.', '3.5', 'https://a.b/c?d', 'é', '\u00A0', 'x', 'Abc', 'etc.', '…', '😀');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 80 }).map((a) => a.join('')), fc.string({ maxLength: 40 }), (a, b) => {
        for (const text of [a, b, a + b]) {
          const spans = splitSentences(text);
          let covered = 0;
          let previousEnd = 0;
          for (const s of spans) {
            expect(s.start).toBeGreaterThanOrEqual(previousEnd);
            expect(s.end).toBeGreaterThan(s.start);
            expect(s.end).toBeLessThanOrEqual(text.length);
            expect(/^\s/.test(text.slice(s.start, s.end))).toBe(false);
            expect(/\s$/.test(text.slice(s.start, s.end))).toBe(false);
            covered += text.slice(s.start, s.end).replace(/\s/g, '').length;
            previousEnd = s.end;
          }
          expect(covered).toBe(text.replace(/\s/g, '').length);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
