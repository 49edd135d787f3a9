/**
 * The one entry point from a question to an `Answer`: retrieve candidates, read each candidate sentence by sentence,
 * rerank, keep at most three passages per article, quote the best sentences verbatim, or abstain with the nearest
 * articles when the best passage does not answer.
 */
import type { Answer, AskOptions, Citation, ExcerptDate, NearestArticle, Span } from '../core/types.js';
import { resolveDatesInText } from '../dates/resolve-dates-in-text.js';
import { analyze as analyzeTerms } from '../lexical/french-analyzer.js';
import { parseQuestion, type ParsedQuestion } from '../retrieve/parse-question.js';
import { respellUnknownTerms } from '../retrieve/respell-question.js';
import { retrievePassages, type Candidate } from '../retrieve/retrieve-passages.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { ABSTENTION_MODEL, answerProbability, type AbstentionFeatures, type AbstentionModel } from './abstention-model.js';
import { readPassage, SentenceTokenCache, type ExcerptPolicy, type PassageReading } from './select-sentences.js';
import { sourcedExcerpt } from './sourced-excerpt.js';

export { findQuote } from './find-quote.js';

/** Tuning knobs of {@link answerQuestion} beyond `AskOptions`; defaults are the measured best (bench/quality.ts). */
export interface AnswerTuning {
  /** Candidates read and reranked. Default 30. */
  rerankDepth?: number;
  /**
   * Weights of the rerank score: retrieval score (normalised by the best), best sentence, sentence pair, passage
   * coverage, proximity of the matched words (`PassageReading.proximity`) and coverage by the question's words as
   * written (`PassageReading.surfaceCoverage`); missing = default.
   */
  rerankWeights?: { retrieval: number; sentence: number; window: number; passage: number; proximity?: number; surface?: number };
  /** Credit of a prefix-only word match in sentence reading (see `ReadOptions.prefixCredit`). Default 0.5. */
  prefixCredit?: number;
  /** Window of the proximity feature, in tokens (see `ReadOptions.proximityWindow`). Default 8. */
  proximityWindow?: number;
  /** Weight of generic question words ("nom", "année", "appelle"; see `parseQuestion`). Default `GENERIC_WEIGHT`. */
  genericWeight?: number;
  /** Abstention model; default the fitted one. `null` never abstains (benchmarks of ranking alone). */
  abstention?: AbstentionModel | null;
  /** Pseudo-relevance feedback (off by default, see `RetrieveOptions.prf`). */
  prf?: { docs: number; terms: number; weight: number };
  /** How an excerpt grows beyond its best sentence (see `readPassage`). Default 'always' (measured best on PIAF: the answer often sits in the sentence after the one that matches the question). */
  excerptPolicy?: ExcerptPolicy;
  /** Most passages quoted from one article. Default `PER_ARTICLE`. */
  perArticle?: number;
  /** Respell question terms the corpus never uses (see `respellUnknownTerms`). Default true. */
  respell?: boolean;
  /** Read each passage with its article's title as context of every sentence (see `ReadOptions.titleTerms`). Default true. */
  titleContext?: boolean;
  /** Rerank bonus of a passage published in the preferred period (`AskOptions.prefer`). Default `PERIOD_BONUS`. */
  periodBonus?: number;
}

/** Rerank bonus of a passage published in the period the question names (measured on the news eval, bench/quality.ts). */
export const PERIOD_BONUS = 0.5;

/**
 * A question as searched in `snapshot`: parsed, and its terms unknown to the index respelled to known forms
 * (`respellUnknownTerms`) unless `tuning.respell` is false.
 */
export function prepareQuestion(snapshot: SearchSnapshot, question: string, tuning: AnswerTuning = {}): ParsedQuestion {
  const parsed = parseQuestion(question, tuning.genericWeight === undefined ? {} : { genericWeight: tuning.genericWeight });
  return tuning.respell === false ? parsed : respellUnknownTerms(parsed, (term) => snapshot.lexical.docFreq(term));
}

/**
 * Analysed sentences of recently read chunks, one cache per snapshot (chunk keys are the snapshot's own; a new
 * generation gets a new cache, and the old one goes with its snapshot).
 */
const tokenCaches = new WeakMap<SearchSnapshot, SentenceTokenCache>();

