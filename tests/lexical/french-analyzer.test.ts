import { describe, expect, it } from 'vitest';
import { analyze, foldText, tokenize } from '../../src/lexical/french-analyzer.js';

describe('analyze', () => {
  it('drops elided articles written with either apostrophe, so "l\'été" matches "l’été"', () => {
    expect(analyze("l'été")).toEqual(analyze('l’été'));
    expect(analyze("l'été")).toEqual(['ete']);
    expect(analyze("jusqu'à l'Élysée, qu'il lorsqu'on")).toEqual(['elys']);
  });

  it('folds case and accents but keeps the original spans', () => {
    const text = 'ÉLECTIONS présidentielles';
    expect(analyze(text)).toEqual(analyze('elections presidentielles'));
    const tokens = tokenize(text);
    expect(text.slice(tokens[0]!.start, tokens[0]!.end)).toBe('ÉLECTIONS');
    expect(foldText('Œuvre Ça')).toBe('oeuvre ca');
  });

  it('stems inflected forms to one term', () => {
    expect(analyze('manifestants')).toEqual(analyze('manifestant'));
    expect(analyze('gouvernements')).toEqual(analyze('gouvernement'));
  });

  it('removes French stop words', () => {
    expect(analyze('le la les de des du et est dans pour qui que')).toEqual([]);
    expect(analyze('la coalition contre Daech')).toEqual(['coalit', 'daech']);
  });

  it('normalises numbers written with dots, spaces or no-break spaces', () => {
    expect(analyze('1.032.913')).toEqual(['1032913']);
    expect(analyze('1 032 913')).toEqual(['1032913']);
    expect(analyze('1\u00a0032\u202f913')).toEqual(['1032913']);
    expect(analyze('le 21 juillet 2022')).toEqual(['21', 'juillet', '2022']);
    expect(analyze('en 2016 300 000 personnes')).toEqual(['2016', '300000', 'person']);
    expect(analyze('14,2 milliards')).toEqual(['14.2', 'milliard']);
  });

  it('indexes hyphenated names whole and by parts', () => {
    const terms = analyze('Jean-Yves Le Drian');
    expect(terms).toContain('jean');
    expect(terms).toContain('yve');
    expect(terms).toContain('jeanyves');
    expect(terms).toContain('drian');
    expect(analyze('a-t-il')).toEqual([]);
  });

  it('treats no-break spaces as spaces', () => {
    expect(analyze('Le\u00a0Drian')).toEqual(['drian']);
    expect(analyze('coalition\u202finternationale')).toEqual(['coalit', 'international']);
  });
});
