import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { detectAnswerType, parseQuestion, asksCompletedEvent } from '../../src/retrieve/parse-question.js';

describe('parseQuestion', () => {
  it('strips question words so only the subject is searched', () => {
    const terms = (q: string) => parseQuestion(q).terms.map((t) => t.term);
    expect(terms('Qui a renversé le président malien ?')).toEqual(terms('renversé président malien'));
    expect(terms('Combien de pays ?')).toEqual(['pay']);
    expect(terms('Est-ce que la coalition existe ?')).toEqual(terms('coalition existe'));
    for (const w of ['Quand', 'Où', 'Pourquoi', 'Comment', 'Quel', 'Quelle']) {
      expect(terms(`${w} Bamako ?`)).toEqual(['bamako']);
    }
  });

  it('weighs generic question words ("nom", "année", "appelle") below the words of the topic', () => {
    const weights = new Map(parseQuestion('Comment s’appelle le fleuve qui traverse Bamako ?').terms.map((t) => [t.term, t.weight]));
    expect(weights.get('appel')).toBeLessThan(1);
    expect(weights.get('fleuv')).toBe(1);
    expect(parseQuestion('En quelle année la coalition est-elle née ?').terms.find((t) => t.term === 'anne')!.weight).toBeLessThan(1);
    // Still searched: a question of generic words alone finds something.
    expect(parseQuestion('Quel nom ?').terms.map((t) => t.term)).toEqual(['nom']);
    expect(parseQuestion('Quel nom ?', { genericWeight: 1 }).terms[0]!.weight).toBe(1);
  });

  it('detects the expected answer type', () => {
    expect(detectAnswerType('Qui a renversé le président ?')).toBe('person');
    expect(detectAnswerType('Combien de spectateurs sont attendus ?')).toBe('number');
    expect(detectAnswerType('Quel est le nombre de morts ?')).toBe('number');
    expect(detectAnswerType('Quand le Tour part-il ?')).toBe('date');
    expect(detectAnswerType('En quelle année la coalition a-t-elle été créée ?')).toBe('date');
    expect(detectAnswerType('Où se sont réunis les ministres ?')).toBe('place');
    expect(detectAnswerType('Dans quelle ville se réunit la coalition ?')).toBe('place');
    // "ou" (or) is not "où" (where); a relative "qui" does not ask for a person.
    expect(detectAnswerType('Paris ou Lyon accueille la réunion ?')).toBe('other');
    expect(detectAnswerType('Quelle est la loi qui a été votée ?')).toBe('other');
    expect(detectAnswerType('Pourquoi la croissance ralentit-elle ?')).toBe('other');
  });

  it('refuses text without any word', () => {
    for (const q of ['', ' \n ', '?!', '🙂']) {
      let caught: unknown;
      try {
        parseQuestion(q);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'QUESTION_INVALID')).toBe(true);
    }
  });

  it('still searches a question made only of stop words', () => {
    expect(parseQuestion('Qui est-ce ?').terms.length).toBeGreaterThan(0);
  });
});

describe('asksCompletedEvent', () => {
  it.each([
    "Qui a remporté l'élection présidentielle américaine de novembre 2024 ?",
    'Qui s’est vu décerner le prix Nobel de la paix en 2021 ?',
    "Qui est devenu chancelier d'Allemagne en décembre 2021 ?",
    'Combien de morts le séisme de février 2023 a-t-il fait ?',
    'Qui a été élu en 2024 ?',
  ])('reads "%s" as asking about a completed event', (question) => {
    expect(asksCompletedEvent(question)).toBe(true);
  });

  it.each([
    'Quel sera le budget des armées en 2025 ?',
    "Qu'a prévu le gouvernement pour 2025 ?",
    'Que prévoit la loi de programmation pour 2025 ?',
    'Quel est le taux du livret A en 2024 ?',
    'Qui remportera l’élection de 2024 ?',
    "Le Brexit n'a pas encore eu lieu ?",
  ])('does not read "%s" as a completed event (future, plan, present or negated)', (question) => {
    expect(asksCompletedEvent(question)).toBe(false);
  });
});