function tokenCacheOf(snapshot: SearchSnapshot): SentenceTokenCache {
  let cache = tokenCaches.get(snapshot);
  if (!cache) {
    cache = new SentenceTokenCache();
    tokenCaches.set(snapshot, cache);
  }
  return cache;
}

/**
 * Most passages quoted from one article: the best article's third passage comes before another article's best when it
 * scores higher (news articles are long, and the answer is often a few paragraphs from the lead). 3 rather than 2:
 * news answer in excerpt 72.2% -> 77.2%, PIAF 76.5% -> 76.6% (bench/quality.ts).
 */
export const PER_ARTICLE = 3;

const DEFAULT_WEIGHTS = { retrieval: 1, sentence: 0.5, window: 0.3, passage: 0.3, proximity: 1, surface: 1 };
const NEAREST_COUNT = 5;

/** A reranked candidate passage. */
export interface RankedPassage {
  key: number;
  score: number;
  reading: PassageReading;
  candidate: Candidate;
}

/**
 * Answers a question from the snapshot. Throws QUESTION_INVALID when the question holds no word; anything else
 * (very long, markdown, metacharacters, control characters) gets a normal answer.
 */
export async function answerQuestion(
  snapshot: SearchSnapshot,
  question: string,
  options: AskOptions & { tuning?: AnswerTuning } = {},
): Promise<Answer> {
  const began = performance.now();
  const tuning = options.tuning ?? {};
  const parsed = prepareQuestion(snapshot, question, tuning);
  const mode = snapshot.vectors && snapshot.embedder ? 'hybrid' : 'lexical';
  const limit = Math.max(0, Math.floor(options.limit ?? 3));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const perArticle = tuning.perArticle ?? PER_ARTICLE;

  const candidates = await retrievePassages(snapshot, parsed, { ...options, ...(tuning.prf ? { prf: tuning.prf } : {}) });
  const read = rerank(snapshot, parsed, candidates, tuning);
  const ranked = options.mentions ? mentioning(snapshot, read, options.mentions) : read;
  const period = options.since !== undefined || options.until !== undefined ? { since: options.since, until: options.until } : undefined;
  const base = { question, mode, ...(period ? { period } : {}) } as const;

  const model = tuning.abstention === undefined ? ABSTENTION_MODEL : tuning.abstention;
  const best = ranked[0];
  const abstain = best === undefined || (model !== null && answerProbability(abstentionFeatures(snapshot, parsed, ranked), model) < model.threshold);
  if (abstain) {
    return { ...base, abstained: true, citations: [], nearest: nearestArticles(snapshot, ranked.length > 0 ? ranked : read), latencyMs: performance.now() - began };
  }
  const citations = selectCitations(snapshot, ranked, perArticle).slice(offset, offset + limit);
  return { ...base, abstained: false, citations, nearest: [], latencyMs: performance.now() - began };
}

/** The passages whose chunk text holds one of `words` as a whole word (digits and letters delimit it). */
function mentioning(snapshot: SearchSnapshot, ranked: RankedPassage[], words: string[]): RankedPassage[] {
  if (words.length === 0) return ranked;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
  return ranked.filter((r) => re.test(snapshot.chunks[r.key]!.text));
}

