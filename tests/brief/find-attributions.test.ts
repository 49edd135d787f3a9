import { describe, expect, it } from 'vitest';
import { findAttributions, sameSpeaker } from '../../src/brief/find-attributions.js';

/** Speaker, kind and quoted words of every attribution in a text. */
function attributions(text: string) {
  return findAttributions(text).map((a) => ({ speaker: a.speaker, kind: a.kind, quote: text.slice(a.quote.start, a.quote.end), statement: text.slice(a.statement.start, a.statement.end) }));
}

describe('findAttributions', () => {
  it('attributes a quotation followed by "a déclaré X" to X', () => {
    const [a] = attributions('« Nous allons renforcer la coopération sécuritaire », a déclaré Nasser Bourita jeudi à Marrakech.');
    expect(a).toMatchObject({ speaker: 'Nasser Bourita', kind: 'person', quote: 'Nous allons renforcer la coopération sécuritaire' });
  });

  it('drops the title before the name ("a déclaré le ministre marocain des Affaires étrangères, Nasser Bourita")', () => {
    const [a] = attributions('« Nous ne céderons rien », a affirmé le ministre marocain des Affaires étrangères, Nasser Bourita.');
    expect(a?.speaker).toBe('Nasser Bourita');
  });

  it('takes the speaker of "a-t-il affirmé" from the previous sentence and starts the excerpt there', () => {
    const text = 'Le chef de la diplomatie marocaine, Nasser Bourita, a ouvert la réunion. « La menace reste transcontinentale et exige une réponse globale », a-t-il affirmé.';
    const [a] = attributions(text);
    expect(a).toMatchObject({ speaker: 'Nasser Bourita', kind: 'person' });
    expect(a!.statement.startsWith('Le chef de la diplomatie')).toBe(true);
  });

  it('reads "X a déclaré : « … »" and "X a averti que … « … »"', () => {
    expect(attributions('Nasser Bourita a déclaré : « Le Maroc restera mobilisé contre le terrorisme. »')[0]?.speaker).toBe('Nasser Bourita');
    const guterres = "Le secrétaire général de l'ONU, Antonio Guterres, a averti que le monde était « sur l'autoroute de l'enfer climatique ».";
    expect(attributions(guterres)[0]).toMatchObject({ speaker: 'Antonio Guterres', quote: "sur l'autoroute de l'enfer climatique" });
  });

  it('reads "pour X, « … »" and "selon X, « … »", particles of the name included', () => {
    expect(attributions('Pour Antony Blinken, « la coalition a fait reculer Daech sur tous les fronts ».')[0]?.speaker).toBe('Antony Blinken');
    expect(attributions('Selon Jean-Yves Le Drian, « la France soutient pleinement la présidence marocaine ».')[0]?.speaker).toBe('Jean-Yves Le Drian');
  });

  it('accepts a last name alone after a title ("estime M. Bourita")', () => {
    expect(attributions('« C’est un moment clé pour la coalition », estime M. Bourita.')[0]).toMatchObject({ speaker: 'Bourita', kind: 'person' });
  });

  it('keeps "selon la même source" and "selon des médias américains" as sources, not persons', () => {
    const same = attributions('Il faut « mettre fin au financement du terrorisme », selon la même source.');
    expect(same).toEqual([expect.objectContaining({ speaker: 'la même source', kind: 'source' })]);
    const media = attributions('Les dirigeants ont établi « de nouveaux plans pour restructurer leurs rangs », selon des médias américains.');
    expect(media).toEqual([expect.objectContaining({ speaker: 'des médias américains', kind: 'source' })]);
    expect(attributions('« Le bilan est lourd et provisoire », selon Reuters.')[0]?.kind).toBe('source');
  });

  it('does not take a place after the verb for the speaker ("a déclaré à Charm el-Cheikh Antonio Guterres")', () => {
    expect(attributions('« La situation est grave et nous devons agir », a déclaré à Charm el-Cheikh Antonio Guterres.')[0]?.speaker).toBe('Antonio Guterres');
  });

  it('reads straight double quotes as web copy writes them', () => {
    const text = 'Le ministre de la Santé Olivier Véran a annoncé jeudi.Selon lui, "nous devons mieux rémunérer les soignants", a-t-il déclaré. "Le Ségur" a commencé.';
    expect(attributions(text)).toEqual([expect.objectContaining({ speaker: 'Olivier Véran', kind: 'person', quote: 'nous devons mieux rémunérer les soignants' })]);
  });

  it('ignores unattributed quotations and quoted names', () => {
    expect(attributions("C’est donc « un moment clé pour s'attaquer au noyau de Daech, et infliger un impact durable ».")).toEqual([]);
    expect(attributions('L’organisation dite « Etat islamique » recule, a déclaré Nasser Bourita.')).toEqual([]);
  });

  it('returns spans of the input: quote and statement are verbatim substrings', () => {
    const text = 'Intro.\n\nNasser Bourita a déclaré : « Le Maroc restera mobilisé. » Puis il est parti. « Nous tiendrons nos engagements envers nos alliés », a-t-il ajouté.';
    const found = findAttributions(text);
    expect(found).toHaveLength(2);
    for (const a of found) {
      expect(text.slice(a.statement.start, a.statement.end)).toContain(text.slice(a.quote.start, a.quote.end));
      expect(a.statement.start).toBeLessThanOrEqual(a.quote.start);
    }
    expect(found.map((a) => a.speaker)).toEqual(['Nasser Bourita', 'Nasser Bourita']);
  });
});

describe('sameSpeaker', () => {
  it('matches names case- and accent-insensitively and by last name', () => {
    expect(sameSpeaker('Nasser Bourita', 'nasser bourita')).toBe(true);
    expect(sameSpeaker('Nasser Bourita', 'Bourita')).toBe(true);
    expect(sameSpeaker('José Manuel Albares', 'jose manuel albares')).toBe(true);
    expect(sameSpeaker('Jean-Yves Le Drian', 'Le Drian')).toBe(true);
    expect(sameSpeaker('Nasser Bourita', 'Antony Blinken')).toBe(false);
    expect(sameSpeaker('Nasser Bourita', 'Nasser Kamel')).toBe(false);
  });
});
