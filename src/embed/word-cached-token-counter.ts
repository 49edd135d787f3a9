import type { TokenCounter } from '../core/types.js';

/** Options of {@link wordCachedTokenCounter}. */
export interface WordCachedTokenCounterOptions {
  /** Calls answered by both ways and compared before the cache is trusted alone. Default 256. */
  warmupChecks?: number;
  /** After the warm-up, one call in this many is still compared. Default 64. */
  checkEvery?: number;
  /** Distinct words kept; past this the cache is cleared (news vocabularies stay far below). Default 500,000. */
  maxWords?: number;
  /** Told once when the cached count disagrees with the exact one (the counter then counts exactly for good). */
  onMismatch?: (text: string, cached: number, exact: number) => void;
}

/** A {@link TokenCounter} that says whether it still answers from its word cache. */
export interface WordCachedTokenCounter extends TokenCounter {
  /** False once a check found a disagreement: every count is then exact. */
  readonly cached: boolean;
}

const WORDS = /[^\s]+/g;

/**
 * Counts tokens as `exact` does, but word by word from a cache: `exact('')` (prefix and special tokens) plus the cost
 * of each whitespace-separated word, each distinct word tokenized once. BERT WordPiece and SentencePiece tokenizers
 * normalise and split text at whitespace first, so a text's tokens are its words' tokens put together; news text
 * repeats its words, so chunking an archive tokenizes a few hundred thousand distinct words instead of every sentence.
 *
 * The equality is checked, not assumed: the first `warmupChecks` calls and one in `checkEvery` afterwards are also
 * counted exactly; on the first disagreement (a tokenizer whose normaliser works across spaces) the counter reports it
 * and counts exactly from then on, and that call returns the exact figure.
 */
export function wordCachedTokenCounter(exact: (text: string) => number, options: WordCachedTokenCounterOptions = {}): WordCachedTokenCounter {
  const warmup = options.warmupChecks ?? 256;
  const every = Math.max(1, options.checkEvery ?? 64);
  const maxWords = options.maxWords ?? 500_000;
  const overhead = exact('');
  const words = new Map<string, number>();
  let calls = 0;
  let trusted = true;

  const wordCost = (word: string): number => {
    let cost = words.get(word);
    if (cost === undefined) {
      cost = exact(word) - overhead;
      if (words.size >= maxWords) words.clear();
      words.set(word, cost);
    }
    return cost;
  };
  const fromCache = (text: string): number => {
    let total = overhead;
    WORDS.lastIndex = 0;
    for (let m = WORDS.exec(text); m !== null; m = WORDS.exec(text)) total += wordCost(m[0]);
    return total;
  };

  return {
    get cached() {
      return trusted;
    },
    countTokens(text: string): number {
      if (!trusted) return exact(text);
      calls++;
      const cached = fromCache(text);
      if (calls <= warmup || calls % every === 0) {
        const real = exact(text);
        if (real !== cached) {
          trusted = false;
          words.clear();
          options.onMismatch?.(text, cached, real);
          return real;
        }
      }
      return cached;
    },
  };
}
