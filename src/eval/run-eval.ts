import { z } from 'zod';
import { AppError } from '../core/app-error.js';
import type { Answer, Sourcier } from '../core/types.js';

/** One line of an eval file. */
export const evalItemSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  question: z.string().min(1),
  relevant: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  answer: z.string().optional(),
  abstain: z.boolean().optional(),
});
export type EvalItem = z.infer<typeof evalItemSchema>;

export interface EvalMetrics {
  questions: number;
  answerable: number;
  recallAt1: number;
  recallAt5: number;
  mrrAt10: number;
  /** Share of answerable questions with an `answer` whose text appears in one of the top 3 excerpts. */
  answerInExcerpt: number | null;
  /** Share of `abstain: true` questions that abstained. */
  correctAbstention: number | null;
  /** Share of answerable questions that abstained. */
  wronglyAbstained: number;
  latencyP50: number;
  latencyP95: number;
}

export interface EvalResult {
  metrics: EvalMetrics;
  rows: Array<{ id: string; answer: Answer }>;
}

/** Parses an eval JSONL file's text; a bad line is an EVAL_FILE_INVALID error naming the line. */
export function parseEvalFile(text: string, fileName: string): EvalItem[] {
  const items: EvalItem[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new AppError('EVAL_FILE_INVALID', `${fileName}:${i + 1} is not valid JSON. Each line must be {"id","question","relevant":[...]}.`);
    }
    const parsed = evalItemSchema.safeParse(json);
    if (!parsed.success) {
      const what = parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ');
      throw new AppError('EVAL_FILE_INVALID', `${fileName}:${i + 1}: ${what}. Each line must be {"id","question","relevant":[...],"answer"?,"abstain"?}.`);
    }
    items.push(parsed.data);
  });
  if (items.length === 0) throw new AppError('EVAL_FILE_INVALID', `${fileName} holds no question.`);
  return items;
}

/** Asks every question (one at a time, so latencies are honest) and computes article-level metrics. */
export async function runEval(sourcier: Sourcier, items: EvalItem[], onAnswer?: (done: number, total: number) => void): Promise<EvalResult> {
  const rows: EvalResult['rows'] = [];
  for (const item of items) {
    const answer = await sourcier.ask(item.question, { limit: 10 });
    rows.push({ id: item.id, answer });
    onAnswer?.(rows.length, items.length);
  }
  return { metrics: computeMetrics(items, rows.map((r) => r.answer)), rows };
}

/** Ranked distinct article ids of an answer: its citations, or the nearest articles when it abstained. */
export function rankedArticles(answer: Answer): string[] {
  const ids = answer.citations.length > 0 ? answer.citations.map((c) => c.articleId) : answer.nearest.map((n) => n.articleId);
  return [...new Set(ids)];
}

export function computeMetrics(items: EvalItem[], answers: Answer[]): EvalMetrics {
  let answerable = 0;
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  let withAnswer = 0;
  let answerHits = 0;
  let offCorpus = 0;
  let abstainedOk = 0;
  let wrongAbstain = 0;
  items.forEach((item, i) => {
    const answer = answers[i]!;
    if (item.abstain) {
      offCorpus++;
      if (answer.abstained) abstainedOk++;
      return;
    }
    answerable++;
    if (answer.abstained) wrongAbstain++;
    const ranked = rankedArticles(answer);
    const rank = ranked.findIndex((id) => item.relevant.includes(id));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0 && rank < 10) mrr += 1 / (rank + 1);
    if (item.answer) {
      withAnswer++;
      const needle = normaliseForMatch(item.answer);
      if (!answer.abstained && answer.citations.slice(0, 3).some((c) => normaliseForMatch(c.excerpt).includes(needle))) answerHits++;
    }
  });
  const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    questions: items.length,
    answerable,
    recallAt1: share(r1, answerable),
    recallAt5: share(r5, answerable),
    mrrAt10: share(mrr, answerable),
    answerInExcerpt: withAnswer === 0 ? null : answerHits / withAnswer,
    correctAbstention: offCorpus === 0 ? null : abstainedOk / offCorpus,
    wronglyAbstained: share(wrongAbstain, answerable),
    latencyP50: percentile(latencies, 0.5),
    latencyP95: percentile(latencies, 0.95),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index]!;
}

function normaliseForMatch(s: string): string {
  return s.normalize('NFC').replace(/[\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
}
