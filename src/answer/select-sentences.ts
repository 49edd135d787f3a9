/**
 * Reads a passage sentence by sentence and finds the one or two sentences that best answer a question:
 * IDF-weighted overlap with the question's terms, a match of the expected answer type, and proximity of the
 * matched words. The result is a span of the article text, so the excerpt is always quoted verbatim.
 */
import type { Span } from '../core/types.js';
import { tokenize, type Token } from '../lexical/french-analyzer.js';
import type { AnswerType, ParsedQuestion } from '../retrieve/parse-question.js';

/** How well one passage answers the question; also the features of reranking and abstention. */
export interface PassageReading {
  /** The excerpt: one sentence, or two adjacent ones, plus the antecedent sentence for a leading pronoun. */
  span: Span;
  /** Score of the best sentence (coverage + type + proximity), about 0..1.2. */
  sentenceScore: number;
  /** Share of the question's IDF mass matched by the best sentence, 0..1. */
  sentenceCoverage: number;
  /** Share of the question's IDF mass matched by the best two adjacent sentences, 0..1. */
  windowCoverage: number;
  /** Share of the question's IDF mass matched anywhere in the passage, 0..1. */
  passageCoverage: number;
  /** Whether the best sentence holds something of the expected answer type. */
  typeMatch: boolean;
  /** Question terms matched by the excerpt's sentences (best and its neighbour). */
  windowTerms: Set<string>;
}

/** Weights of the sentence score. Chosen on PIAF (see bench/quality.ts); small on purpose. */
const TYPE_BONUS = 0.12;
const PROXIMITY_BONUS = 0.1;
/** A second adjacent sentence joins the excerpt when it scores at least this share of the best one. */
const SECOND_SENTENCE_SHARE = 0.6;

/** Words that open a sentence whose subject lies in the previous one. */
const ANAPHORA = new Set([
  'il', 'elle', 'ils', 'elles', 'ce', 'cet', 'cette', 'ces', 'celui', 'celle', 'ceux', 'celles', 'cela', 'ca', 'ceci',
  'lui', 'leur', 'leurs', 'son', 'sa', 'ses', 'y', 'en', 'on', 'selon', 'lequel', 'laquelle', 'lesquels', 'dernier',
  'derniere', 'celui-ci', 'celle-ci',
]);

