import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalOf, groupDuplicates, sketchText, type DedupArticle } from '../../src/dedup/group-duplicates.js';
import { decodeSketches, encodeSketches } from '../../src/dedup/sketch-file.js';
import { isAppError } from '../../src/core/app-error.js';

const WIRE =
  "La Coalition internationale contre le groupe Etat islamique tiendra une réunion ministérielle à Marrakech, a annoncé " +
  "mardi le ministère marocain des Affaires étrangères dans un communiqué. Plus de quatre-vingts pays sont attendus pour " +
  "discuter de la menace que représentent les cellules jihadistes implantées en Afrique de l'Ouest et au Sahel. Les " +
  "ministres examineront aussi le financement des opérations de stabilisation dans les zones libérées en Irak et en " +
  "Syrie, ainsi que le sort des combattants étrangers détenus dans des camps du nord-est syrien. Selon des diplomates, " +
  "la réunion doit aboutir à une déclaration commune sur le partage du renseignement et sur l'aide aux pays africains " +
  "les plus exposés. Le chef de la diplomatie marocaine présidera les travaux aux côtés de son homologue américain, qui " +
  "a salué le rôle du royaume dans la lutte contre le terrorisme. Des représentants de l'Union européenne, de l'Union " +
  "africaine et des Nations unies participeront également aux discussions, qui se tiendront à huis clos pendant deux jours.";

// The same dispatch republished: a few words changed and a trailing line.
const EDITED = WIRE.replace('mardi', 'mercredi')
  .replace('Plus de quatre-vingts pays', 'Quelque quatre-vingts pays')
  .replace('à huis clos', 'sans la presse')
  .concat(' (avec AFP)');

// Another article on the same meeting, written separately.
const OTHER_STORY =
  "A Marrakech, les ministres de la Coalition contre l'Etat islamique ont ouvert mercredi deux jours de discussions " +
  "consacrées à l'Afrique, devenue selon plusieurs délégations le nouveau terrain d'expansion du groupe jihadiste. Le " +
  "ministre marocain a appelé ses partenaires à renforcer le partage du renseignement, tandis que le secrétaire d'Etat " +
  "américain a promis une aide supplémentaire aux pays du Sahel. Plusieurs pays européens ont insisté sur le rapatriement " +
  "des combattants étrangers détenus en Syrie, un sujet qui divise toujours les membres de la Coalition. La déclaration " +
  "finale, attendue jeudi, devrait évoquer le financement de la stabilisation en Irak.";

const UNRELATED =
  "Le prix du gazole a de nouveau augmenté cette semaine dans les stations-service françaises, selon les chiffres publiés " +
  "lundi par le ministère de la Transition écologique. Le litre a atteint en moyenne un niveau record, porté par la hausse " +
  "des cours du pétrole et la faiblesse de l'euro face au dollar. Les automobilistes des zones rurales, qui dépendent de " +
  "leur voiture pour travailler, sont les premiers touchés, rappellent les associations de consommateurs.";

const article = (id: string, text: string, date?: string, title = `Titre ${id}`): DedupArticle => ({ id, title, text, ...(date ? { date } : {}) });

