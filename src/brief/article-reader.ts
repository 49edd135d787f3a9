/**
 * What the briefing reads of an article, computed once per snapshot: its sentences (from the chunk table, so they are
 * the spans the index was built with) and its attributed quotations.
 */
import type { Article, Span } from '../core/types.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { findAttributions, type Attribution } from './find-attributions.js';
import { chunkKeysOf } from '../retrieve/article-chunks.js';

const sentencesByArticle = new WeakMap<Article, Span[]>();
const attributionsByArticle = new WeakMap<Article, Attribution[]>();

/** The article's sentences in order, without the repeats that chunk overlap brings. */
export function sentencesOf(snapshot: SearchSnapshot, article: Article): Span[] {
  let spans = sentencesByArticle.get(article);
  if (spans) return spans;
  const seen = new Set<number>();
  spans = [];
  for (const key of chunkKeysOf(snapshot, article.id)) {
    for (const s of snapshot.chunks[key]!.sentences) {
      if (seen.has(s.start)) continue;
      seen.add(s.start);
      spans.push(s);
    }
  }
  spans.sort((a, b) => a.start - b.start);
  sentencesByArticle.set(article, spans);
  return spans;
}

/** Attributed quotations of the article (cached). */
export function attributionsOf(snapshot: SearchSnapshot, article: Article): Attribution[] {
  let found = attributionsByArticle.get(article);
  if (!found) {
    const sentences = sentencesOf(snapshot, article);
    found = findAttributions(article.text, sentences.length > 0 ? sentences : undefined);
    attributionsByArticle.set(article, found);
  }
  return found;
}
