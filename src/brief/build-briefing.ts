/**
 * A briefing on a topic over the search snapshot: the relevant articles (more passages than an answer reads, one entry
 * per story), their most informative sentences as key points, a timeline of dated events, who said what, the sources,
 * and the data of a small chart. Everything quoted is a span of the stored article text.
 */
import type {
  Article,
  AttributedQuote,
  BriefChart,
  BriefOptions,
  BriefSource,
  Briefing,
  KeyPoint,
  SourcedExcerpt,
  SpeakerQuotes,
  Span,
  TimelineEvent,
} from '../core/types.js';
import { resolveDatesInText } from '../dates/resolve-dates-in-text.js';
import { analyze, foldText, tokenize } from '../lexical/french-analyzer.js';
import { parseQuestion, type ParsedQuestion } from '../retrieve/parse-question.js';
import { retrievePassages } from '../retrieve/retrieve-passages.js';
import type { SearchSnapshot } from '../retrieve/search-snapshot.js';
import { attributionsOf, sentencesOf } from './article-reader.js';
import { sameSpeaker, speakerKey } from './find-attributions.js';
import { sourcedExcerpt } from '../answer/sourced-excerpt.js';

/** Options of {@link buildBriefing} beyond `BriefOptions`. */
export interface BuildBriefingOptions extends BriefOptions {
  /** Articles already covered (the "what is new" state): left out, with their copies. */
  exclude?: ReadonlySet<string>;
  /** The previous briefing compared against, echoed in the result. */
  previous?: { at: string; articles: number };
  /** Passages retrieved for the topic (default 30; an answer reads fewer). */
  depth?: number;
  /** An article counts when its best lexical score reaches this share of the best one (default 0.2). */
  minRelativeScore?: number;
}

const DEFAULT_DEPTH = 30;
const MAX_SPEAKERS = 10;
const QUOTES_PER_SPEAKER = 5;
const KEY_POINTS_PER_ARTICLE = 3;
/** Two sentences sharing this share of their words (of the shorter one) say the same thing. */
const SAME_SENTENCE = 0.6;

interface RelevantArticle {
  article: Article;
  /** Retrieval score normalised by the best article's, 0..1. */
  relevance: number;
  /** Wire copies and other members of its duplicate group. */
  copies: string[];
}

interface ScoredSentence {
  article: RelevantArticle;
  span: Span;
  coverage: number;
  info: number;
  score: number;
  words: Set<string>;
}

/** Normalised topic: sorted distinct index terms, so "Coalition anti-Daech" and "coalition anti-daech" are one topic. */
export function topicKey(topic: string): string {
  const terms = [...new Set(analyze(topic))].sort();
  return terms.length > 0 ? terms.join(' ') : foldText(topic).replace(/\s+/g, ' ').trim();
}

/** Builds a briefing. Throws QUESTION_INVALID when the topic holds no word. */
export async function buildBriefing(snapshot: SearchSnapshot, topic: string, options: BuildBriefingOptions = {}): Promise<Briefing> {
  const began = performance.now();
  const parsed = parseQuestion(topic);
  const mode = snapshot.vectors && snapshot.embedder ? 'hybrid' : 'lexical';
  const relevant = await relevantArticles(snapshot, parsed, options);
  const exclude = options.exclude ?? new Set<string>();
  const kept = relevant.filter((r) => !exclude.has(r.article.id));
  const weights = topicWeights(snapshot, parsed);

  const scored: ScoredSentence[] = [];
  for (const r of kept) {
    for (const span of sentencesOf(snapshot, r.article)) {
      const s = scoreSentence(r, span, weights);
      if (s) scored.push(s);
    }
  }

  const period = options.since !== undefined || options.until !== undefined ? { since: options.since, until: options.until } : undefined;
  const timeline = buildTimeline(snapshot, kept, scored, options.maxEvents ?? 20);
  return {
    topic,
    topicKey: topicKey(topic),
    channel: options.channel ?? 'cli',
    generatedAt: (options.now ?? new Date()).toISOString(),
    ...(period ? { period } : {}),
    mode,
    newOnly: options.newOnly ?? false,
    ...(options.previous ? { previous: options.previous } : {}),
    nothingNew: (options.newOnly ?? false) && kept.length === 0,
    keyPoints: pickKeyPoints(scored, options.maxKeyPoints ?? 8),
    timeline,
    ...quotations(snapshot, kept, weights),
    sources: kept.map((r) => sourceOf(r)),
    chart: buildChart(relevant.filter((r) => !exclude.has(r.article.id)), snapshot, timeline),
    latencyMs: performance.now() - began,
  };
}