const MONTHS = new Set([
  'janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre',
]);
const DATE_WORDS = new Set(['siecle', 'siecles', 'an', 'ans', 'annee', 'annees', 'hier', 'aujourd\'hui', 'demain', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']);
const PLACE_PREPOSITIONS = new Set(['a', 'au', 'aux', 'en', 'dans', 'de', 'vers', 'pres', 'sur']);

export interface SentenceSource {
  /** The article text the spans point into. */
  text: string;
  /** Sentences of the passage (absolute spans), in order. */
  sentences: Span[];
  /** The sentence before the passage's first one, when the article has one (antecedent of a leading pronoun). */
  before?: Span;
}

interface SentenceScore {
  score: number;
  coverage: number;
  matched: Set<string>;
  typeMatch: boolean;
}

/** How the excerpt grows beyond the best sentence. */
export type ExcerptPolicy = 'adaptive' | 'follow' | 'always';

/** Reads a passage: picks the excerpt and measures how well it answers. `idf` weighs the question's terms. */
export function readPassage(
  source: SentenceSource,
  question: ParsedQuestion,
  idf: (term: string) => number,
  policy: ExcerptPolicy = 'always',
): PassageReading {
  const weights = new Map<string, number>();
  for (const { term } of question.terms) weights.set(term, Math.max(0.1, idf(term)));
  let total = 0;
  for (const w of weights.values()) total += w;
  if (total === 0) total = 1;
  const questionSurfaces = new Set(question.tokens.map((t) => t.surface));

  const sentences = source.sentences.length > 0 ? source.sentences : [];
  const scores: SentenceScore[] = sentences.map((s) =>
    scoreSentence(tokenize(source.text.slice(s.start, s.end)), weights, total, question.answerType, questionSurfaces, source.text, s),
  );
  const passageMatched = new Set<string>();
  for (const s of scores) for (const t of s.matched) passageMatched.add(t);

  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.score > scores[best]!.score) best = i;
  if (scores.length === 0) {
    return { span: { start: 0, end: 0 }, sentenceScore: 0, sentenceCoverage: 0, windowCoverage: 0, passageCoverage: 0, typeMatch: false, windowTerms: new Set() };
  }
  const top = scores[best]!;
  let first = best;
  let last = best;
  let windowCoverage = top.coverage;
  let windowTerms = top.matched;
  // The better neighbour joins when it scores close to the best or brings question words the best one lacks.
  const neighbour = [best - 1, best + 1]
    .filter((i) => i >= 0 && i < scores.length)
    .sort((a, b) => scores[b]!.score - scores[a]!.score)[0];
  if (neighbour !== undefined) {
    const n = scores[neighbour]!;
    const union = new Set([...top.matched, ...n.matched]);
    let unionMass = 0;
    for (const t of union) unionMass += weights.get(t) ?? 0;
    windowCoverage = unionMass / total;
    windowTerms = union;
    const adds = windowCoverage - top.coverage;
    let join = n.score >= SECOND_SENTENCE_SHARE * top.score && (adds > 0.05 || (n.typeMatch && !top.typeMatch));
    let other = neighbour;
    if (policy === 'always') {
      join = true;
      other = best + 1 < scores.length ? best + 1 : neighbour;
    } else if (policy === 'follow' && !join && !top.typeMatch && best + 1 < scores.length) {
      join = true;
      other = best + 1;
    }
    if (join) {
      first = Math.min(first, other);
      last = Math.max(last, other);
    }
  }
  let start = sentences[first]!.start;
  const end = sentences[last]!.end;
  // A leading pronoun needs its antecedent: add the previous sentence.
  if (startsWithAnaphora(source.text, sentences[first]!)) {
    const previous = first > 0 ? sentences[first - 1] : source.before;
    if (previous) start = previous.start;
  }
  let passageMass = 0;
  for (const t of passageMatched) passageMass += weights.get(t) ?? 0;
  return {
    span: { start, end },
    sentenceScore: top.score,
    sentenceCoverage: top.coverage,
    windowCoverage,
    passageCoverage: passageMass / total,
    typeMatch: top.typeMatch,
    windowTerms,
  };
}

/** Whether the sentence opens with a pronoun or demonstrative whose referent is in the sentence before. */
export function startsWithAnaphora(text: string, sentence: Span): boolean {
  const first = tokenize(text.slice(sentence.start, Math.min(sentence.end, sentence.start + 40)))[0];
  return first !== undefined && ANAPHORA.has(first.surface);
}

function scoreSentence(
  tokens: Token[],
  weights: Map<string, number>,
  total: number,
  answerType: AnswerType,
  questionSurfaces: Set<string>,
  text: string,
  span: Span,
): SentenceScore {
  const matched = new Set<string>();
  const positions: number[] = [];
  for (const t of tokens) {
    const hit = (t.term !== null && weights.has(t.term) ? t.term : undefined) ?? (t.compound !== undefined && weights.has(t.compound) ? t.compound : undefined);
    if (hit !== undefined) {
      matched.add(hit);
      positions.push(t.position);
    }
  }
  let mass = 0;
  for (const t of matched) mass += weights.get(t)!;
  const coverage = mass / total;
  // Proximity: matched words packed in a short stretch read as one statement about the question.
  let proximity = 0;
  if (positions.length >= 2) {
    const spread = positions[positions.length - 1]! - positions[0]! + 1;
    proximity = Math.min(1, (matched.size * 2) / spread);
  }
  const typeMatch = answerType !== 'other' && hasAnswerType(tokens, answerType, questionSurfaces, text, span);
  const score = coverage + (typeMatch ? TYPE_BONUS * Math.min(1, coverage * 2) : 0) + PROXIMITY_BONUS * proximity * coverage;
  return { score, coverage, matched, typeMatch };
}

/** Whether the sentence holds a candidate answer of the type, other than words of the question itself. */
function hasAnswerType(tokens: Token[], type: AnswerType, questionSurfaces: Set<string>, text: string, span: Span): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (questionSurfaces.has(t.surface)) continue;
    const isNumber = /^\d/.test(t.surface);
    switch (type) {
      case 'number':
        if (isNumber && !/^(1[0-9]|20)\d\d$/.test(t.surface)) return true;
        if (isNumber) return true;
        break;
      case 'date':
        if (isNumber && /^(1\d|20)\d\d$/.test(t.surface)) return true;
        if (MONTHS.has(t.surface) || DATE_WORDS.has(t.surface)) return true;
        break;
      case 'person':
      case 'place': {
        const c = text.charCodeAt(span.start + t.start);
        const capital = c >= 65 && c <= 90 ? true : c > 127 && text[span.start + t.start] !== text[span.start + t.start]!.toLowerCase();
        if (!capital || i === 0) break;
        const prev = tokens[i - 1]!;
        if (type === 'place' && PLACE_PREPOSITIONS.has(prev.surface)) return true;
        if (type === 'person') {
          const next = tokens[i + 1];
          const nextCapital = next !== undefined && /\p{Lu}/u.test(text[span.start + next.start]!);
          if (nextCapital && !questionSurfaces.has(next!.surface)) return true;
        }
        break;
      }
      default:
        break;
    }
  }
  return false;
}
