import type { Article, SourcedExcerpt, Span } from '../core/types.js';

/**
 * The one place a quote is cut from an article: the excerpt is always `article.text.slice(start, end)`, carried with
 * the article's title, date, source and link. Answers, briefings and attributions all build their quotes here.
 */
export function sourcedExcerpt(article: Article, span: Span): SourcedExcerpt {
  return {
    articleId: article.id,
    title: article.title,
    ...(article.date ? { date: article.date } : {}),
    ...(article.source ? { source: article.source } : {}),
    ...(article.url ? { url: article.url } : {}),
    excerpt: article.text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
  };
}
