import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveDatesInText } from '../../src/dates/resolve-dates-in-text.js';

const dates = (text: string, articleDate?: string) => resolveDatesInText(text, articleDate).map((d) => [d.text, d.date, d.precision]);

describe('resolveDatesInText', () => {
  it('resolves "ce jeudi 21 juillet" in an article of 2016-07 to 2016-07-21', () => {
    const text = 'La réunion aura lieu ce jeudi 21 juillet à Washington.';
    expect(dates(text, '2016-07')).toEqual([['jeudi 21 juillet', '2016-07-21', 'day']]);
  });

  it('resolves "le 11 mai prochain" in an article of 2022-04 to 2022-05-11', () => {
    const text = 'La Coalition tiendra une réunion le 11 mai prochain à Marrakech.';
    expect(dates(text, '2022-04')).toEqual([['11 mai prochain', '2022-05-11', 'day']]);
  });

  it('uses the weekday to choose the year within one of the article\'s', () => {
    // 21 July is a Thursday in 2016, a Friday in 2017: an article of January 2017 still means 2016.
    expect(dates('jeudi 21 juillet', '2017-01-15')).toEqual([['jeudi 21 juillet', '2016-07-21', 'day']]);
    expect(dates('vendredi 21 juillet', '2017-01-15')).toEqual([['vendredi 21 juillet', '2017-07-21', 'day']]);
    // Without a weekday the nearest 21 July wins.
    expect(dates('le 21 juillet', '2017-01-15')).toEqual([['21 juillet', '2016-07-21', 'day']]);
  });

  it('reads "dernier" as the previous occurrence and "prochain" as the next one', () => {
    expect(dates('Il est arrivé le 3 mars dernier.', '2016-07-21')).toEqual([['3 mars dernier', '2016-03-03', 'day']]);
    expect(dates('Il est arrivé le 3 août dernier.', '2016-07-21')).toEqual([['3 août dernier', '2015-08-03', 'day']]);
    expect(dates('Il partira le 3 mars prochain.', '2016-07-21')).toEqual([['3 mars prochain', '2017-03-03', 'day']]);
    expect(dates('en décembre dernier', '2017-01-10')).toEqual([['décembre dernier', '2016-12', 'month']]);
    expect(dates('en mai prochain', '2017-01-10')).toEqual([['mai prochain', '2017-05', 'month']]);
  });

  it('places a month without a year nearest to the article month', () => {
    expect(dates('Le texte sera voté en juillet.', '2016-05-02')).toEqual([['juillet', '2016-07', 'month']]);
    expect(dates('Le texte a été voté en novembre.', '2017-01-10')).toEqual([['novembre', '2016-11', 'month']]);
    expect(dates('depuis février', '2017-01-10')).toEqual([['février', '2017-02', 'month']]);
  });

  it('resolves weekdays against a day-precise article date, by tense and by "dernier" / "prochain"', () => {
    // 2016-07-21 is a Thursday.
    const text = 'Il a parlé lundi. Il partira mardi prochain. Il est venu lundi dernier. Il viendra vendredi. Jeudi, il a signé.';
    expect(dates(text, '2016-07-21')).toEqual([
      ['lundi', '2016-07-18', 'day'],
      ['mardi prochain', '2016-07-26', 'day'],
      ['lundi dernier', '2016-07-18', 'day'],
      ['vendredi', '2016-07-22', 'day'],
      ['Jeudi', '2016-07-21', 'day'],
    ]);
  });

  it('leaves weekdays and "hier" alone when the article date has no day', () => {
    expect(dates('Il a parlé lundi, hier et aujourd’hui.', '2016-07')).toEqual([]);
  });

  it('resolves "hier", "aujourd\'hui" and "demain"', () => {
    expect(dates('hier, aujourd’hui et demain', '2016-07-21')).toEqual([
      ['hier', '2016-07-20', 'day'],
      ['aujourd’hui', '2016-07-21', 'day'],
      ['demain', '2016-07-22', 'day'],
    ]);
  });

  it('resolves the year and month relative phrases', () => {
    expect(dates("l'an dernier, l'année prochaine, le mois dernier, ce mois-ci", '2016-01-20')).toEqual([
      ["l'an dernier", '2015', 'year'],
      ["l'année prochaine", '2017', 'year'],
      ['le mois dernier', '2015-12', 'month'],
      ['ce mois-ci', '2016-01', 'month'],
    ]);
  });

  it('reads absolute dates without an article date', () => {
    const text = 'en juillet 2016, le 1er janvier 2020, le 21/07/2016, le 2016-07-21, le premier mai 2019, le 1er févr. 2019, en Aout 2015';
    expect(dates(text)).toEqual([
      ['juillet 2016', '2016-07', 'month'],
      ['1er janvier 2020', '2020-01-01', 'day'],
      ['21/07/2016', '2016-07-21', 'day'],
      ['2016-07-21', '2016-07-21', 'day'],
      ['premier mai 2019', '2019-05-01', 'day'],
      ['1er févr. 2019', '2019-02-01', 'day'],
      ['Aout 2015', '2015-08', 'month'],
    ]);
  });

  it('returns only absolute dates when there is no article date', () => {
    expect(dates('Il viendra le 11 mai prochain, lundi, hier, en juillet.')).toEqual([]);
  });

  it('reads years only where they are clearly dates', () => {
    const text = 'En 2014, 1.032.913 personnes dans 80 pays ; depuis 1990 ; une prime de 2000 euros ; entre 2014 et 2016 ; de 1500 à 2000 euros ; dès 2021 ; les 2016 participants.';
    expect(dates(text)).toEqual([
      ['2014', '2014', 'year'],
      ['1990', '1990', 'year'],
      ['2014', '2014', 'year'],
      ['2016', '2016', 'year'],
      ['2021', '2021', 'year'],
    ]);
  });

  it('does not take numbers, scores or versions for dates', () => {
    expect(dates('Le score est de 3.2.1 et la version 1.5.12, 30/02/2016 n’existe pas, 45 mai non plus.')).toEqual([]);
  });

  it('does not read "Mars" the planet as a month', () => {
    expect(dates('La mission vers Mars partira en mars.', '2020-01-10')).toEqual([['mars', '2020-03', 'month']]);
  });

  it('gives spans that slice to the reported text', () => {
    const text = 'Le 29 février, puis en mai 2016 et hier.';
    for (const found of resolveDatesInText(text, '2017-03-02')) expect(text.slice(found.start, found.end)).toBe(found.text);
    // 29 February exists only in 2016 among 2016-2018.
    expect(dates(text, '2017-03-02')[0]).toEqual(['29 février', '2016-02-29', 'day']);
  });

  it('never throws on arbitrary strings and keeps spans inside the text, in order, without overlap', () => {
    const pieces = fc.constantFrom('le', 'ce', 'en', 'dès', 'depuis', 'entre', 'et', 'lundi', 'jeudi', '21', '1er', 'juillet', 'févr.', 'aout', 'mars', 'Mars', '2016', '1990', '2000', 'euros', 'prochain', 'dernier', 'hier', "aujourd'hui", '21/07/2016', '2016-07-21', '1.032.913', ' ', '.', ',');
    const text = fc.oneof(fc.string(), fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 20 }).map((p) => p.join(' ')));
    const articleDate = fc.option(fc.constantFrom('2016-07', '2016-07-21', '2022-04', '2020-02-29', 'nonsense', ''), { nil: undefined });
    fc.assert(
      fc.property(text, articleDate, (t, d) => {
        const found = resolveDatesInText(t, d);
        let previousEnd = 0;
        for (const f of found) {
          expect(f.start).toBeGreaterThanOrEqual(previousEnd);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(t.length);
          expect(t.slice(f.start, f.end)).toBe(f.text);
          expect(f.date).toMatch(f.precision === 'day' ? /^\d{4}-\d{2}-\d{2}$/ : f.precision === 'month' ? /^\d{4}-\d{2}$/ : /^\d{4}$/);
          previousEnd = f.end;
        }
      }),
      { seed: 20220411, numRuns: 2000 },
    );
  });
});
