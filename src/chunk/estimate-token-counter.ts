import type { TokenCounter } from '../core/types.js';

/**
 * Extra tokens per letter of a Latin word on top of its first token: sentencepiece models (XLM-R / e5) keep frequent
 * French words whole and split long or rare ones; 1 + length/8 is about 1.6 for an average French word, above the
 * ~1.3-1.4 tokens a word such tokenizers give on French news, so the estimate errs on the safe side.
 */
const PER_LETTER = 1 / 8;
/** Digits are split into short groups (years and small numbers are one token, long numbers several). */
const PER_DIGIT = 1 / 3;
/** Letters of other alphabets (Greek, Cyrillic, Arabic, ...) are split more finely. */
const PER_OTHER_LETTER = 1 / 3;

const NONE = 0;
const LATIN = 1;
const DIGIT = 2;
const OTHER = 3;
const SPACE = 4;
const MARK = 5;
const SINGLE = 6;
const ASTRAL = 7;

/** Class of every UTF-16 code unit, built once: the count is one table look-up a character. */
const CLASSES = buildClasses();

function buildClasses(): Uint8Array {
  const classes = new Uint8Array(0x10000).fill(SINGLE);
  const set = (from: number, to: number, k: number) => classes.fill(k, from, to + 1);
  set(0x41, 0x5a, LATIN);
  set(0x61, 0x7a, LATIN);
  set(0xc0, 0x24f, LATIN);
  classes[0xd7] = SINGLE;
  classes[0xf7] = SINGLE;
  set(0x30, 0x39, DIGIT);
  set(0x300, 0x36f, MARK);
  set(0x370, 0x1fff, OTHER);
  for (const c of [0x09, 0x0a, 0x0d, 0x20, 0xa0, 0x202f, 0x3000]) classes[c] = SPACE;
  set(0x2000, 0x200a, SPACE);
  set(0xd800, 0xdbff, ASTRAL);
  set(0xdc00, 0xdfff, NONE);
  return classes;
}

/**
 * Cheap token count used when no model tokenizer is available (lexical-only mode). It over-estimates a multilingual
 * sentencepiece tokenizer on French: each word costs 1 + 1/8 a letter, each digit group 1 + 1/3 a digit, each
 * punctuation mark or symbol 1, each CJK character 1, each astral character (emoji) 2; spaces cost nothing.
 * It adds no special tokens, so `countTokens('')` is 0. The sum over the parts of a text is never below the count of
 * the whole, so chunks packed by summing sentence counts stay within their limit.
 */
export function estimateTokens(text: string): number {
  let total = 0;
  let kind = NONE;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let k = CLASSES[text.charCodeAt(i)]!;
    if (k === MARK) {
      // A combining accent continues the current word (or counts alone).
      if (kind !== NONE) {
        length++;
        continue;
      }
      k = SINGLE;
    }
    if (k === kind && k <= OTHER) {
      length++;
      continue;
    }
    if (kind === LATIN) total += 1 + length * PER_LETTER;
    else if (kind === DIGIT) total += 1 + (length - 1) * PER_DIGIT;
    else if (kind === OTHER) total += 1 + length * PER_OTHER_LETTER;
    kind = NONE;
    length = 0;
    if (k === SINGLE) total += 1;
    else if (k === ASTRAL) total += 2;
    else if (k !== SPACE && k !== NONE) {
      kind = k;
      length = 1;
    }
  }
  if (kind === LATIN) total += 1 + length * PER_LETTER;
  else if (kind === DIGIT) total += 1 + (length - 1) * PER_DIGIT;
  else if (kind === OTHER) total += 1 + length * PER_OTHER_LETTER;
  return Math.ceil(total);
}

/** {@link estimateTokens} as a TokenCounter. */
export const estimateTokenCounter: TokenCounter = { countTokens: estimateTokens };
