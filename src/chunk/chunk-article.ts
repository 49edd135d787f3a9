import { AppError } from '../core/app-error.js';
import type { Article, Chunk, Span, TokenCounter } from '../core/types.js';
import { safeCut, splitSentences } from './split-sentences.js';

// The bench loads the chunker and the fallback counter from this module.
export { estimateTokenCounter } from './estimate-token-counter.js';

export interface ChunkOptions {
  /** Counts tokens as the embedding model will; `countTokens('')` is taken as the fixed cost (prefix, special tokens). */
  tokenCounter: TokenCounter;
  /** Hard limit in tokens for one chunk, prefix and special tokens included (512 for e5). Never exceeded. */
  maxTokens: number;
  /** Tokens a chunk aims for, whole sentences (default 160). */
  targetTokens?: number;
  /** Sentences repeated at the start of the next chunk (default 1). */
  overlapSentences?: number;
}

export const DEFAULT_TARGET_TOKENS = 160;
export const DEFAULT_OVERLAP_SENTENCES = 1;
/** A chunk may end early at a paragraph boundary once it holds this share of the target. */
const PARAGRAPH_FILL = 0.6;
/** Chunks estimated above this share of maxTokens are counted again as a whole before being accepted. */
const RECHECK_SHARE = 0.8;

/** A sentence (or a piece of an over-long one) with its token count and paragraph number. */
interface Unit extends Span {
  tokens: number;
  paragraph: number;
}

/**
 * Cuts an article's text into passages of whole sentences: greedy packing up to `targetTokens`, ending at a paragraph
 * boundary when one comes after 60 % of the target, `overlapSentences` repeated between consecutive chunks, never over
 * `maxTokens` (a sentence that is alone over the limit is cut at word boundaries, a word at characters). The title is
 * not part of the chunk text. Each sentence is counted once and chunks are summed (tokenizers are near-additive on
 * sentence boundaries), with a 2 % safety margin; a chunk near the limit is counted again as a whole.
 * `chunk.tokens` is that sum (or the recount). Deterministic: the same article and options give the same chunks.
 * Throws CONFIG_INVALID when maxTokens leaves no room for text.
 */
export function chunkArticle(article: Article, options: ChunkOptions): Chunk[] {
  const { tokenCounter, maxTokens } = options;
  const count = (s: string) => tokenCounter.countTokens(s);
  const overhead = Math.max(0, count(''));
  const margin = Math.max(1, Math.ceil(maxTokens * 0.02));
  const hardBudget = maxTokens - overhead - margin;
  if (!Number.isFinite(maxTokens) || hardBudget < 1) {
    throw new AppError(
      'CONFIG_INVALID',
      `maxTokens ${maxTokens} leaves no room for text (the tokenizer alone costs ${overhead} tokens); use a larger maxTokens.`,
    );
  }
  const target = Math.min(options.targetTokens ?? DEFAULT_TARGET_TOKENS, maxTokens);
  const targetBudget = Math.max(1, Math.min(target - overhead, hardBudget));
  const overlap = Math.max(0, Math.floor(options.overlapSentences ?? DEFAULT_OVERLAP_SENTENCES));
  const text = article.text;

  const units = measureUnits(text, splitSentences(text), count, overhead, hardBudget);
  const prefix = new Float64Array(units.length + 1);
  units.forEach((u, i) => (prefix[i + 1] = prefix[i]! + u.tokens));
  const sum = (from: number, to: number) => prefix[to]! - prefix[from]!;

  const chunks: Chunk[] = [];
  let prevStart = -1;
  let prevEnd = 0;
  while (prevEnd < units.length) {
    // Overlap: the last sentences of the previous chunk, as long as they leave room for one new sentence.
    let start = chunks.length === 0 ? 0 : Math.max(prevEnd - overlap, prevStart + 1);
    while (start < prevEnd && sum(start, prevEnd + 1) > hardBudget) start++;
    let end = prevEnd + 1;
    while (end < units.length && sum(start, end + 1) <= targetBudget) end++;
    if (end < units.length) {
      // Prefer ending at a paragraph boundary, if the chunk is full enough there.
      for (let k = end - 1; k > prevEnd; k--) {
        if (units[k]!.paragraph !== units[k - 1]!.paragraph) {
          if (sum(start, k) >= PARAGRAPH_FILL * targetBudget) end = k;
          break;
        }
      }
    }
    let tokens = overhead + sum(start, end);
    if (tokens + margin > RECHECK_SHARE * maxTokens) {
      tokens = count(text.slice(units[start]!.start, units[end - 1]!.end));
      while (tokens > maxTokens && end - start > 1) {
        if (end > prevEnd + 1) end--;
        else start++;
        tokens = count(text.slice(units[start]!.start, units[end - 1]!.end));
      }
    }
    const ordinal = chunks.length;
    const span = { start: units[start]!.start, end: units[end - 1]!.end };
    chunks.push({
      id: `${article.id}#${ordinal}`,
      articleId: article.id,
      ordinal,
      start: span.start,
      end: span.end,
      text: text.slice(span.start, span.end),
      sentences: units.slice(start, end).map((u) => ({ start: u.start, end: u.end })),
      tokens,
    });
    prevStart = start;
    prevEnd = end;
  }
  return chunks;
}

