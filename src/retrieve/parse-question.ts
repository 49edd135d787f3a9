/**
 * What Sourcier understands of a question before searching: its index terms (question words are stop words of the
 * analyzer, so "Qui", "Combien", "Est-ce que" never reach the index) and the kind of answer it expects.
 */
import { AppError } from '../core/app-error.js';
import type { WeightedTerm } from '../lexical/bm25-index.js';
import { foldText, tokenize, type Token } from '../lexical/french-analyzer.js';

export type AnswerType = 'person' | 'number' | 'date' | 'place' | 'other';

export interface ParsedQuestion {
  /** The question as searched (trimmed, capped in length). */
  text: string;
  /** Distinct index terms (compounds of hyphenated names included), weight 1 each except generic words. */
  terms: WeightedTerm[];
  /** Tokens of the question, stop words included. */
  tokens: Token[];
  answerType: AnswerType;
}

/** Longest question analysed, in characters: beyond it, words add noise and cost, not precision. */
export const MAX_QUESTION_CHARS = 2000;
/** Most distinct terms searched; a pasted page keeps its first ones. */
const MAX_TERMS = 64;

/**
 * Cues of the expected answer, tried in order on the folded question. The first that matches wins, so the specific
 * ("quel nombre", "en quelle annee") comes before the generic ("quel", "qui").
 */
