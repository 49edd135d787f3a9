import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Article } from '../../src/core/types.js';
import { chunkArticle } from '../../src/chunk/chunk-article.js';
import { estimateTokenCounter } from '../../src/chunk/estimate-token-counter.js';
import { ChunkPacker, decodeChunkTable, encodeChunkTable } from '../../src/indexing/chunk-table.js';

const sentence = (i: number) => `La phrase numéro ${i} parle du port de Marseille et de ses conteneurs.`;
const articles: Article[] = [1, 2, 3].map((n) => ({
  id: `a${n}`,
  title: `Article ${n}`,
  text: Array.from({ length: 12 * n }, (_, i) => sentence(i)).join(n === 2 ? '\n\n' : ' '),
  path: `a${n}.txt`,
  hash: String(n),
}));

describe('chunk table', () => {
  const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 64, targetTokens: 40, overlapSentences: 1 }));
  const index = new Map(articles.map((a, i) => [a.id, i]));

  it('reads back the chunks as written: ids, spans, tokens, text and sentences', () => {
    const back = decodeChunkTable(encodeChunkTable(chunks, index), articles);
    expect(chunks.length).toBeGreaterThan(6);
    expect(back.map((c) => JSON.parse(JSON.stringify(c)))).toEqual(chunks);
    back.forEach((c, i) => {
      expect(c.id).toBe(chunks[i]!.id);
      expect(c.text).toBe(articles.find((a) => a.id === c.articleId)!.text.slice(c.start, c.end));
      expect(c.sentences).toEqual(chunks[i]!.sentences);
      expect(c.sentences).toBe(c.sentences); // made once
    });
  });

  it('packs chunks as they are made: each reads back as the chunk it was given, and the table encodes to the same bytes', () => {
    const packer = new ChunkPacker(articles);
    // Many chunks, so that the packer's arrays grow several times while earlier chunks are read.
    const many = Array.from({ length: 80 }, () => chunks).flat();
    expect(many.length).toBeGreaterThan(1024);
    const packed = many.map((c) => packer.add(c, index.get(c.articleId)!));
    expect(JSON.parse(JSON.stringify(packed))).toEqual(many);
    expect(encodeChunkTable(packed, index)).toEqual(encodeChunkTable(many, index));
    // Chunks of a loaded table and packed ones encode together as the plain chunks do.
    const loaded = decodeChunkTable(encodeChunkTable(chunks, index), articles);
    expect(encodeChunkTable([...loaded, ...packed.slice(0, 50)], index)).toEqual(encodeChunkTable([...chunks, ...many.slice(0, 50)], index));
  });

  it('refuses a table whose chunks lie outside their article with INDEX_CORRUPT', () => {
    const shorter = articles.map((a) => ({ ...a, text: a.text.slice(0, 20) }));
    const error = (() => {
      try {
        decodeChunkTable(encodeChunkTable(chunks, index), shorter);
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(error, 'INDEX_CORRUPT')).toBe(true);
  });
});