/** Reads the first `rerankDepth` candidates and orders them by a blend of retrieval score and sentence evidence. */
export function rerank(snapshot: SearchSnapshot, question: ParsedQuestion, candidates: Candidate[], tuning: AnswerTuning = {}): RankedPassage[] {
  const depth = tuning.rerankDepth ?? 30;
  const w = { ...DEFAULT_WEIGHTS, ...tuning.rerankWeights };
  const readOptions = {
    ...(tuning.excerptPolicy ? { policy: tuning.excerptPolicy } : {}),
    ...(tuning.prefixCredit !== undefined ? { prefixCredit: tuning.prefixCredit } : {}),
    ...(tuning.proximityWindow !== undefined ? { proximityWindow: tuning.proximityWindow } : {}),
  };
  const top = candidates[0]?.score ?? 0;
  const idf = (term: string) => snapshot.lexical.idf(term);
  const out: RankedPassage[] = [];
  const cache = tokenCacheOf(snapshot);
  const periodBonus = tuning.periodBonus ?? PERIOD_BONUS;
  // The first `depth` candidates, and as many of the preferred period's own best ones when they rank lower.
  const pool = candidates.slice(0, depth);
  let extra = 0;
  for (let i = depth; i < candidates.length && extra < depth; i++) {
    if (candidates[i]!.preferred) {
      pool.push(candidates[i]!);
      extra++;
    }
  }
  pool.forEach((candidate) => {
    const chunk = snapshot.chunks[candidate.key];
    const article = chunk && snapshot.articles.get(chunk.articleId);
    if (!chunk || !article) return;
    const sentences = chunk.sentences.length > 0 ? chunk.sentences : [{ start: chunk.start, end: chunk.end }];
    const source = { text: article.text, sentences, before: sentenceBefore(snapshot, candidate.key), after: sentenceAfter(snapshot, candidate.key) };
    const titleTerms = tuning.titleContext === false ? undefined : titleTermsOf(article.title);
    const reading = readPassage(source, question, idf, { ...readOptions, tokens: cache.tokensOf(candidate.key, source), ...(titleTerms ? { titleTerms } : {}) });
    const retrieval = top > 0 ? candidate.score / top : 0;
    const score =
      w.retrieval * retrieval +
      w.sentence * reading.sentenceScore +
      w.window * reading.windowCoverage +
      w.passage * reading.passageCoverage +
      (w.proximity ?? 0) * reading.proximity +
      (w.surface ?? 0) * reading.surfaceCoverage +
      (candidate.preferred ? periodBonus : 0);
    out.push({ key: candidate.key, score, reading, candidate });
  });
  return out.sort((a, b) => b.score - a.score || a.key - b.key);
}

/** Index terms of a title; the last few titles read are kept, as one question reads several passages of an article. */
const titleTermCache = new Map<string, ReadonlySet<string>>();
const TITLE_CACHE_SIZE = 256;

function titleTermsOf(title: string | undefined): ReadonlySet<string> | undefined {
  if (!title) return undefined;
  let terms = titleTermCache.get(title);
  if (!terms) {
    terms = new Set(analyzeTerms(title));
    if (titleTermCache.size >= TITLE_CACHE_SIZE) titleTermCache.delete(titleTermCache.keys().next().value!);
    titleTermCache.set(title, terms);
  }
  return terms;
}

/** The sentence just before a chunk's first one, from the previous chunk of the same article. */
function sentenceBefore(snapshot: SearchSnapshot, key: number): Span | undefined {
  const chunk = snapshot.chunks[key]!;
  const previous = snapshot.chunks[key - 1];
  if (!previous || previous.articleId !== chunk.articleId || chunk.sentences.length === 0) return undefined;
  const first = chunk.sentences[0]!.start;
  let found: Span | undefined;
  for (const s of previous.sentences) if (s.end <= first) found = s;
  return found;
}

/** The sentence just after a chunk's last one, from the next chunk of the same article. */
function sentenceAfter(snapshot: SearchSnapshot, key: number): Span | undefined {
  const chunk = snapshot.chunks[key]!;
  const next = snapshot.chunks[key + 1];
  if (!next || next.articleId !== chunk.articleId || chunk.sentences.length === 0) return undefined;
  const last = chunk.sentences[chunk.sentences.length - 1]!.end;
  return next.sentences.find((s) => s.start >= last);
}