/** The articles that the topic's passages come from, best first, one per duplicate group. */
async function relevantArticles(snapshot: SearchSnapshot, parsed: ParsedQuestion, options: BuildBriefingOptions): Promise<RelevantArticle[]> {
  const candidates = await retrievePassages(snapshot, parsed, {
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
    ...(options.source ? { source: options.source } : {}),
    depth: options.depth ?? DEFAULT_DEPTH,
  });
  const bestLexical = Math.max(0, ...candidates.map((c) => c.lexicalScore ?? 0));
  const minShare = options.minRelativeScore ?? 0.2;
  const weights = topicWeights(snapshot, parsed);
  const best = candidates[0]?.score ?? 0;
  const byArticle = new Map<string, number>();
  for (const c of candidates) {
    const chunk = snapshot.chunks[c.key];
    if (!chunk || byArticle.has(chunk.articleId)) continue;
    const article = snapshot.articles.get(chunk.articleId);
    if (!article) continue;
    // Dense neighbours with no word of the topic are noise for a briefing (a tiny or generic model ranks everything).
    const lexicalOk = c.lexicalScore !== undefined && c.lexicalScore >= minShare * bestLexical;
    if (!lexicalOk && coverage(analyze(`${article.title} ${chunk.text}`), weights) < 0.5) continue;
    byArticle.set(chunk.articleId, best > 0 ? c.score / best : 0);
  }
  const out: RelevantArticle[] = [];
  const covered = new Map<string, RelevantArticle>();
  for (const [id, relevance] of byArticle) {
    const copyOf = covered.get(id);
    if (copyOf) continue;
    const article = snapshot.articles.get(id)!;
    const copies = snapshot.duplicates?.get(id) ?? [];
    const entry = { article, relevance, copies: [...copies] };
    out.push(entry);
    for (const other of copies) covered.set(other, entry);
  }
  return out;
}

type Weights = Map<string, number>;

/** Word-forming prefixes of French compounds ("anti-Daech", "ex-ministre", "post-pandémie"): not topics themselves. */
const COMPOUND_PREFIXES = new Set([
  'anti', 'pro', 'ex', 'post', 'pre', 'co', 'neo', 'vice', 'non', 'semi', 'demi', 'mi', 'auto', 'inter', 'multi',
  'ultra', 'extra', 'micro', 'macro', 'sous', 'sur', 'contre', 'mini', 'maxi', 'super', 'hyper', 'pseudo', 'quasi',
]);

/**
 * What the topic is about, each term weighted by its IDF. A hyphenated compound is also indexed whole ("antidaech"),
 * but an article may say the same with its parts ("la Coalition mondiale contre Daech"): the whole form and a
 * word-forming prefix part are left out, so the content parts carry the compound.
 */