/** Counts each sentence once (minus the fixed cost); cuts sentences over the budget into pieces that fit. */
function measureUnits(
  text: string,
  sentences: Span[],
  count: (s: string) => number,
  overhead: number,
  budget: number,
): Unit[] {
  const units: Unit[] = [];
  let paragraph = 0;
  let nextBreak = text.indexOf('\n\n');
  for (const s of sentences) {
    while (nextBreak !== -1 && nextBreak < s.start) {
      paragraph++;
      nextBreak = text.indexOf('\n\n', nextBreak + 2);
    }
    const tokens = Math.max(0, count(text.slice(s.start, s.end)) - overhead);
    if (tokens <= budget) units.push({ ...s, tokens, paragraph });
    else for (const piece of cutToBudget(text, s, count, overhead, budget)) units.push({ ...piece, paragraph });
  }
  return units;
}

/**
 * Cuts a span into pieces of at most `budget` tokens (counted exactly): at word boundaries, and inside a word only
 * when that word alone is over the budget. Each piece takes as many words as fit (binary search).
 */
function cutToBudget(
  text: string,
  span: Span,
  count: (s: string) => number,
  overhead: number,
  budget: number,
): Array<Span & { tokens: number }> {
  const words: Span[] = [];
  const wordPattern = /[^\s\u00A0\u202F]+/g;
  wordPattern.lastIndex = span.start;
  let m: RegExpExecArray | null;
  while ((m = wordPattern.exec(text)) !== null && m.index < span.end) {
    words.push({ start: m.index, end: Math.min(span.end, m.index + m[0].length) });
  }
  const cost = (start: number, end: number) => Math.max(0, count(text.slice(start, end)) - overhead);
  const pieces: Array<Span & { tokens: number }> = [];
  let w = 0;
  while (w < words.length) {
    const first = words[w]!;
    // Largest k with words[w..k] within budget.
    let lo = w;
    let hi = words.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cost(first.start, words[mid]!.end) <= budget) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best >= w) {
      pieces.push({ start: first.start, end: words[best]!.end, tokens: cost(first.start, words[best]!.end) });
      w = best + 1;
      continue;
    }
    // One word over the budget: cut it at characters.
    let start = first.start;
    while (start < first.end) {
      let lo2 = start + 1;
      let hi2 = first.end;
      let end = -1;
      while (lo2 <= hi2) {
        const mid = (lo2 + hi2) >> 1;
        if (cost(start, mid) <= budget) {
          end = mid;
          lo2 = mid + 1;
        } else hi2 = mid - 1;
      }
      // Even one character is over the budget (a counter that costs more than maxTokens a character): emit it alone.
      if (end === -1) end = start + 1;
      end = safeCut(text, end);
      if (end <= start) end = Math.min(first.end, start + 2);
      pieces.push({ start, end, tokens: cost(start, end) });
      start = end;
    }
    w++;
  }
  return pieces;
}
