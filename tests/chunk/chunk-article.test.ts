import fc from 'fast-check';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkArticle, type ChunkOptions } from '../../src/chunk/chunk-article.js';
import { estimateTokenCounter } from '../../src/chunk/estimate-token-counter.js';
import { splitSentences } from '../../src/chunk/split-sentences.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Article, Chunk, TokenCounter } from '../../src/core/types.js';
import { readCorpus } from '../../src/ingest/read-corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function article(text: string, id = 'monde/test'): Article {
  return { id, title: 'Titre', text, path: `${id}.txt`, hash: 'h' };
}

/** A counter shaped like a model tokenizer: 2 special tokens + prefix, one token a word, one a punctuation mark. */
const wordCounter: TokenCounter = {
  countTokens: (s) => 4 + (s.match(/[\p{L}\p{N}]+|[^\p{L}\p{N}\s]/gu)?.length ?? 0),
};

/** Characters / 3 plus fixed cost: not additive (the spaces between sentences count), so the re-check matters. */
const charCounter: TokenCounter = { countTokens: (s) => 2 + Math.floor(s.length / 3) };

function checkChunks(a: Article, chunks: Chunk[], options: ChunkOptions): void {
  for (const [i, c] of chunks.entries()) {
    expect(c.id).toBe(`${a.id}#${i}`);
    expect(c.ordinal).toBe(i);
    expect(c.articleId).toBe(a.id);
    expect(c.text).toBe(a.text.slice(c.start, c.end));
    expect(options.tokenCounter.countTokens(c.text)).toBeLessThanOrEqual(options.maxTokens);
    expect(c.tokens).toBeLessThanOrEqual(options.maxTokens);
    expect(c.sentences.length).toBeGreaterThan(0);
    expect(c.sentences[0]!.start).toBe(c.start);
    expect(c.sentences[c.sentences.length - 1]!.end).toBe(c.end);
    for (const s of c.sentences) {
      expect(s.start).toBeGreaterThanOrEqual(c.start);
      expect(s.end).toBeLessThanOrEqual(c.end);
    }
    if (i > 0) expect(c.start).toBeGreaterThan(chunks[i - 1]!.start);
    if (i > 0) expect(c.end).toBeGreaterThan(chunks[i - 1]!.end);
  }
  // Every sentence is covered by the chunks.
  for (const s of splitSentences(a.text)) {
    for (let at = s.start; at < s.end; at++) {
      if (/\s/.test(a.text[at]!)) continue;
      expect(chunks.some((c) => c.start <= at && at < c.end), `offset ${at}`).toBe(true);
    }
  }
}

describe('chunkArticle', () => {
  it('packs whole sentences up to the target, with one sentence of overlap', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Phrase ${i} avec quelques mots de plus.`).join(' ');
    const a = article(text);
    const options = { tokenCounter: wordCounter, maxTokens: 512, targetTokens: 60, overlapSentences: 1 };
    const chunks = chunkArticle(a, options);
    checkChunks(a, chunks, options);
    expect(chunks.length).toBeGreaterThan(5);
    for (const [i, c] of chunks.entries()) {
      expect(c.text).toMatch(/^Phrase \d+ .*\.$/);
      expect(c.tokens).toBeLessThanOrEqual(60);
      if (i > 0) {
        const previous = chunks[i - 1]!;
        // The first sentence of a chunk is the last one of the previous chunk.
        expect(c.sentences[0]).toEqual(previous.sentences[previous.sentences.length - 1]);
      }
    }
  });

  it('prefers to end a chunk at a paragraph boundary', () => {
    const paragraph = (n: number) => Array.from({ length: 5 }, (_, i) => `Paragraphe ${n} phrase ${i} assez courte.`).join(' ');
    const text = [paragraph(1), paragraph(2), paragraph(3)].join('\n\n');
    const a = article(text);
    const chunks = chunkArticle(a, { tokenCounter: wordCounter, maxTokens: 512, targetTokens: 60, overlapSentences: 0 });
    expect(chunks.map((c) => c.text)).toEqual([paragraph(1), paragraph(2), paragraph(3)]);
  });

  it('cuts a single sentence over maxTokens at word boundaries, and a giant word at characters', () => {
    const long = `${Array.from({ length: 300 }, (_, i) => `mot${i}`).join(' ')}.`;
    const giant = 'x'.repeat(5000);
    const a = article(`Début. ${long} ${giant} Fin.`);
    const options = { tokenCounter: estimateTokenCounter, maxTokens: 64, targetTokens: 40, overlapSentences: 1 };
    const chunks = chunkArticle(a, options);
    checkChunks(a, chunks, options);
    expect(chunks.some((c) => c.text.startsWith('mot'))).toBe(true);
  });

  it('does not include the title and keeps quotes verbatim on the seed articles', async () => {
    const { articles } = await readCorpus(path.join(root, 'corpus'));
    for (const a of articles) {
      const options = { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 160, overlapSentences: 1 };
      const chunks = chunkArticle(a, options);
      checkChunks(a, chunks, options);
      expect(chunks[0]!.text.startsWith(a.title)).toBe(false);
    }
    const seed = articles.find((a) => a.id === 'maroc/2022-04-coalition-daesh-marrakech')!;
    const sentences = chunkArticle(seed, { tokenCounter: estimateTokenCounter, maxTokens: 512 })
      .flatMap((c) => c.sentences.map((s) => seed.text.slice(s.start, s.end)));
    expect(sentences).toContain('Au cours de cette réunion, il sera question de renforcer la mobilisation mondiale pour lutter contre cette organisation terroriste qui continue de constituer une grande menace pour la communauté internationale, d’autant que ses dirigeants ont établi de nouveaux plans pour restructurer leurs rangs, selon des médias américains.');
  });

  it('gives no chunk for an empty text and one chunk for a short one', () => {
    expect(chunkArticle(article(''), { tokenCounter: estimateTokenCounter, maxTokens: 512 })).toEqual([]);
    const one = chunkArticle(article('Une phrase.'), { tokenCounter: estimateTokenCounter, maxTokens: 512 });
    expect(one).toEqual([
      { id: 'monde/test#0', articleId: 'monde/test', ordinal: 0, start: 0, end: 11, text: 'Une phrase.', sentences: [{ start: 0, end: 11 }], tokens: 5 },
    ]);
  });

  it('refuses with CONFIG_INVALID a maxTokens that leaves no room for text', () => {
    const error = (() => {
      try {
        chunkArticle(article('Texte.'), { tokenCounter: wordCounter, maxTokens: 4 });
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('never throws, stays under maxTokens, covers every sentence and is deterministic (property)', () => {
    const pieces = fc.constantFrom('Le ', 'la ', 'réunion', ' ', '. ', '.', '\n\n', 'M. ', 'terroriste.Au ', '« ', ' »', 'x', 'xxxxxxxxxxxxxxxxxxxx', '1.032.913 ', '😀', '\u00A0', ', ', '? ', 'Paris ');
    const texts = fc.oneof(fc.array(pieces, { maxLength: 400 }).map((a) => a.join('')), fc.string({ maxLength: 300 }));
    const counters = fc.constantFrom(estimateTokenCounter, wordCounter, charCounter);
    fc.assert(
      fc.property(texts, counters, fc.integer({ min: 16, max: 200 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 3 }), (raw, tokenCounter, maxTokens, targetTokens, overlapSentences) => {
        const a = article(raw.trim());
        const options = { tokenCounter, maxTokens, targetTokens, overlapSentences };
        const chunks = chunkArticle(a, options);
        checkChunks(a, chunks, options);
        expect(chunkArticle(a, options)).toEqual(chunks);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
