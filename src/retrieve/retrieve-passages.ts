/**
 * First stage of an answer: candidate chunks for a question, from the BM25F index and, in hybrid mode, the vector
 * index, fused by weighted reciprocal rank, restricted by the date and source filters.
 */
import type { Article, ScoredKey, SearchFilters } from '../core/types.js';
import type { ParsedQuestion } from './parse-question.js';
import type { SearchSnapshot } from './search-snapshot.js';
import { articleFilter, dayBounds } from './search-filters.js';
import { articleDays, chunkArticleTable } from './article-chunks.js';
import { analyze } from '../lexical/french-analyzer.js';

/** Options of {@link retrievePassages}. */
export interface RetrieveOptions extends SearchFilters {
  /** Candidates kept after fusion. Default 50. */
  depth?: number;
  /** Reciprocal-rank-fusion constant. Default 60 (the value of Cormack et al., robust across collections). */
  rrfK?: number;
  /** Weight of the dense ranking against the lexical one (1) in the fusion. Default 1. */
  denseWeight?: number;
  /**
   * Pseudo-relevance feedback: terms added from the first `prfDocs` lexical hits, weighted `prfWeight`.
   * Off by default: on PIAF it cost precision (see BENCHMARKS.md).
   */
  prf?: { docs: number; terms: number; weight: number };
  /** A period to prefer (see `AskOptions.prefer`): its best passages join the candidates, marked `preferred`. */
  prefer?: { since?: string; until?: string };
}

/** A candidate chunk with what each half of retrieval said of it (undefined: not in that half's list). */
export interface Candidate {
  key: number;
  /** Fused score (lexical-only: the BM25F score). */
  score: number;
  lexicalScore?: number;
  lexicalRank?: number;
  denseScore?: number;
  denseRank?: number;
  /** Published in the preferred period (`RetrieveOptions.prefer`). */
  preferred?: boolean;
}

/** Builds the chunk-key predicate for the filters, or undefined when nothing is filtered. */
export function chunkFilter(snapshot: SearchSnapshot, filters: SearchFilters): ((key: number) => boolean) | undefined {
  const accept = articleFilter(filters);
  if (!accept) return undefined;
  // Called for many chunks per question (every chunk scored, and every key of an exact vector search under a narrow
  // date filter): one typed-array lookup each, the verdict computed once per article, from day numbers computed once
  // per snapshot when only dates are filtered.
  const table = chunkArticleTable(snapshot);
  const { ordinals, articles } = table;
  const bounds = filters.source?.trim() ? undefined : dayBounds(filters);
  const days = bounds ? articleDays(table) : undefined;
  const verdicts = new Int8Array(articles.length); // 0 not yet known, 1 kept, 2 filtered out
  const decide = (n: number): boolean => {
    if (days && bounds) {
      const from = days.from[n]!;
      return from > 0 && days.to[n]! >= bounds.since && from <= bounds.until;
    }
    const article: Article | undefined = articles[n];
    return article !== undefined && accept(article);
  };
  return (key) => {
    if (!(key >= 0 && key < ordinals.length)) return false;
    const n = ordinals[key]!;
    let verdict = verdicts[n]!;
    if (verdict === 0) verdicts[n] = verdict = decide(n) ? 1 : 2;
    return verdict === 1;
  };
}

/**
 * Candidate chunks for a parsed question, best first. Lexical-only when the snapshot has no vectors or embedder.
 * With a preferred period, the best candidates published in it are added (after the others when they rank lower)
 * and every candidate published in it is marked `preferred`.
 */
export async function retrievePassages(snapshot: SearchSnapshot, question: ParsedQuestion, options: RetrieveOptions = {}): Promise<Candidate[]> {
  // The question is embedded once, for both searches of a preferred period.
  const vector = snapshot.vectors && snapshot.embedder ? await snapshot.embedder.embedQuery(question.text) : undefined;
  const all = retrieveFiltered(snapshot, question, options, chunkFilter(snapshot, options), vector);
  if (!options.prefer) return all;
  const inPeriod = chunkFilter(snapshot, { ...options, since: options.prefer.since, until: options.prefer.until });
  if (!inPeriod) return all;
  const seen = new Set<number>();
  for (const c of all) {
    seen.add(c.key);
    if (inPeriod(c.key)) c.preferred = true;
  }
  const preferred = retrieveFiltered(snapshot, question, options, inPeriod, vector);
  for (const c of preferred) {
    if (seen.has(c.key)) continue;
    c.preferred = true;
    all.push(c);
  }
  return all;
}

/** One lexical search and, given the question's vector, one vector search under `filter`, fused. */
function retrieveFiltered(
  snapshot: SearchSnapshot,
  question: ParsedQuestion,
  options: RetrieveOptions,
  filter: ((key: number) => boolean) | undefined,
  vector: Float32Array | undefined,
): Candidate[] {
  const depth = options.depth ?? 50;
  let lexical = snapshot.lexical.searchTerms(question.terms, depth, filter);
  if (options.prf && lexical.length > 0) {
    const counts = new Map<string, number>();
    for (const hit of lexical.slice(0, options.prf.docs)) {
      for (const term of analyze(snapshot.chunks[hit.key]!.text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    const own = new Set(question.terms.map((t) => t.term));
    const expansion = [...counts]
      .filter(([t]) => !own.has(t))
      .map(([term, tf]) => ({ term, score: tf * snapshot.lexical.idf(term) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.prf.terms)
      .map(({ term }) => ({ term, weight: options.prf!.weight }));
    lexical = snapshot.lexical.searchTerms([...question.terms, ...expansion], depth, filter);
  }
  const dense: ScoredKey[] = vector && snapshot.vectors ? snapshot.vectors.search(vector, depth, filter) : [];
  if (dense.length === 0) {
    return lexical.map((hit, rank) => ({ key: hit.key, score: hit.score, lexicalScore: hit.score, lexicalRank: rank }));
  }
  const rrfK = options.rrfK ?? 60;
  const denseWeight = options.denseWeight ?? 1;
  const byKey = new Map<number, Candidate>();
  lexical.forEach((hit, rank) => {
    byKey.set(hit.key, { key: hit.key, score: 1 / (rrfK + rank + 1), lexicalScore: hit.score, lexicalRank: rank });
  });
  dense.forEach((hit, rank) => {
    const add = denseWeight / (rrfK + rank + 1);
    const c = byKey.get(hit.key);
    if (c) {
      c.score += add;
      c.denseScore = hit.score;
      c.denseRank = rank;
    } else byKey.set(hit.key, { key: hit.key, score: add, denseScore: hit.score, denseRank: rank });
  });
  return [...byKey.values()].sort((a, b) => b.score - a.score || a.key - b.key).slice(0, depth);
}
