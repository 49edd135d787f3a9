/**
 * "Where was this said?": finds a phrase or statement in the corpus. Exact first (insensitive to case, accents,
 * apostrophe shape, whitespace and punctuation, located back to exact offsets), then near-exact (a window of the
 * article whose words overlap the phrase's words strongly). Excerpts are verbatim slices of the article text.
 */
import type { Answer, AskOptions, Citation, NearestArticle } from '../core/types.js';
import { tokenize, type Token } from '../lexical/french-analyzer.js';
import { parseQuestion } from '../retrieve/parse-question.js';
import { chunkFilter } from '../retrieve/retrieve-passages.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { sourcedExcerpt } from './sourced-excerpt.js';
import { chunkIdAt } from '../retrieve/article-chunks.js';

/** Options of {@link findQuote} beyond `AskOptions`. */
export interface FindQuoteOptions extends AskOptions {
  /** Least share of the phrase's words a window must hold to count as near-exact, 0..1. Default 0.75. */
  minOverlap?: number;
  /** Articles examined, from the lexical search. Default 20. */
  candidates?: number;
}

interface Match {
  articleId: string;
  start: number;
  end: number;
  score: number;
}

/** Finds where a phrase appears. Abstains (with the nearest articles) when nothing is close enough. */
export async function findQuote(snapshot: SearchSnapshot, text: string, options: FindQuoteOptions = {}): Promise<Answer> {
  const began = performance.now();
  const parsed = parseQuestion(text);
  const mode = snapshot.vectors && snapshot.embedder ? 'hybrid' : 'lexical';
  const limit = Math.max(0, Math.floor(options.limit ?? 3));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const minOverlap = options.minOverlap ?? 0.75;
  const filter = chunkFilter(snapshot, options);
  const hits = snapshot.lexical.searchTerms(parsed.terms, 200, filter);

  const articleIds: string[] = [];
  for (const hit of hits) {
    const id = snapshot.chunks[hit.key]!.articleId;
    if (!articleIds.includes(id)) articleIds.push(id);
    if (articleIds.length >= (options.candidates ?? 20)) break;
  }
  const phrase = parsed.tokens;
  const matches: Match[] = [];
  if (phrase.length > 0) {
    for (const id of articleIds) {
      const article = snapshot.articles.get(id);
      if (!article) continue;
      const tokens = tokenize(article.text);
      const exact = findExact(tokens, phrase);
      if (exact.length > 0) {
        for (const [i, j] of exact) matches.push({ articleId: id, start: tokens[i]!.start, end: tokens[j]!.end, score: 1 });
        continue;
      }
      const near = findNear(tokens, phrase);
      if (near && near.overlap >= minOverlap && phrase.length >= 3) {
        matches.push({ articleId: id, start: tokens[near.from]!.start, end: tokens[near.to]!.end, score: near.overlap * 0.99 });
      }
    }
  }
  matches.sort((a, b) => b.score - a.score || articleIds.indexOf(a.articleId) - articleIds.indexOf(b.articleId));
  const duplicates = snapshot.duplicates;
  const cited = new Set<string>();
  const citations: Citation[] = [];
  for (const m of matches) {
    if (cited.has(m.articleId)) continue;
    const article = snapshot.articles.get(m.articleId)!;
    const others = duplicates?.get(article.id) ?? [];
    cited.add(article.id);
    for (const o of others) cited.add(o);
    citations.push({
      ...sourcedExcerpt(article, m),
      chunkId: chunkIdAt(snapshot, article.id, m.start),
      score: m.score,
      ...(others.length > 0 ? { alsoIn: others } : {}),
    });
  }
  const base = { question: text, mode, latencyMs: 0 } as const;
  if (citations.length === 0) {
    const nearest: NearestArticle[] = articleIds.slice(0, 5).map((id) => {
      const a = snapshot.articles.get(id)!;
      return { articleId: a.id, title: a.title, ...(a.date ? { date: a.date } : {}), ...(a.source ? { source: a.source } : {}), score: 0 };
    });
    return { ...base, abstained: true, citations: [], nearest, latencyMs: performance.now() - began };
  }
  return { ...base, abstained: false, citations: citations.slice(offset, offset + limit), nearest: [], latencyMs: performance.now() - began };
}

/** Every occurrence of the phrase's written forms, in order, as [first token, last token]. */
function findExact(tokens: Token[], phrase: Token[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const m = phrase.length;
  outer: for (let i = 0; i + m <= tokens.length; i++) {
    for (let j = 0; j < m; j++) if (tokens[i + j]!.surface !== phrase[j]!.surface) continue outer;
    out.push([i, i + m - 1]);
  }
  return out;
}

const keyOf = (t: Token) => t.term ?? t.surface;

/**
 * The window of the phrase's length (give or take a quarter) whose words overlap the phrase's the most, measured
 * on stems so "a déclaré" finds "avait déclaré". Returns the window trimmed to its first and last matching word.
 */
function findNear(tokens: Token[], phrase: Token[]): { from: number; to: number; overlap: number } | undefined {
  const need = new Map<string, number>();
  for (const t of phrase) need.set(keyOf(t), (need.get(keyOf(t)) ?? 0) + 1);
  const width = Math.max(phrase.length, Math.ceil(phrase.length * 1.25));
  const have = new Map<string, number>();
  let matched = 0;
  let best: { from: number; to: number; overlap: number } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const k = keyOf(tokens[i]!);
    const h = (have.get(k) ?? 0) + 1;
    have.set(k, h);
    if (h <= (need.get(k) ?? 0)) matched++;
    const out = i - width;
    if (out >= 0) {
      const ko = keyOf(tokens[out]!);
      const ho = have.get(ko)!;
      if (ho <= (need.get(ko) ?? 0)) matched--;
      have.set(ko, ho - 1);
    }
    const overlap = matched / phrase.length;
    if (!best || overlap > best.overlap) {
      let from = Math.max(0, i - width + 1);
      while (from < i && !need.has(keyOf(tokens[from]!))) from++;
      let to = i;
      while (to > from && !need.has(keyOf(tokens[to]!))) to--;
      best = { from, to, overlap };
    }
  }
  return best;
}
