import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTokenCounter, estimateTokens } from '../../src/chunk/estimate-token-counter.js';

describe('estimateTokenCounter', () => {
  it('counts nothing for empty or blank text and no special tokens', () => {
    expect(estimateTokenCounter.countTokens('')).toBe(0);
    expect(estimateTokens(' \n\u00A0 ')).toBe(0);
  });

  it('gives at least 1.4 tokens a word plus one a punctuation mark on French text', () => {
    const text = 'Le Maroc participe à la réunion des pays membres de la coalition anti-Daech, a-t-il dit : « c’est l’essentiel ».';
    const words = text.match(/[\p{L}\p{N}]+/gu)!.length;
    const marks = text.match(/[^\p{L}\p{N}\s]/gu)!.length;
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(Math.ceil(words * 1.4 + marks));
  });

  it('counts a long word, a long number and an emoji as several tokens', () => {
    expect(estimateTokens('anticonstitutionnellement')).toBeGreaterThanOrEqual(4);
    expect(estimateTokens('1032913')).toBeGreaterThanOrEqual(3);
    expect(estimateTokens('😀')).toBe(2);
  });

  it('never counts two parts of a text as fewer tokens than the whole (so sums of sentences are safe)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), (text, at) => {
        const cut = text.length === 0 ? 0 : at % text.length;
        expect(estimateTokens(text.slice(0, cut)) + estimateTokens(text.slice(cut))).toBeGreaterThanOrEqual(estimateTokens(text));
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
