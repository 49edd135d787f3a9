/**
 * The invariants the property tests check, as plain functions of a plain input, so that a failing input found by
 * fast-check can be saved under tests/fixtures/regressions/ and replayed forever by regressions.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { answerQuestion, findQuote } from '../../src/answer/answer-question.js';
import { chunkArticle } from '../../src/chunk/chunk-article.js';
import { estimateTokenCounter } from '../../src/chunk/estimate-token-counter.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Answer, Article } from '../../src/core/types.js';
import { renderAnswer } from '../../src/cli/render-answer.js';
import { checkMessageLimits, renderAnswerMessage } from '../../src/discord/render-message.js';
import { readCorpus } from '../../src/ingest/read-corpus.js';
import { hashArticle } from '../../src/ingest/hash-article.js';
import { buildLexicalIndex } from '../../src/lexical/bm25-index.js';
import { analyze, tokenize } from '../../src/lexical/french-analyzer.js';
import type { SearchSnapshot } from '../../src/retrieve/search-snapshot.js';

/** Characters a stored article text never holds: U+FFFD, C0 controls but tab/newline, C1 controls, zero-width and bidi. */
export const NEVER_STORED = /[\uFFFD\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u00AD]/;

export type RegressionCase =
  | { kind: 'ingest'; files: Array<{ name: string; base64: string }> }
  | { kind: 'chunk'; text: string; maxTokens: number; targetTokens: number; overlapSentences: number }
  | { kind: 'analyze'; text: string }
  | { kind: 'answer'; texts: string[]; question: string };

export async function checkCase(c: RegressionCase): Promise<void> {
  if (c.kind === 'ingest') return checkIngest(c.files.map((f) => ({ name: f.name, bytes: Buffer.from(f.base64, 'base64') })));
  if (c.kind === 'chunk') return checkChunk(c.text, c);
  if (c.kind === 'analyze') return checkAnalyze(c.text);
  return checkAnswers(c.texts, c.question);
}

/** readCorpus never throws on what a folder holds, gives each file one outcome, the same ids and texts twice, clean text. */
export async function checkIngest(files: Array<{ name: string; bytes: Uint8Array }>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sourcier-prop-ingest-'));
  try {
    for (const f of files) await writeFile(join(dir, f.name), f.bytes);
    const first = await readCorpus(dir);
    const second = await readCorpus(dir);
    expect(second.articles.map((a) => [a.id, a.text, a.hash])).toEqual(first.articles.map((a) => [a.id, a.text, a.hash]));
    const paths = new Set(first.outcomes.map((o) => o.path.split(':')[0]));
    for (const f of files) expect(paths.has(f.name)).toBe(true);
    for (const o of first.outcomes) if (o.status === 'skipped') expect(o.reason.length).toBeGreaterThan(0);
    expect(new Set(first.articles.map((a) => a.id)).size).toBe(first.articles.length);
    for (const a of first.articles) {
      expect(a.text.trim().length).toBeGreaterThan(0);
      expect(a.text).not.toMatch(NEVER_STORED);
      expect(a.text).toBe(a.text.normalize('NFC'));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function article(id: string, text: string): Article {
  const meta = { id, title: `Article ${id}`, text };
  return { ...meta, path: `${id}.txt`, hash: hashArticle(meta) };
}

/** Chunks are verbatim slices, within maxTokens, ordered, with the same ids each time, and cover every word of the text. */
export function checkChunk(text: string, options: { maxTokens: number; targetTokens: number; overlapSentences: number }): void {
  const a = article('a', text);
  const run = () => chunkArticle(a, { tokenCounter: estimateTokenCounter, ...options });
  let chunks;
  try {
    chunks = run();
  } catch (error) {
    // The only refusal allowed: a limit that leaves no room for text.
    expect(isAppError(error, 'CONFIG_INVALID'), String(error)).toBe(true);
    return;
  }
  expect(run()).toEqual(chunks);
  const covered = new Uint8Array(text.length);
  chunks.forEach((c, i) => {
    expect(c.id).toBe(`a#${i}`);
    expect(c.text).toBe(text.slice(c.start, c.end));
    expect(c.tokens).toBeLessThanOrEqual(options.maxTokens);
    expect(estimateTokenCounter.countTokens(c.text)).toBeLessThanOrEqual(options.maxTokens);
    for (const s of c.sentences) expect(s.start >= c.start && s.end <= c.end && s.start <= s.end).toBe(true);
    covered.fill(1, c.start, c.end);
  });
  for (let i = 0; i < text.length; i++) if (!/\s/.test(text[i]!) && !covered[i]) throw new Error(`character ${i} (${JSON.stringify(text[i])}) is in no chunk`);
}

/** The analyzer never throws, its spans lie inside the text, and it is deterministic. */
export function checkAnalyze(text: string): void {
  const tokens = tokenize(text);
  for (const t of tokens) expect(t.start >= 0 && t.end <= text.length && t.start < t.end).toBe(true);
  expect(tokenize(text)).toEqual(tokens);
  expect(analyze(text)).toEqual(analyze(text));
}

/**
 * Over a lexical snapshot of the given articles: ask and quote answer or refuse with QUESTION_INVALID; every excerpt is
 * the verbatim slice of its article; the CLI and Discord renderers take the answer without throwing, within limits.
 */
export async function checkAnswers(texts: string[], question: string): Promise<void> {
  const articles = texts.map((t, i) => article(`a${i}`, t)).filter((a) => a.text.trim() !== '');
  const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 128, targetTokens: 40 }));
  const byId = new Map(articles.map((a) => [a.id, a]));
  const snapshot: SearchSnapshot = { chunks, articles: byId, lexical: buildLexicalIndex(chunks, byId) };
  for (const run of [() => answerQuestion(snapshot, question), () => findQuote(snapshot, question)]) {
    let answer: Answer;
    try {
      answer = await run();
    } catch (error) {
      expect(isAppError(error, 'QUESTION_INVALID'), String((error as Error)?.stack ?? error)).toBe(true);
      continue;
    }
    for (const c of answer.citations) expect(byId.get(c.articleId)!.text.slice(c.start, c.end)).toBe(c.excerpt);
    expect(renderAnswer({ ...answer, question })).toBeTypeOf('string');
    expect(checkMessageLimits(renderAnswerMessage({ ...answer, question }, { kind: 'ask', stateKey: 'k' }))).toEqual([]);
  }
}
