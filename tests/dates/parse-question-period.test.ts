import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuestionPeriod, stripPeriod } from '../../src/dates/parse-question-period.js';

// Thursday 21 July 2016, noon local time (the calendar day is taken in local time).
const NOW = new Date(2016, 6, 21, 12);

const period = (question: string, now = NOW) => {
  const found = parseQuestionPeriod(question, now);
  return found && { since: found.since, until: found.until };
};

describe('parseQuestionPeriod', () => {
  it.each([
    ['Que s’est-il passé en 2016 au Mali ?', '2016-01-01', '2016-12-31'],
    ['Les attentats de juillet 2016', '2016-07-01', '2016-07-31'],
    ['Le confinement entre mars et mai 2020', '2020-03-01', '2020-05-31'],
    ['Qu’a dit le ministre l’an dernier ?', '2015-01-01', '2015-12-31'],
    ['Qu’a dit le ministre l’année dernière ?', '2015-01-01', '2015-12-31'],
    ['Les grèves cette année', '2016-01-01', '2016-12-31'],
    ['Les grèves le mois dernier', '2016-06-01', '2016-06-30'],
    ['Les grèves ce mois-ci', '2016-07-01', '2016-07-31'],
    ['Les grèves la semaine dernière', '2016-07-11', '2016-07-17'],
    ['Qui a parlé hier ?', '2016-07-20', '2016-07-20'],
    ["Qui a parlé aujourd'hui ?", '2016-07-21', '2016-07-21'],
    ['Que s’est-il passé en juillet ?', '2016-07-01', '2016-07-31'],
    ['Que s’est-il passé en août ?', '2015-08-01', '2015-08-31'],
    ['La réunion du 21 juillet 2016', '2016-07-21', '2016-07-21'],
    ['La réunion le 21/07/2016', '2016-07-21', '2016-07-21'],
    ['Le couvre-feu au printemps 2020', '2020-03-20', '2020-06-20'],
    ['Les élections fin 2019', '2019-10-01', '2019-12-31'],
    ['Les élections début 2020', '2020-01-01', '2020-03-31'],
    ['Les attentats dans les années 2010', '2010-01-01', '2019-12-31'],
    ['Les manifestations du 3 au 5 mars 2020', '2020-03-03', '2020-03-05'],
    ['Les manifestations entre novembre et février 2020', '2019-11-01', '2020-02-29'],
    ['La dette de 2016 à 2018', '2016-01-01', '2018-12-31'],
    ['Les résultats de la présidentielle 2017', '2017-01-01', '2017-12-31'],
    ['Les soldes fin juillet', '2016-07-21', '2016-07-31'],
    ['Les soldes mi-juillet 2016', '2016-07-11', '2016-07-20'],
    ['Qui a parlé lundi dernier ?', '2016-07-18', '2016-07-18'],
    // Folded "des" is the article here, not "dès": the decade, closed at both ends.
    ['Les tubes des années 2010', '2010-01-01', '2019-12-31'],
    ['Les tubes des années 90', '1990-01-01', '1999-12-31'],
    ['Les départs au cours des 3 derniers mois', '2016-04-21', '2016-07-21'],
  ])('reads "%s" as %s .. %s', (question, since, until) => {
    expect(period(question)).toEqual({ since, until });
  });

  it.each([
    ['Le chômage depuis 2020 ?', '2020-01-01', undefined],
    ['Les arrestations depuis lundi', '2016-07-18', undefined],
    ['Les accords dès 2015', '2015-01-01', undefined],
    ['Les mesures après mars 2019', '2019-04-01', undefined],
    ['Les mesures avant 2018', undefined, '2017-12-31'],
    ['Les mesures jusqu’en 2018', undefined, '2018-12-31'],
  ])('reads the open-ended "%s" as %s .. %s', (question, since, until) => {
    const found = parseQuestionPeriod(question, NOW)!;
    expect(found.since).toBe(since);
    expect(found.until).toBe(until);
  });

  it.each([
    'Qui a été proclamé vainqueur de l’élection ?',
    'Le président a-t-il été réélu ?',
    'Quand la France a mai 68 en mémoire…',
    'Combien de médailles aux Jeux olympiques d’été ?',
    'Quand passe-t-on à l’heure d’été ?',
  ])('finds no period in "%s" (the verb "a", "été" as a participle, "d’été" as an adjective)', (question) => {
    expect(parseQuestionPeriod(question, NOW)).toBeUndefined();
  });

  it('still reads a season after "à", "en" or "cet", and "d’été" with a year', () => {
    expect(period('Les incendies à l’été 2019')).toEqual({ since: '2019-06-21', until: '2019-09-22' });
    expect(period('Les incendies en été 2019')).toEqual({ since: '2019-06-21', until: '2019-09-22' });
    expect(period('Les vacances d’été 2018')).toEqual({ since: '2018-06-21', until: '2018-09-22' });
  });

  it('resolves "l\'an dernier" against the given now, not the clock', () => {
    expect(period('l’an dernier', new Date(2021, 0, 5, 12))).toEqual({ since: '2020-01-01', until: '2020-12-31' });
  });

  it('takes "depuis lundi" said on a Monday as that same day', () => {
    expect(parseQuestionPeriod('depuis lundi', new Date(2016, 6, 18, 9))!.since).toBe('2016-07-18');
  });

  it('labels absolute expressions as written and relative ones with their dates', () => {
    expect(parseQuestionPeriod('Que s’est-il passé en 2016 ?', NOW)!.label).toBe('en 2016');
    expect(parseQuestionPeriod('Le confinement entre mars et mai 2020', NOW)!.label).toBe('entre mars et mai 2020');
    expect(parseQuestionPeriod('Qu’a dit le ministre l’an dernier ?', NOW)!.label).toBe('l’an dernier (2015)');
    expect(parseQuestionPeriod('Les grèves la semaine dernière', NOW)!.label).toBe('la semaine dernière (du 11 au 17 juillet 2016)');
    expect(parseQuestionPeriod('En juillet, qui ?', NOW)!.label).toBe('en juillet (juillet 2016)');
    expect(parseQuestionPeriod('depuis lundi', NOW)!.label).toBe('depuis lundi (18 juillet 2016)');
  });

  it('returns the span of the expression, preposition included', () => {
    const question = 'Que s’est-il passé en 2016 au Mali ?';
    const found = parseQuestionPeriod(question, NOW)!;
    expect(question.slice(found.span.start, found.span.end)).toBe('en 2016');
  });

  it('prefers the longest expression when several overlap', () => {
    const question = 'Qui était là le 21 juillet 2016 ?';
    const found = parseQuestionPeriod(question, NOW)!;
    expect(question.slice(found.span.start, found.span.end)).toBe('le 21 juillet 2016');
  });

  it.each([
    'Quel est le bilan des inondations ?',
    'Un budget de 2000 euros pour la commune',
    'Plus de 80 pays et 1.032.913 personnes',
    'La mission vers Mars a-t-elle décollé ?',
    '',
  ])('finds no period in "%s"', (question) => {
    expect(parseQuestionPeriod(question, NOW)).toBeUndefined();
  });

  it('reads accented and unaccented month names alike', () => {
    expect(period('en fevrier 2019')).toEqual(period('en février 2019'));
    expect(period('en aout 2019')).toEqual({ since: '2019-08-01', until: '2019-08-31' });
    expect(period('en déc. 2019')).toEqual({ since: '2019-12-01', until: '2019-12-31' });
  });
});