describe('groupDuplicates', () => {
  it('groups exact copies whatever their case, accents, punctuation and spacing', () => {
    const copy = WIRE.toUpperCase().replace(/é/g, 'e').replace(/,/g, ' ,  ');
    const groups = groupDuplicates([article('a', WIRE), article('b', copy), article('c', UNRELATED)]);
    expect(groups.get('a')).toEqual(['b']);
    expect(groups.get('b')).toEqual(['a']);
    expect(groups.has('c')).toBe(false);
  });

  it('groups a wire copy republished with another title, a few words changed and a trailing line', () => {
    const groups = groupDuplicates([
      article('orig', WIRE, '2022-04-12', 'Coalition anti-Daech : réunion à Marrakech'),
      article('copy', EDITED, '2022-04-13', 'Marrakech accueille la Coalition contre l’EI'),
    ]);
    expect(groups.get('orig')).toEqual(['copy']);
    expect(groups.get('copy')).toEqual(['orig']);
  });

  it('does not group different stories on the same topic', () => {
    const groups = groupDuplicates([article('wire', WIRE), article('other', OTHER_STORY), article('fuel', UNRELATED)]);
    expect(groups.size).toBe(0);
  });

  it('keeps a heavily rewritten version apart by default but joins it under a low threshold with more bands', () => {
    // Every 6th word changed: two shingles in three are gone, Jaccard about 0.2. Low thresholds need one-row bands
    // for LSH to propose the pair at all.
    const words = WIRE.split(' ');
    const rewritten = words.map((w, i) => (i % 6 === 3 ? `${w}x` : w)).join(' ');
    expect(groupDuplicates([article('a', WIRE), article('b', rewritten)]).size).toBe(0);
    expect(groupDuplicates([article('a', WIRE), article('b', rewritten)], { threshold: 0.15, bands: 64 }).get('a')).toEqual(['b']);
  });

  it('never groups empty or very short texts', () => {
    const groups = groupDuplicates([article('a', ''), article('b', ''), article('c', 'Vidéo.'), article('d', 'Vidéo.')]);
    expect(groups.size).toBe(0);
  });

  it('returns the same groups whatever the input order', () => {
    const input = [
      article('1', WIRE, '2022-04-12'),
      article('2', EDITED, '2022-04-13'),
      article('3', OTHER_STORY),
      article('4', UNRELATED),
      article('5', WIRE, '2022-04-11'),
    ];
    const forward = groupDuplicates(input);
    const backward = groupDuplicates([...input].reverse());
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
    expect(forward.get('1')).toEqual(['5', '2']);
  });

  it('rejects options that cannot work with CONFIG_INVALID', () => {
    const attempt = (options: object) => () => groupDuplicates([article('a', WIRE)], options);
    for (const options of [{ threshold: 0 }, { threshold: 1.5 }, { hashes: 64, bands: 10 }, { shingleSize: 0 }]) {
      expect(attempt(options)).toThrow();
      try {
        attempt(options)();
      } catch (error) {
        expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
      }
    }
  });
});

describe('canonicalOf', () => {
  const groups = groupDuplicates([
    article('20', WIRE, '2022-04-13'),
    article('3', EDITED, '2022-04-13'),
    article('100', WIRE, '2022-04-12'),
    article('7', UNRELATED, '2022-04-10'),
  ]);

  it('cites the earliest copy of a group', () => {
    expect(canonicalOf(groups, '20')).toBe('100');
    expect(canonicalOf(groups, '3')).toBe('100');
    expect(canonicalOf(groups, '100')).toBe('100');
  });

  it('breaks a date tie with the smallest id, numeric ids compared as numbers', () => {
    const tie = groupDuplicates([article('20', WIRE, '2022-04-13'), article('3', EDITED, '2022-04-13')]);
    expect(canonicalOf(tie, '20')).toBe('3');
  });

  it('returns the article itself when it is in no group', () => {
    expect(canonicalOf(groups, '7')).toBe('7');
    expect(canonicalOf(groups, 'unknown')).toBe('unknown');
  });

  it('works on groups read back from JSON when given the dates', () => {
    const restored = new Map<string, string[]>(Object.entries(JSON.parse(JSON.stringify(Object.fromEntries(groups))) as Record<string, string[]>));
    const dates: Record<string, string> = { '20': '2022-04-13', '3': '2022-04-13', '100': '2022-04-12' };
    expect(canonicalOf(restored, '3', (id) => dates[id])).toBe('100');
    // Without dates only the ids are left.
    expect(canonicalOf(restored, '100')).toBe('3');
  });

  it('lists the other members in citation order', () => {
    expect(groups.get('3')).toEqual(['100', '20']);
    expect(groups.get('100')).toEqual(['3', '20']);
  });
});

describe('groupDuplicates on arbitrary texts', () => {
  it('never throws and returns symmetric groups whose canonical member is in the group', () => {
    const sentence = fc.constantFrom(...WIRE.split('. '), ...UNRELATED.split('. '), ...OTHER_STORY.split('. '));
    const text = fc.oneof(fc.string(), fc.array(sentence, { maxLength: 6 }).map((s) => s.join('. ')));
    const articles = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), text, date: fc.option(fc.constantFrom('2020-01-01', '2020-02', '2019-12-31'), { nil: undefined }) }), {
      selector: (a) => a.id,
      maxLength: 12,
    });
    fc.assert(
      fc.property(articles, (list) => {
        const groups = groupDuplicates(list.map((a) => ({ ...a, title: '' })));
        for (const [id, others] of groups) {
          expect(others).not.toContain(id);
          for (const other of others) expect(groups.get(other)).toContain(id);
          expect([id, ...others]).toContain(canonicalOf(groups, id));
        }
      }),
      { seed: 36152, numRuns: 300 },
    );
  });
});

