/**
 * Calibrated abstention: a tiny logistic model over retrieval features of the best passage says how likely the
 * corpus holds the answer. Below `threshold`, Sourcier abstains and shows the nearest articles instead of quotes.
 *
 * Fitted by `npx tsx bench/quality.ts --fit-abstention` on PIAF (lexical-only; 20% of paragraphs held out of the
 * index, their questions must abstain, the others must not). The constants and the figures measured with them are
 * written below by hand from the bench output, so a change is a reviewed diff.
 */

/** Features of the best passage, each about 0..1. */
export interface AbstentionFeatures {
  /** Question IDF mass matched by the best sentence. */
  sentenceCoverage: number;
  /** Question IDF mass matched by the best two adjacent sentences. */
  windowCoverage: number;
  /** Question IDF mass matched anywhere in the passage. */
  passageCoverage: number;
  /** IDF of the rarest question term missing from the passage, over the largest possible IDF (0 when none misses). */
  missingRarest: number;
  /** Like windowCoverage, counting only question terms absent from the article title (the specific part of it). */
  specificCoverage: number;
  /** Relative lead of the best article over the second: (s1 - s2) / s1 of the rerank scores. */
  scoreGap: number;
  /** Proximity of the matched question words in the best passage (`PassageReading.proximity`). */
  proximity: number;
  /** Share of the question's two rarest terms found in the excerpt's sentences (best and its neighbour). */
  rarestCovered: number;
  /** 1 when the question expects a kind of answer (date, number, person, place) and the best sentence holds one
   * that is not a word of the question, 0 when it expects one and the sentence holds none, 0.5 otherwise. */
  answerTypeFound: number;
}

export interface AbstentionModel {
  bias: number;
  weights: Record<keyof AbstentionFeatures, number>;
  /** Abstain when the probability of "answerable" is below this. */
  threshold: number;
}

export const FEATURE_NAMES: Array<keyof AbstentionFeatures> = [
  'sentenceCoverage',
  'windowCoverage',
  'passageCoverage',
  'missingRarest',
  'specificCoverage',
  'scoreGap',
  'proximity',
  'rarestCovered',
  'answerTypeFound',
];

/**
 * The fitted model. Measured on PIAF (lexical-only, 20% of paragraphs held out, 3835 questions): correct abstention
 * 22.1% with 4.6% of answerable questions wrongly abstained (threshold fitted for <= 4.5%); fitted on half of the
 * Wikipedia titles and measured on the other half: 20-26% correct at 3.7-6.0% wrong. The held-out paragraphs' siblings
 * (same Wikipedia article) stay in the index, so most off-corpus questions still find on-topic passages; lexical
 * features separate them poorly (best single feature AUC 0.77; proximity 0.69, rarest-terms coverage 0.69, answer
 * type 0.53; coverage by the words as written 0.76, share of words unknown to the index 0.61, article coverage 0.77,
 * word pairs 0.68 add nothing measurable). Clearly off-topic questions (tests/answer) abstain. windowCoverage gets a
 * negative weight only because it is nearly collinear with sentence and passage coverage. Refitted when the reading
 * took the article title as context of every sentence (the coverages it feeds on changed).
 */
export const ABSTENTION_MODEL: AbstentionModel = {
  bias: -3.5858,
  weights: {
    sentenceCoverage: 1.6818,
    windowCoverage: -1.1152,
    passageCoverage: 1.6543,
    missingRarest: 0.6503,
    specificCoverage: 2.1293,
    scoreGap: 1.6995,
    proximity: 1.598,
    rarestCovered: 0.205,
    answerTypeFound: 0.4501,
  },
  threshold: 0.1973,
};

/** Probability, 0..1, that the best passage answers the question. */
export function answerProbability(features: AbstentionFeatures, model: AbstentionModel = ABSTENTION_MODEL): number {
  let z = model.bias;
  for (const name of FEATURE_NAMES) z += model.weights[name] * features[name];
  return 1 / (1 + Math.exp(-z));
}