function topicWeights(snapshot: SearchSnapshot, parsed: ParsedQuestion): Weights {
  const terms = parsed.terms.map((t) => t.term);
  const compounds = new Set(
    terms.filter((t) => terms.some((head) => head !== t && t.startsWith(head) && terms.some((tail) => tail !== t && tail !== head && t.slice(head.length).startsWith(tail)))),
  );
  const prefixParts = new Set([...compounds].flatMap((c) => terms.filter((p) => COMPOUND_PREFIXES.has(p) && c.startsWith(p))));
  const weights: Weights = new Map();
  for (const term of terms) {
    if (compounds.has(term) || prefixParts.has(term)) continue;
    weights.set(term, Math.max(0.1, snapshot.lexical.idf(term)));
  }
  // A topic made only of such words keeps them all.
  if (weights.size === 0) for (const term of terms) weights.set(term, Math.max(0.1, snapshot.lexical.idf(term)));
  return weights;
}

/** Share of the topic's IDF mass present among `terms`. */
function coverage(terms: Iterable<string>, weights: Weights): number {
  let total = 0;
  for (const w of weights.values()) total += w;
  if (total === 0) return 0;
  const seen = new Set<string>();
  let got = 0;
  for (const t of terms) {
    if (seen.has(t)) continue;
    seen.add(t);
    got += weights.get(t) ?? 0;
  }
  return got / total;
}

/**
 * Relevance (share of the topic's IDF mass in the sentence) plus informativeness (names, numbers, dates), times a
 * length factor: a six-word sentence says little, a 500-character one is a paragraph. Sentences without a topic
 * word are left out.
 */
function scoreSentence(r: RelevantArticle, span: Span, weights: Weights): ScoredSentence | undefined {
  const text = r.article.text.slice(span.start, span.end);
  if (text.length < 25) return undefined;
  const tokens = tokenize(text);
  const terms: string[] = [];
  for (const t of tokens) {
    if (t.term !== null) terms.push(t.term);
    if (t.compound !== undefined) terms.push(t.compound);
  }
  const cov = coverage(terms, weights);
  if (cov === 0) return undefined;
  let names = 0;
  let numbers = 0;
  for (const t of tokens) {
    if (/^\d/.test(t.surface)) numbers++;
    else if (t.position > 0 && t.term !== null && /^\p{Lu}/u.test(text.slice(t.start, t.start + 1))) names++;
  }
  const dates = resolveDatesInText(text, r.article.date).length;
  const info = Math.min(1, 0.12 * names + 0.2 * numbers + 0.3 * dates);
  const lengthFactor = text.length < 50 ? 0.6 : text.length > 450 ? 0.75 : 1;
  const score = (0.6 * cov + 0.3 * info + 0.2 * r.relevance) * lengthFactor;
  return { article: r, span, coverage: cov, info, score, words: new Set(tokens.filter((t) => t.term !== null).map((t) => t.term!)) };
}

function overlap(a: Set<string>, b: Set<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size === 0) return 0;
  let n = 0;
  for (const w of small) if (large.has(w)) n++;
  return n / small.size;
}

function excerptOf(article: Article, span: Span): SourcedExcerpt {
  return sourcedExcerpt(article, span);
}

/** Best sentences first; a sentence that repeats a picked one (another outlet, a wire copy) adds to its "aussi dans". */
function pickKeyPoints(scored: ScoredSentence[], max: number): KeyPoint[] {
  const ordered = [...scored].sort((a, b) => b.score - a.score || a.span.start - b.span.start);
  const picked: Array<{ s: ScoredSentence; point: KeyPoint; also: Set<string> }> = [];
  const perArticle = new Map<string, number>();
  for (const s of ordered) {
    const same = picked.find((p) => overlap(p.s.words, s.words) >= SAME_SENTENCE);
    if (same) {
      if (same.s.article.article.id !== s.article.article.id) same.also.add(s.article.article.id);
      continue;
    }
    if (picked.length >= max) continue;
    const count = perArticle.get(s.article.article.id) ?? 0;
    if (count >= KEY_POINTS_PER_ARTICLE) continue;
    perArticle.set(s.article.article.id, count + 1);
    const point: KeyPoint = { ...excerptOf(s.article.article, s.span), score: s.score };
    picked.push({ s, point, also: new Set(s.article.copies) });
  }
  return picked.map(({ point, also }) => (also.size > 0 ? { ...point, alsoIn: [...also] } : point));
}

