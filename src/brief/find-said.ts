/**
 * Quotations attributed to people: `said(person)` (everything a person is quoted saying, optionally on a topic) and
 * "qui a dit …" questions (who is quoted saying these words). Answers carry attributed quotations only, verbatim.
 */
import type { Answer, AskOptions, Article, AttributedQuote, Citation, SaidOptions, SaidResult } from '../core/types.js';
import { analyze, foldText } from '../lexical/french-analyzer.js';
import { parseQuestion } from '../retrieve/parse-question.js';
import { chunkFilter } from '../retrieve/retrieve-passages.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { attributionsOf } from './article-reader.js';
import { chunkIdAt } from '../retrieve/article-chunks.js';
import type { Attribution } from './find-attributions.js';
import { sameSpeaker } from './find-attributions.js';
import { sourcedExcerpt } from '../answer/sourced-excerpt.js';

/** Chunks searched for a person's name (pronoun attributions need the whole article, so articles are read whole). */
const NAME_DEPTH = 400;
const TOPIC_DEPTH = 200;

/** Quotations attributed to `person`; with `topic`, only in articles about it. Throws QUESTION_INVALID on an empty name. */
export function findSaid(snapshot: SearchSnapshot, person: string, options: SaidOptions = {}): SaidResult {
  const began = performance.now();
  const parsed = parseQuestion(person);
  const filter = chunkFilter(snapshot, options);
  const articleIds = new Set<string>();
  for (const hit of snapshot.lexical.searchTerms(parsed.terms, NAME_DEPTH, filter)) articleIds.add(snapshot.chunks[hit.key]!.articleId);
  let onTopic: Map<string, number> | undefined;
  if (options.topic && options.topic.trim() !== '') {
    onTopic = new Map();
    const hits = snapshot.lexical.searchTerms(parseQuestion(options.topic).terms, TOPIC_DEPTH, filter);
    const best = hits[0]?.score ?? 0;
    for (const hit of hits) {
      const id = snapshot.chunks[hit.key]!.articleId;
      if (!onTopic.has(id) && hit.score >= 0.2 * best) onTopic.set(id, hit.score);
    }
  }
  const matched = new Set<string>();
  const quotes: AttributedQuote[] = [];
  const seen = new Map<string, AttributedQuote>();
  for (const id of articleIds) {
    if (onTopic && !onTopic.has(id)) continue;
    const article = snapshot.articles.get(id);
    if (!article) continue;
    for (const a of attributionsOf(snapshot, article)) {
      if (a.kind !== 'person' || !sameSpeaker(a.speaker, person)) continue;
      const q = toQuote(article, a);
      const key = foldText(q.quote).replace(/\W+/g, ' ').trim();
      const earlier = seen.get(key);
      if (earlier) {
        earlier.alsoIn = [...new Set([...(earlier.alsoIn ?? []), article.id])];
        continue;
      }
      seen.set(key, q);
      matched.add(a.speaker);
      quotes.push(q);
    }
  }
  quotes.sort((a, b) => (onTopic ? (onTopic.get(b.articleId) ?? 0) - (onTopic.get(a.articleId) ?? 0) : 0) || (b.date ?? '').localeCompare(a.date ?? '') || a.start - b.start);
  return {
    person,
    matchedSpeakers: [...matched],
    quotes: quotes.slice(0, Math.max(1, options.limit ?? 20)),
    mode: snapshot.vectors && snapshot.embedder ? 'hybrid' : 'lexical',
    latencyMs: performance.now() - began,
  };
}

export function toQuote(article: Article, a: Attribution): AttributedQuote {
  return {
    ...sourcedExcerpt(article, a.statement),
    speaker: a.speaker,
    speakerKind: a.kind,
    quote: article.text.slice(a.quote.start, a.quote.end),
    quoteStart: a.quote.start,
    quoteEnd: a.quote.end,
    pattern: a.pattern,
  };
}