const ANSWER_CUES: Array<[RegExp, AnswerType]> = [
  [/\bcombien\b|\bquel(?:le)?s? (?:est |sont |etait |fut )?(?:l'|le |la |les )?(?:nombre|montant|pourcentage|taux|part|quantite|prix|cout|age|population|superficie|surface|taille|hauteur|longueur|duree|somme|budget|chiffre|proportion|effectif|score|distance|poids|altitude|temperature|vitesse|salaire)\b/, 'number'],
  [/\bquand\b|\ben quelle (?:annee|annees|periode|saison|decennie)\b|\bquel(?:le)?s? (?:est |etait )?(?:l'|la |le )?(?:annee|date|jour|mois|siecle|epoque|periode|decennie)\b|\bdepuis quand\b|\ba quel(?:le)? (?:moment|epoque|date|periode)\b|\bde quand\b/, 'date'],
  [/\bwhereou\b|\bdans quel(?:le)?s? (?:pays|ville|region|departement|endroit|lieu|continent|quartier|commune|province|etat|territoire|zone)\b|\bquel(?:le)?s? (?:est |sont |etait )?(?:le |la |l'|les )?(?:pays|ville|region|lieu|endroit|capitale|continent|departement|commune|quartier|province|territoire)\b/, 'place'],
  [/^(?:et |mais )?qui\b|\b(?:a|par|de|pour|avec|chez|contre|selon) qui\b|\bqui\s*\??\s*$|\bqui (?:est|etait|sont|etaient) (?:l'|le |la |les )?(?:auteur|president|fondateur|createur|responsable|inventeur|vainqueur|gagnant)|\bquel(?:le)?s? (?:est |sont |etait )?(?:le |la |l'|les )?(?:nom|president|presidente|auteur|ministre|chef|dirigeant|fondateur|fondatrice|createur|entraineur|joueur|roi|reine|pape|empereur|personne|personnage|artiste|ecrivain|architecte|inventeur|directeur|directrice|maire|secretaire|candidat|vainqueur|gagnant|premier ministre)\b/, 'person'],
];

/** Detects the kind of answer a question expects from its wording. */
export function detectAnswerType(question: string): AnswerType {
  // "où" (where) folds to "ou" (or): mark it before folding.
  const marked = question.toLowerCase().replace(/(?<![\p{L}])où(?![\p{L}])/gu, ' whereou ');
  const folded = foldText(marked).replace(/[\u2019\u02bc]/g, "'").trim();
  for (const [re, type] of ANSWER_CUES) if (re.test(folded)) return type;
  return 'other';
}

/**
 * Generic words of questions (folded surfaces): they name the kind of answer ("nom", "année", "pays") or are light
 * verbs ("appelle", "trouve", "situe"), not the topic. They stay in the search, with weight `genericWeight`.
 */
const GENERIC_WORDS = new Set(
  `nom noms appelle appellent appelait appele appelee appeles appelees nomme nommee surnomme surnommee annee annees
  personne personnes chose choses type types sorte genre nombre date jour lieu moment epoque role principal principale
  principaux principales exemple existe existait trouve trouvait trouvent situe situee situes situees correspond
  correspondait permet permettait permis utilise utilisee utilises designe designait signifie represente
  represent consiste consistait devenu devenue devient donne donnee porte portait existe-t-il`.split(/\s+/).filter(Boolean),
);

/**
 * "Quand a lieu …", "Où aura lieu …": in "avoir lieu" (to take place) the noun is part of the question's frame, not of
 * its topic, and would otherwise pull up any passage that says "aura lieu".
 */
const AVOIR_FORMS = new Set(['a', 'ont', 'aura', 'auront', 'avait', 'avaient', 'aurait', 'auraient', 'avoir', 'eu', 'ait']);
const FRAME_WEIGHT = 0.1;

/** Default weight of a generic question word (1 = as any word). */
export const GENERIC_WEIGHT = 0.5;

/** Options of {@link parseQuestion}. */
export interface ParseQuestionOptions {
  /** Weight of a generic question word ("nom", "année", "appelle") relative to other words. Default `GENERIC_WEIGHT`. */
  genericWeight?: number;
}

/**
 * Parses a question. Throws QUESTION_INVALID when it holds no letter or digit at all (empty, whitespace,
 * punctuation, emoji); any other text, however long or odd, is a question.
 */
export function parseQuestion(question: string, options: ParseQuestionOptions = {}): ParsedQuestion {
  const genericWeight = options.genericWeight ?? GENERIC_WEIGHT;
  if (typeof question !== 'string' || !/[\p{L}\p{N}]/u.test(question)) {
    throw new AppError('QUESTION_INVALID', 'The question holds no word: write a question in words, e.g. "Qui a remporté l\'élection ?".');
  }
  // Control characters are spaces: they carry no meaning and would only split words oddly.
  // eslint-disable-next-line no-control-regex
  const text = question.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim().slice(0, MAX_QUESTION_CHARS);
  const tokens = tokenize(text);
  const seen = new Set<string>();
  const terms: WeightedTerm[] = [];
  const add = (term: string, weight = 1) => {
    if (seen.has(term) || seen.size >= MAX_TERMS) return;
    seen.add(term);
    terms.push({ term, weight });
  };
  tokens.forEach((t, i) => {
    const frame = t.surface === 'lieu' && i > 0 && AVOIR_FORMS.has(tokens[i - 1]!.surface);
    if (t.term !== null) add(t.term, frame ? FRAME_WEIGHT : GENERIC_WORDS.has(t.surface) ? genericWeight : 1);
    if (t.compound !== undefined) add(t.compound);
  });
  // A question made only of stop words ("Qui est-ce ?") still deserves a search: use its words as written.
  if (terms.length === 0) for (const t of tokens) add(t.surface);
  return { text, terms, tokens, answerType: detectAnswerType(text) };
}

/** Forms of "avoir" and "être" that make a compound past ("a remporté", "s'est vu", "sont devenus", "a-t-il fait"). */
const PAST_AUXILIARIES = new Set(['a', 'ont', 'est', 'sont', 'avait', 'avaient', 'etait', 'etaient', 'eut', 'fut', 'ete']);
/** Words that may stand between the auxiliary and its participle ("a-t-il déjà", "n'a pas encore"). */
const BETWEEN_PARTICIPLE = new Set(['t', 'il', 'elle', 'on', 'ils', 'elles', 'deja', 'finalement', 'bien', 'enfin', 'vraiment', 'officiellement', 'ete']);
/**
 * Participles of planning and announcing: "Qu'a prévu le budget pour 2025 ?" asks about a plan made before the period,
 * which an older article can report.
 */
const PLANNING_PARTICIPLES = new Set(
  `prevu prevue prevus prevues promis promise annonce annoncee annonces annoncees decide decidee fixe fixee fixes
  programme programmee envisage envisagee propose proposee vote votee adopte adoptee planifie planifiee projete
  estime estimee predit predite prevenu engage engagee`.split(/\s+/).filter(Boolean),
);

/**
 * Whether the question asks about a completed event, in the compound past ("Qui a remporté…", "Qui est devenu…",
 * "Combien de morts le séisme a-t-il fait ?"), other than a plan or an announcement ("Qu'a prévu…"), and not negated
 * ("n'a pas encore…" asks what has not happened). An archive can report such an event only if it ends after it.
 */
export function asksCompletedEvent(question: string): boolean {
  const tokens = tokenize(question);
  for (let i = 0; i < tokens.length; i++) {
    if (!PAST_AUXILIARIES.has(tokens[i]!.surface)) continue;
    let j = i + 1;
    while (j < tokens.length && BETWEEN_PARTICIPLE.has(tokens[j]!.surface)) j++;
    const next = tokens[j];
    if (!next || next.term === null && !['fait', 'eu', 'ete'].includes(next.surface)) continue;
    if (tokens[i - 1]?.surface === 'n' || tokens[i - 1]?.surface === 'ne' || next.surface === 'pas') continue;
    if (PLANNING_PARTICIPLES.has(next.surface)) continue;
    if (/(?:e|es|ee|ees|i|is|ie|ies|u|us|ue|ues|it|its|int|ert|erte|eint|ait)$/.test(next.surface)) return true;
  }
  return false;
}