/** Features of the abstention model for the best passage. */
export function abstentionFeatures(snapshot: SearchSnapshot, question: ParsedQuestion, ranked: RankedPassage[]): AbstentionFeatures {
  const best = ranked[0]!;
  const chunk = snapshot.chunks[best.key]!;
  const article = snapshot.articles.get(chunk.articleId);
  const present = new Set<string>();
  const text = article ? `${article.title} ${chunk.text}` : chunk.text;
  for (const t of analyzeTerms(text)) present.add(t);
  const maxIdf = Math.log(1 + (snapshot.lexical.size + 0.5) / 0.5);
  let missingRarest = 0;
  for (const { term } of question.terms) {
    if (!present.has(term)) missingRarest = Math.max(missingRarest, snapshot.lexical.idf(term) / maxIdf);
  }
  const titleTerms = new Set(article ? analyzeTerms(article.title) : []);
  let specificMass = 0;
  let specificMatched = 0;
  for (const { term } of question.terms) {
    if (titleTerms.has(term)) continue;
    const w = Math.max(0.1, snapshot.lexical.idf(term));
    specificMass += w;
    if (best.reading.windowTerms.has(term)) specificMatched += w;
  }
  const second = ranked.find((r) => snapshot.chunks[r.key]!.articleId !== chunk.articleId);
  const rarest = [...question.terms].sort((a, b) => snapshot.lexical.idf(b.term) - snapshot.lexical.idf(a.term)).slice(0, 2);
  const rarestCovered = rarest.length === 0 ? 1 : rarest.filter((t) => best.reading.windowTerms.has(t.term)).length / rarest.length;
  return {
    proximity: best.reading.proximity,
    rarestCovered,
    answerTypeFound: question.answerType === 'other' ? 0.5 : best.reading.typeMatch ? 1 : 0,
    specificCoverage: specificMass === 0 ? 1 : specificMatched / specificMass,
    scoreGap: second && best.score > 0 ? (best.score - second.score) / best.score : 1,
    sentenceCoverage: best.reading.sentenceCoverage,
    windowCoverage: best.reading.windowCoverage,
    passageCoverage: best.reading.passageCoverage,
    missingRarest,
  };
}


/** Distinct articles of the ranking, best first, for an abstention. */
function nearestArticles(snapshot: SearchSnapshot, ranked: RankedPassage[]): NearestArticle[] {
  const seen = new Set<string>();
  const out: NearestArticle[] = [];
  for (const r of ranked) {
    const chunk = snapshot.chunks[r.key]!;
    if (seen.has(chunk.articleId)) continue;
    seen.add(chunk.articleId);
    const article = snapshot.articles.get(chunk.articleId)!;
    out.push({
      articleId: article.id,
      title: article.title,
      ...(article.date ? { date: article.date } : {}),
      ...(article.source ? { source: article.source } : {}),
      score: r.score,
    });
    if (out.length === NEAREST_COUNT) break;
  }
  return out;
}

/**
 * The date expressions of an excerpt that only the article's date makes readable ("vendredi", "hier", "le 3 mars",
 * "l'an dernier"), resolved against it; none when the article is undated. Expressions that write their year are
 * already clear and left out.
 */
export function excerptDates(excerpt: string, articleDate: string | undefined): ExcerptDate[] {
  if (!articleDate) return [];
  return resolveDatesInText(excerpt, articleDate)
    .filter((d) => !/\d{4}/.test(d.text))
    .map((d) => ({ text: d.text, offset: d.start, date: d.date }));
}

/**
 * Turns the ranking into citations: at most `perArticle` passages per article (and never two overlapping excerpts),
 * wire copies of an already cited story folded into its `alsoIn`.
 */
function selectCitations(snapshot: SearchSnapshot, ranked: RankedPassage[], perArticle: number): Citation[] {
  const perArticleCount = new Map<string, number>();
  const excerpts = new Map<string, Span[]>();
  const coveredBy = new Map<string, Citation[]>();
  const citations: Citation[] = [];
  for (const r of ranked) {
    const chunk = snapshot.chunks[r.key]!;
    const article = snapshot.articles.get(chunk.articleId)!;
    const copies = coveredBy.get(article.id);
    if (copies) continue;
    const count = perArticleCount.get(article.id) ?? 0;
    if (count >= perArticle) continue;
    const span = r.reading.span;
    if (span.end <= span.start) continue;
    const taken = excerpts.get(article.id) ?? [];
    if (taken.some((s) => s.start < span.end && span.start < s.end)) continue;
    taken.push(span);
    excerpts.set(article.id, taken);
    perArticleCount.set(article.id, count + 1);
    const others = snapshot.duplicates?.get(article.id) ?? [];
    const excerpt = sourcedExcerpt(article, span);
    const dates = excerptDates(excerpt.excerpt, article.date);
    const citation: Citation = {
      ...excerpt,
      chunkId: chunk.id,
      score: r.score,
      ...(dates.length > 0 ? { dates } : {}),
      ...(others.length > 0 ? { alsoIn: others } : {}),
    };
    citations.push(citation);
    for (const other of others) if (!perArticleCount.has(other)) coveredBy.set(other, [citation]);
  }
  return citations;
}
