import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrenchDate } from '../../src/dates/parse-french-date.js';

describe('parseFrenchDate', () => {
  it.each([
    ['22 mai 2012', '2012-05-22'],
    ['2012-05-22', '2012-05-22'],
    ['2012-05-22T10:00:00+02:00', '2012-05-22'],
    ['mai 2012', '2012-05'],
    ['2012-05', '2012-05'],
    ['mardi 22 mai 2012', '2012-05-22'],
    ['22/05/2012', '2012-05-22'],
    ['1er janv. 2020', '2020-01-01'],
    ['1er fevrier 2020', '2020-02-01'],
    ['15 août 2019', '2019-08-15'],
    ['  3 DÉCEMBRE 2018 ', '2018-12-03'],
    ['22 mai 2012. - Prévu initialement pour samedi dernier', '2012-05-22'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(parseFrenchDate(text)).toBe(expected);
  });

  it.each(['2012', 'hier', '31 février 2012', '2012-13-01', 'n’importe quoi', ''])('returns undefined for "%s"', (text) => {
    expect(parseFrenchDate(text)).toBeUndefined();
  });
});

// Opt-in: the Wikinews pages start their first paragraph with the date ("22 mai 2012. - ...").
const wikinews = join(process.cwd(), '..', 'shared', 'data', 'wikinews-fr-100', 'documents');
const shared = process.env.SOURCIER_SHARED_DATA === '1' && existsSync(wikinews);

describe.skipIf(!shared)('parseFrenchDate on the Wikinews pages (opt-in: SOURCIER_SHARED_DATA=1)', () => {
  it('reads a 2012 date from the first paragraph of every page that starts with one', () => {
    const files = readdirSync(wikinews).filter((f) => f.endsWith('.html'));
    const failures: string[] = [];
    let dated = 0;
    for (const file of files) {
      const html = readFileSync(join(wikinews, file), 'utf8');
      const first = /<p>([^<]{0,60})/.exec(html)?.[1] ?? '';
      // One page (an Ubuntu release note) opens without the date line.
      if (!/^\d/.test(first)) continue;
      dated++;
      const date = parseFrenchDate(first.split(' - ')[0]!);
      if (!date || !/^2012-(0[5-9]|1[0-2])-\d{2}$/.test(date)) failures.push(`${file}: ${first.slice(0, 30)} -> ${date}`);
    }
    expect(dated).toBeGreaterThanOrEqual(95);
    expect(failures).toEqual([]);
  });
});