const PRECISION_BONUS = { day: 0.3, month: 0.2, year: 0.05 } as const;

/**
 * One event per article: its most relevant sentence carrying a date (resolved against the publication date), or
 * its first relevant sentence dated by publication. The best `max` events, in date order.
 */
function buildTimeline(snapshot: SearchSnapshot, kept: RelevantArticle[], scored: ScoredSentence[], max: number): TimelineEvent[] {
  const byArticle = new Map<string, ScoredSentence[]>();
  for (const s of scored) {
    const list = byArticle.get(s.article.article.id);
    if (list) list.push(s);
    else byArticle.set(s.article.article.id, [s]);
  }
  const events: Array<TimelineEvent & { rank: number }> = [];
  for (const r of kept) {
    const article = r.article;
    const sentences = (byArticle.get(article.id) ?? []).sort((a, b) => a.span.start - b.span.start);
    let best: { event: TimelineEvent; rank: number } | undefined;
    sentences.forEach((s, i) => {
      const text = article.text.slice(s.span.start, s.span.end);
      for (const d of resolveDatesInText(text, article.date)) {
        const rank = s.coverage + PRECISION_BONUS[d.precision] + (i === 0 ? 0.1 : 0);
        if (!best || rank > best.rank) {
          best = {
            rank,
            event: { ...excerptOf(article, s.span), when: d.date, precision: d.precision, whenFrom: 'text', whenText: d.text },
          };
        }
      }
    });
    if (!best && article.date && sentences.length > 0) {
      const first = sentences[0]!;
      best = {
        rank: first.coverage,
        event: { ...excerptOf(article, first.span), when: article.date, precision: article.date.length > 7 ? 'day' : 'month', whenFrom: 'publication' },
      };
    }
    if (best) events.push({ ...best.event, rank: best.rank + r.relevance * 0.2 });
  }
  return events
    .sort((a, b) => b.rank - a.rank)
    .slice(0, max)
    .sort((a, b) => compareWhen(a.when, b.when) || a.articleId.localeCompare(b.articleId))
    .map(({ rank: _rank, ...event }) => event);
}

/** Earlier first; a month sorts before the days within it, a year before its months. */
function compareWhen(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Quotations of named persons grouped by speaker (most quoted first), and non-person attributions apart. */
function quotations(snapshot: SearchSnapshot, kept: RelevantArticle[], weights: Weights): { speakers: SpeakerQuotes[]; otherAttributions: AttributedQuote[] } {
  const groups: Array<{ names: Map<string, number>; quotes: Array<AttributedQuote & { rel: number }> }> = [];
  const other: AttributedQuote[] = [];
  const seenQuotes = new Map<string, AttributedQuote>();
  for (const r of kept) {
    for (const a of attributionsOf(snapshot, r.article)) {
      const quote: AttributedQuote = {
        ...excerptOf(r.article, a.statement),
        speaker: a.speaker,
        speakerKind: a.kind,
        quote: r.article.text.slice(a.quote.start, a.quote.end),
        quoteStart: a.quote.start,
        quoteEnd: a.quote.end,
        pattern: a.pattern,
        ...(r.copies.length > 0 ? { alsoIn: [...r.copies] } : {}),
      };
      // The same words quoted by several outlets appear once.
      const key = `${speakerKey(a.speaker)}|${foldText(quote.quote).replace(/\W+/g, ' ').trim()}`;
      const seen = seenQuotes.get(key);
      if (seen) {
        seen.alsoIn = [...new Set([...(seen.alsoIn ?? []), r.article.id])];
        continue;
      }
      seenQuotes.set(key, quote);
      if (a.kind !== 'person') {
        other.push(quote);
        continue;
      }
      const rel = coverage(analyze(quote.excerpt), weights) + r.relevance * 0.2;
      let group = groups.find((g) => [...g.names.keys()].some((n) => sameSpeaker(n, a.speaker)));
      if (!group) {
        group = { names: new Map(), quotes: [] };
        groups.push(group);
      }
      group.names.set(a.speaker, (group.names.get(a.speaker) ?? 0) + 1);
      group.quotes.push({ ...quote, rel });
    }
  }
  const speakers = groups
    .map((g) => {
      // The fullest form names the group ("Nasser Bourita" rather than "Bourita").
      const name = [...g.names.keys()].sort((a, b) => b.split(/\s+/).length - a.split(/\s+/).length || (g.names.get(b)! - g.names.get(a)!))[0]!;
      const quotes = g.quotes
        .sort((a, b) => b.rel - a.rel)
        .slice(0, QUOTES_PER_SPEAKER)
        .sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.start - b.start)
        .map(({ rel: _rel, ...q }) => ({ ...q, speaker: name }));
      return { speaker: name, quotes, weight: g.quotes.length + Math.max(...g.quotes.map((q) => q.rel)) };
    })
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_SPEAKERS)
    .map(({ speaker, quotes }) => ({ speaker, quotes }));
  return { speakers, otherAttributions: other.slice(0, 10) };
}