describe('dedup sketches', () => {
  const articles = [
    article('a', WIRE, '2022-05-10'),
    article('b', EDITED, '2022-05-11'),
    article('c', WIRE.toUpperCase(), '2022-05-12'),
    article('d', OTHER_STORY),
    article('e', UNRELATED),
    article('f', 'Trop court.'),
  ];
  const asObject = (groups: Map<string, string[]>) => Object.fromEntries([...groups].sort(([x], [y]) => (x < y ? -1 : 1)));

  it('give the same groups when handed back, whole or in part, and survive a round trip through their file', () => {
    const fresh = groupDuplicates(articles);
    expect(asObject(fresh)).toEqual({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] });
    expect(fresh.sketches).toHaveLength(articles.length);
    const stored = decodeSketches(encodeSketches(fresh.sketches, fresh.checked), articles.length)!;
    expect(stored.sketches).toEqual(fresh.sketches);
    expect(stored.checked).toEqual(fresh.checked);
    expect(asObject(groupDuplicates(articles, { sketches: stored.sketches }))).toEqual(asObject(fresh));
    const some = stored.sketches.map((s, i) => (i % 2 === 0 ? s : undefined));
    const partly = groupDuplicates(articles, { sketches: some });
    expect(asObject(partly)).toEqual(asObject(fresh));
    expect(partly.sketches).toEqual(fresh.sketches);
  });

  it('record the candidate pairs they checked, and replay a recorded check instead of comparing the texts again', () => {
    // a (WIRE) and b (EDITED) are a near-duplicate candidate pair; c is an exact copy of a, grouped before any check.
    const fresh = groupDuplicates(articles);
    const pair = fresh.checked.find((c) => c.a === 0 && c.b === 1);
    expect(pair).toBeDefined();
    expect(pair!.common).toBeGreaterThan(0.8 * Math.max(pair!.sizeA, pair!.sizeB));
    const given = new Map(fresh.checked.map((c) => [`${c.a},${c.b}`, c]));
    const replayed = groupDuplicates(articles, { sketches: fresh.sketches, checkedPair: (a, b) => given.get(`${a},${b}`) });
    expect(asObject(replayed)).toEqual(asObject(fresh));
    expect(replayed.checked).toEqual(fresh.checked);
    // A recorded check is believed: told that a and b have nothing in common, they are not grouped.
    const told = groupDuplicates(articles, { checkedPair: (a, b) => (a === 0 && b === 1 ? { ...pair!, common: 0 } : undefined) });
    expect(told.get('b')).toBeUndefined();
    expect(told.get('a')).toEqual(['c']);
  });

  it('refuse a damaged checked pair, and ignore a file of the first version (no checked pairs)', () => {
    const fresh = groupDuplicates(articles);
    const bytes = encodeSketches(fresh.sketches, [{ a: 1, b: 0, sizeA: 10, sizeB: 10, common: 5 }]);
    expect(() => decodeSketches(bytes, articles.length)).toThrow(/checked pair 0/);
    const tooLarge = encodeSketches(fresh.sketches, [{ a: 0, b: 1, sizeA: 10, sizeB: 12, common: 11 }]);
    expect(() => decodeSketches(tooLarge, articles.length)).toThrow(/damaged/);
    const notCounted = encodeSketches(fresh.sketches, [{ a: 0, b: 1, sizeA: 10, sizeB: 40, common: -1 }]);
    expect(decodeSketches(notCounted, articles.length)!.checked).toEqual([{ a: 0, b: 1, sizeA: 10, sizeB: 40, common: -1 }]);
    const firstVersion = encodeSketches(fresh.sketches).slice();
    new Uint32Array(firstVersion.buffer)[1] = 1;
    expect(decodeSketches(firstVersion, articles.length)).toBeUndefined();
  });

  it('are what sketchText makes of the text alone', () => {
    const again = sketchText(WIRE);
    expect(again).toEqual(groupDuplicates(articles).sketches[0]);
    expect(sketchText('Trop court.').signature).toHaveLength(0);
  });

  it('are refused when damaged, and ignored when made with other settings', () => {
    const bytes = encodeSketches(groupDuplicates(articles).sketches);
    const short = bytes.slice(0, bytes.byteLength - 4);
    expect(() => decodeSketches(short, articles.length)).toThrow(/damaged/);
    expect(() => decodeSketches(bytes, articles.length + 1)).toThrow(/damaged/);
    const badMagic = bytes.slice();
    badMagic[0] ^= 0xff;
    expect(() => decodeSketches(badMagic, articles.length)).toThrow(/damaged/);
    const otherHashes = bytes.slice();
    new Uint32Array(otherHashes.buffer)[3] = 32;
    expect(decodeSketches(otherHashes, articles.length)).toBeUndefined();
  });
});