const WHO_SAID = /^\s*(?:et\s+|mais\s+)?qui\s+(?:a|avait|aurait)\s+(?:dit|déclaré|declare|affirmé|affirme|lancé|lance|prononcé|prononce|écrit|ecrit)\b\s*/iu;

/** The words asked about in a "qui a dit …" question, or undefined when the question is not one. */
export function whoSaidPhrase(question: string): string | undefined {
  const m = WHO_SAID.exec(question);
  if (!m) return undefined;
  const phrase = question
    .slice(m[0].length)
    .replace(/^\s*(?::|que\s+|qu['’]\s*|cette phrase\s*:?)\s*/iu, '')
    .replace(/[\s?!.]+$/u, '')
    .replace(/^[«“"'\s]+|[»”"'\s]+$/gu, '')
    .trim();
  return phrase.length > 0 ? phrase : undefined;
}

/**
 * Answers "qui a dit …" with attributed quotations only: the quotations whose words (or their sentence) hold most of
 * the phrase's words, best first, each excerpt the verbatim sentence with its attribution. Abstains when no
 * attributed quotation matches.
 */
export function answerWhoSaid(snapshot: SearchSnapshot, question: string, phrase: string, options: AskOptions = {}): Answer {
  const began = performance.now();
  const parsed = parseQuestion(phrase);
  const filter = chunkFilter(snapshot, options);
  const hits = snapshot.lexical.searchTerms(parsed.terms, 100, filter);
  const weights = new Map<string, number>();
  for (const { term } of parsed.terms) weights.set(term, Math.max(0.1, snapshot.lexical.idf(term)));
  let total = 0;
  for (const w of weights.values()) total += w;
  const seenArticles = new Set<string>();
  const found: Array<{ citation: Citation; person: boolean }> = [];
  const seenQuotes = new Set<string>();
  for (const hit of hits) {
    const id = snapshot.chunks[hit.key]!.articleId;
    if (seenArticles.has(id)) continue;
    seenArticles.add(id);
    const article = snapshot.articles.get(id)!;
    for (const a of attributionsOf(snapshot, article)) {
      const terms = new Set(analyze(article.text.slice(a.quote.start, a.quote.end)));
      let got = 0;
      for (const [t, w] of weights) if (terms.has(t)) got += w;
      const score = total > 0 ? got / total : 0;
      if (score < 0.5) continue;
      const key = foldText(article.text.slice(a.quote.start, a.quote.end));
      if (seenQuotes.has(key)) continue;
      seenQuotes.add(key);
      const others = snapshot.duplicates?.get(article.id) ?? [];
      for (const o of others) seenArticles.add(o);
      found.push({
        person: a.kind === 'person',
        citation: {
          ...sourcedExcerpt(article, a.statement),
          chunkId: chunkIdAt(snapshot, article.id, a.statement.start),
          score,
          ...(others.length > 0 ? { alsoIn: others } : {}),
        },
      });
    }
  }
  // Named persons before non-person attributions, then by how much of the phrase the quotation holds.
  found.sort((a, b) => Number(b.person) - Number(a.person) || b.citation.score - a.citation.score);
  const limit = Math.max(0, Math.floor(options.limit ?? 3));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const citations = found.map((f) => f.citation).slice(offset, offset + limit);
  const mode = snapshot.vectors && snapshot.embedder ? 'hybrid' : 'lexical';
  const nearest = found.length === 0 ? [...seenArticles].slice(0, 5).map((id) => nearestOf(snapshot.articles.get(id)!)) : [];
  return { question, abstained: found.length === 0, citations, nearest, mode, latencyMs: performance.now() - began };
}

function nearestOf(a: Article): Answer['nearest'][number] {
  return { articleId: a.id, title: a.title, ...(a.date ? { date: a.date } : {}), ...(a.source ? { source: a.source } : {}), score: 0 };
}