function sourceOf(r: RelevantArticle): BriefSource {
  const a = r.article;
  return {
    articleId: a.id,
    title: a.title,
    ...(a.date ? { date: a.date } : {}),
    ...(a.source ? { source: a.source } : {}),
    ...(a.url ? { url: a.url } : {}),
    ...(r.copies.length > 0 ? { alsoIn: [...r.copies] } : {}),
  };
}

/**
 * Articles per month (or per year when the articles span more than three years), counting wire copies, from the first
 * to the last period with an article; the timeline's events are the marks.
 */
export function buildChart(relevant: RelevantArticle[], snapshot: SearchSnapshot, timeline: TimelineEvent[]): BriefChart {
  const dates: string[] = [];
  for (const r of relevant) {
    for (const id of [r.article.id, ...r.copies]) {
      const d = snapshot.articles.get(id)?.date;
      if (d && /^\d{4}-\d{2}/.test(d)) dates.push(d.slice(0, 7));
    }
  }
  for (const e of timeline) if (/^\d{4}-\d{2}/.test(e.when)) dates.push(e.when.slice(0, 7));
  if (dates.length === 0) return { unit: 'month', buckets: [], events: [] };
  dates.sort();
  const first = dates[0]!;
  const last = dates[dates.length - 1]!;
  const months = monthIndex(last) - monthIndex(first);
  const unit: BriefChart['unit'] = months > 36 ? 'year' : 'month';
  const buckets: BriefChart['buckets'] = [];
  if (unit === 'year') {
    for (let y = Number(first.slice(0, 4)); y <= Number(last.slice(0, 4)); y++) buckets.push({ label: String(y), from: `${y}-01-01`, to: `${y}-12-31`, articles: 0 });
  } else {
    for (let i = monthIndex(first); i <= monthIndex(last); i++) {
      const y = Math.floor(i / 12);
      const m = String((i % 12) + 1).padStart(2, '0');
      const lastDay = new Date(Date.UTC(y, (i % 12) + 1, 0)).getUTCDate();
      buckets.push({ label: `${y}-${m}`, from: `${y}-${m}-01`, to: `${y}-${m}-${lastDay}`, articles: 0 });
    }
  }
  for (const r of relevant) {
    for (const id of [r.article.id, ...r.copies]) {
      const d = snapshot.articles.get(id)?.date;
      if (!d) continue;
      const b = buckets.find((x) => d.slice(0, 10) >= x.from.slice(0, d.length) && d.slice(0, 10) <= x.to);
      if (b) b.articles++;
    }
  }
  const events = timeline.map((e) => ({ when: e.when, label: e.whenText ?? e.title }));
  return { unit, buckets, events };
}

function monthIndex(ym: string): number {
  return Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
}
