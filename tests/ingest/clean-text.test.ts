import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/ingest/clean-text.js';

describe('cleanText', () => {
  it('turns NFD input into NFC', () => {
    const nfd = 'E\u0301te\u0301 a\u0300 l’e\u0301cole'.normalize('NFD');
    const out = cleanText(nfd);
    expect(out).toBe('Été à l’école');
    expect(out).toBe(out.normalize('NFC'));
  });

  it('removes zero-width characters, bidi controls and soft hyphens', () => {
    const out = cleanText('pre\u00ADmier\u200B ét\u200Cage\u200D \u2060lan\u00ADceur\uFEFF \u200Eà\u200F \u202Agauche\u202C \u2066isolé\u2069');
    expect(out).toBe('premier étage lanceur à gauche isolé');
  });

  it('keeps no-break spaces but collapses runs of spaces, and normalises line endings and paragraphs', () => {
    const out = cleanText('  Il a dit\u00A0:  «\u00A0oui\u00A0»  \r\n\r\n\r\n\u00A0\u00A0\r\nSuite\tdu   texte\r\nsur deux lignes.\n\n\n');
    expect(out).toBe('Il a dit\u00A0: «\u00A0oui\u00A0»\n\nSuite du texte sur deux lignes.');
  });

  it('makes each line a paragraph when the text has no blank line at all', () => {
    expect(cleanText('Premier paragraphe.\nSecond paragraphe.\n')).toBe('Premier paragraphe.\n\nSecond paragraphe.');
  });

  it('drops control characters, U+FFFD and lone surrogates', () => {
    const out = cleanText('a\u0001b c\uFFFDd\uD800e \u0090f');
    expect(out).toBe('ab cde f');
  });
});
