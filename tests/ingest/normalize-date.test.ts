import { describe, expect, it } from 'vitest';
import { findFrenchDate, normalizeDate, parseLeadingFrenchDate } from '../../src/ingest/normalize-date.js';

describe('normalizeDate', () => {
  it.each([
    ['2016-07', '2016-07'],
    ['2016-07-21', '2016-07-21'],
    ['2020-07-02T19:09:00+02:00', '2020-07-02'],
    ['21/07/2016', '2016-07-21'],
    ['22 mai 2012', '2012-05-22'],
    ['1er août 2012', '2012-08-01'],
    ['juillet 2016', '2016-07'],
    [20210504, '2021-05-04'],
    [new Date(Date.UTC(2021, 4, 3)), '2021-05-03'],
    [1468800000, '2016-07-18'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });

  it.each([['2016'], [2016], ['2016-13'], ['2021-02-30'], ['demain'], [null], [{}]])('gives no date for %j', (input) => {
    expect(normalizeDate(input)).toBeUndefined();
  });
});

describe('French datelines', () => {
  it('reads a leading Wikinews dateline and ignores a date that is not at the start', () => {
    expect(parseLeadingFrenchDate('22 mai 2012. - Prévu initialement pour samedi')).toBe('2012-05-22');
    expect(parseLeadingFrenchDate('22 août 2012, Espagne. - Le Parti')).toBe('2012-08-22');
    expect(parseLeadingFrenchDate('Mardi 3 juillet 2012, à Paris')).toBe('2012-07-03');
    expect(parseLeadingFrenchDate('Le système sort le 18 octobre 2012.')).toBeUndefined();
    expect(findFrenchDate('Le système sort le 18 octobre 2012.')).toBe('2012-10-18');
  });
});
