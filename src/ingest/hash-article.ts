import { createHash } from 'node:crypto';
import type { Article } from '../core/types.js';

/**
 * sha256 (hex) of a canonical JSON of the article's metadata and text: fixed key order, absent fields omitted.
 * The path is left out on purpose: moving a JSONL line does not change what the article says.
 */
export function hashArticle(article: Omit<Article, 'hash' | 'path'>): string {
  const canonical = JSON.stringify([
    ['author', article.author ?? null],
    ['date', article.date ?? null],
    ['id', article.id],
    ['source', article.source ?? null],
    ['text', article.text],
    ['title', article.title],
    ['url', article.url ?? null],
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