describe('stripPeriod', () => {
  it('removes the expression and tidies the spacing', () => {
    const question = 'Que s’est-il passé en 2016 au Mali ?';
    expect(stripPeriod(question, parseQuestionPeriod(question, NOW)!.span)).toBe('Que s’est-il passé au Mali ?');
  });

  it('drops the comma left by a leading expression', () => {
    const question = 'En 2016, qui a gagné ?';
    expect(stripPeriod(question, parseQuestionPeriod(question, NOW)!.span)).toBe('qui a gagné ?');
  });

  it('keeps the question when the expression ends it', () => {
    const question = 'Qu’a dit le ministre l’an dernier ?';
    expect(stripPeriod(question, parseQuestionPeriod(question, NOW)!.span)).toBe('Qu’a dit le ministre ?');
  });
});

describe('parseQuestionPeriod on arbitrary strings', () => {
  it('never throws, returns spans inside the question and ordered bounds', () => {
    const frenchish = fc.array(
      fc.oneof(
        fc.constantFrom('en', 'le', 'depuis', 'entre', 'et', 'au', 'du', 'fin', 'mi-', "l'an", 'dernier', 'lundi', 'mars', 'août', 'févr.', '1er', '21', '2016', '1999', '/', '-', ' ', ', '),
        fc.string(),
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), frenchish.map((parts) => parts.join(' '))), (question) => {
        const found = parseQuestionPeriod(question, NOW);
        if (!found) return;
        expect(found.span.start).toBeGreaterThanOrEqual(0);
        expect(found.span.end).toBeLessThanOrEqual(question.length);
        expect(found.span.start).toBeLessThan(found.span.end);
        if (found.since && found.until) expect(found.since <= found.until).toBe(true);
        expect(typeof stripPeriod(question, found.span)).toBe('string');
      }),
      { seed: 20160721, numRuns: 2000 },
    );
  });
});
