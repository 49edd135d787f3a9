/**
 * Reads a passage sentence by sentence and finds the one or two sentences that best answer a question:
 * IDF-weighted overlap with the question's terms, a match of the expected answer type, and proximity of the
 * matched words. The result is a span of the article text, so the excerpt is always quoted verbatim.
 */
import type { Span } from '../core/types.js';
import { DEFAULT_PREFIX_LENGTH, prefixOf } from '../lexical/bm25-index.js';
import { tokenize, type Token } from '../lexical/french-analyzer.js';
import type { AnswerType, ParsedQuestion } from '../retrieve/parse-question.js';

/** How well one passage answers the question; also the features of reranking and abstention. */
export interface PassageReading {
  /** The excerpt: one sentence, or two adjacent ones, plus the antecedent sentence for a leading pronoun. */
  span: Span;
  /** Score of the best sentence (coverage + type + proximity), about 0..1.2. */
  sentenceScore: number;
  /** Share of the question's IDF mass matched by the best sentence, 0..1. */
  sentenceCoverage: number;
  /** Share of the question's IDF mass matched by the best two adjacent sentences, 0..1. */
  windowCoverage: number;
  /** Share of the question's IDF mass matched anywhere in the passage, 0..1. */
  passageCoverage: number;
  /** Whether the best sentence holds something of the expected answer type. */
  typeMatch: boolean;
  /** Question terms matched by the excerpt's sentences (best and its neighbour). */
  windowTerms: Set<string>;
  /**
   * Proximity of the matched question words across the passage, 0..1: for each two successive matches of different
   * question terms at most `proximityWindow` tokens apart, the lighter term's weight over the squared distance
   * (BM25TP), summed and divided by the question's weight mass. Separates a passage that makes a statement about the
   * question from a sibling that merely shares its words.
   */
  proximity: number;
  /**
   * Share of the question's IDF mass whose words appear in the passage as written (case and accents folded, not
   * stemmed): `repoussent` for `repoussent`, not for `repousse`. Questions are often worded from the passage they ask
   * about, and the exact form tells that passage from a sibling that only shares the stems. 0..1.
   */
  surfaceCoverage: number;
}

/** Options of {@link readPassage}. */
export interface ReadOptions {
  /** How the excerpt grows beyond its best sentence. Default 'always'. */
  policy?: ExcerptPolicy;
  /** Prefix length of loose matches, as in the lexical index (characters; 0 turns them off). Default 5. */
  prefixLength?: number;
  /**
   * Credit of a word that shares only its prefix with a question term (`présidence` for `préside`), relative to an
   * exact stem match. Default 0.5.
   */
  prefixCredit?: number;
  /** Largest distance, in tokens (stop words included), of two matches that count for proximity. Default 8. */
  proximityWindow?: number;
  /**
   * The passage's sentences already analysed, one token list per sentence of `source.sentences` (e.g. from a
   * {@link SentenceTokenCache}); default: tokenized here.
   */
  tokens?: ReadonlyArray<Token[]>;
  /**
   * Index terms of the title of the passage's article. A question term among them counts as matched in every sentence:
   * the sentences of an article are about its title even when they say « le camp » or « il » (and siblings of one
   * article then differ by what else they say). Such matches have no position, so proximity does not count them.
   * Default: none.
   */
  titleTerms?: ReadonlySet<string>;
}

/**
 * Analysed sentences of recently read passages, keyed by the caller's passage key (a chunk key): a bounded LRU, so
 * that a passage read again (a popular article, a repeated or refined question) is not tokenized and stemmed again.
 */
export class SentenceTokenCache {
  private readonly entries = new Map<number, Token[][]>();

  /** @param capacity Passages kept, least recently read dropped first. Default 1024 (about 25 MB of tokens). */
  constructor(private readonly capacity = 1024) {}

  /** Token lists of the sentences of `source` (one per sentence), analysed on first read. */
  tokensOf(key: number, source: SentenceSource): Token[][] {
    const hit = this.entries.get(key);
    if (hit && hit.length === source.sentences.length) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const tokens = source.sentences.map((s) => tokenize(source.text.slice(s.start, s.end)));
    if (this.capacity <= 0) return tokens;
    this.entries.set(key, tokens);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return tokens;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Weights of the sentence score. Chosen on PIAF (see bench/quality.ts); small on purpose. */
const TYPE_BONUS = 0.12;
const PROXIMITY_BONUS = 0.1;
/** A second adjacent sentence joins the excerpt when it scores at least this share of the best one. */
const SECOND_SENTENCE_SHARE = 0.6;

/** Words that open a sentence whose subject lies in the previous one. */
const ANAPHORA = new Set([
  'il', 'elle', 'ils', 'elles', 'ce', 'cet', 'cette', 'ces', 'celui', 'celle', 'ceux', 'celles', 'cela', 'ca', 'ceci',
  'lui', 'leur', 'leurs', 'son', 'sa', 'ses', 'y', 'en', 'on', 'selon', 'lequel', 'laquelle', 'lesquels', 'dernier',
  'derniere', 'celui-ci', 'celle-ci',
]);

const MONTHS = new Set([
  'janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre',
]);
const DATE_WORDS = new Set(['siecle', 'siecles', 'an', 'ans', 'annee', 'annees', 'hier', 'aujourd\'hui', 'demain', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']);
const PLACE_PREPOSITIONS = new Set(['a', 'au', 'aux', 'en', 'dans', 'de', 'vers', 'pres', 'sur']);

export interface SentenceSource {
  /** The article text the spans point into. */
  text: string;
  /** Sentences of the passage (absolute spans), in order. */
  sentences: Span[];
  /** The sentence before the passage's first one, when the article has one (antecedent of a leading pronoun). */
  before?: Span;
  /** The sentence after the passage's last one, when the article has one (completes an excerpt ending the passage). */
  after?: Span;
}

interface SentenceScore {
  score: number;
  coverage: number;
  /** Question terms matched, with their credit (1 exact, `prefixCredit` by prefix only). */
  matched: Map<string, number>;
  typeMatch: boolean;
  /** Matches in token order: term, position in the sentence, credit. */
  hits: Array<{ term: string; position: number; credit: number }>;
  /** Tokens in the sentence (positions of the next sentence follow on). */
  length: number;
}

/** How question terms are recognised in a sentence. */
interface Matcher {
  weights: Map<string, number>;
  /** Question terms that have a prefix term, by that prefix (without its `~` mark), in question order. */
  prefixes: Map<string, string[]>;
  prefixLength: number;
  prefixCredit: number;
  /** Question terms matched by the context of every sentence (the article's title), with their credit. */
  implied: Map<string, number>;
}

/** How the excerpt grows beyond the best sentence. */
export type ExcerptPolicy = 'adaptive' | 'follow' | 'always';

/** Reads a passage: picks the excerpt and measures how well it answers. `idf` weighs the question's terms. */
export function readPassage(
  source: SentenceSource,
  question: ParsedQuestion,
  idf: (term: string) => number,
  options: ExcerptPolicy | ReadOptions = {},
): PassageReading {
  const opts: ReadOptions = typeof options === 'string' ? { policy: options } : options;
  const policy = opts.policy ?? 'always';
  const prefixLength = opts.prefixLength ?? DEFAULT_PREFIX_LENGTH;
  const window = opts.proximityWindow ?? 8;
  const weights = new Map<string, number>();
  // A question term's weight: its IDF times its weight in the question (generic words count less).
  for (const { term, weight } of question.terms) weights.set(term, Math.max(0.1, idf(term)) * weight);
  const prefixes: Matcher['prefixes'] = new Map();
  for (const term of weights.keys()) {
    const prefix = prefixOf(term, prefixLength);
    if (prefix === undefined) continue;
    const key = prefix.slice(1);
    const list = prefixes.get(key);
    if (list) list.push(term);
    else prefixes.set(key, [term]);
  }
  const titleTerms = opts.titleTerms;
  const implied = new Map(titleTerms ? [...weights.keys()].filter((t) => titleTerms.has(t)).map((t) => [t, 1]) : []);
  const matcher: Matcher = { weights, prefixes, prefixLength, prefixCredit: opts.prefixCredit ?? 0.5, implied };
  let total = 0;
  for (const w of weights.values()) total += w;
  if (total === 0) total = 1;
  const questionSurfaces = new Set(question.tokens.map((t) => t.surface));

  const sentences = source.sentences.length > 0 ? source.sentences : [];
  const tokens = opts.tokens && opts.tokens.length === sentences.length ? opts.tokens : undefined;
  const scores: SentenceScore[] = [];
  sentences.forEach((s, i) => {
    const sentenceTokens = tokens ? tokens[i]! : tokenize(source.text.slice(s.start, s.end));
    let score = scoreSentence(sentenceTokens, matcher, total, question.answerType, questionSurfaces, source.text, s);
    // A sentence whose subject is a pronoun ("Il …", "Ce dernier …", "Dès 1987, il …") speaks of what the sentence
    // before named: that sentence's matched words count for it too, as the title's do.
    if (i > 0 && pointsBack(source.text, s, sentenceTokens)) {
      const context = new Map(matcher.implied);
      for (const [term, credit] of scores[i - 1]!.matched) if ((context.get(term) ?? 0) < credit) context.set(term, credit);
      if (context.size > matcher.implied.size) {
        score = scoreSentence(sentenceTokens, { ...matcher, implied: context }, total, question.answerType, questionSurfaces, source.text, s);
      }
    }
    scores.push(score);
  });
  if (scores.length === 0) {
    return {
      span: { start: 0, end: 0 },
      sentenceScore: 0,
      sentenceCoverage: 0,
      windowCoverage: 0,
      passageCoverage: 0,
      typeMatch: false,
      windowTerms: new Set(),
      proximity: 0,
      surfaceCoverage: 0,
    };
  }
  const passageMatched = new Map<string, number>();
  for (const s of scores) mergeCredits(passageMatched, s.matched);

  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.score > scores[best]!.score) best = i;
  const top = scores[best]!;
  let first = best;
  let last = best;
  let windowCoverage = top.coverage;
  let windowMatched = top.matched;
  let end: number | undefined;
  // The better neighbour joins when it scores close to the best or brings question words the best one lacks.
  const neighbour = [best - 1, best + 1]
    .filter((i) => i >= 0 && i < scores.length)
    .sort((a, b) => scores[b]!.score - scores[a]!.score)[0];
  if (neighbour !== undefined) {
    const n = scores[neighbour]!;
    const union = mergeCredits(new Map(top.matched), n.matched);
    windowCoverage = massOf(union, weights) / total;
    windowMatched = union;
    const adds = windowCoverage - top.coverage;
    let join = n.score >= SECOND_SENTENCE_SHARE * top.score && (adds > 0.05 || (n.typeMatch && !top.typeMatch));
    let other = neighbour;
    if (policy === 'always') {
      join = true;
      other = best + 1 < scores.length ? best + 1 : neighbour;
    } else if (policy === 'follow' && !join && !top.typeMatch && best + 1 < scores.length) {
      join = true;
      other = best + 1;
    }
    if (join) {
      first = Math.min(first, other);
      last = Math.max(last, other);
    }
  }
  // The best sentence ends the passage: the sentence that follows it in the article is the one to add, not the one
  // before (the answer often sits in the sentence after the one that repeats the question).
  if (policy === 'always' && best === scores.length - 1 && source.after) {
    first = best;
    last = best;
    end = source.after.end;
  }
  let start = sentences[first]!.start;
  end ??= sentences[last]!.end;
  // A leading pronoun needs its antecedent: add the previous sentence.
  if (startsWithAnaphora(source.text, sentences[first]!)) {
    const previous = first > 0 ? sentences[first - 1] : source.before;
    if (previous) start = previous.start;
  }
  return {
    span: { start, end },
    sentenceScore: top.score,
    sentenceCoverage: top.coverage,
    windowCoverage,
    passageCoverage: massOf(passageMatched, weights) / total,
    typeMatch: top.typeMatch,
    windowTerms: new Set(windowMatched.keys()),
    proximity: proximityOf(scores, weights, total, window),
    surfaceCoverage: surfaceCoverageOf(question, weights, tokens ?? sentences.map((s) => tokenize(source.text.slice(s.start, s.end)))),
  };
}

/** See {@link PassageReading.surfaceCoverage}: each distinct written form of a question term counts once. */
function surfaceCoverageOf(question: ParsedQuestion, weights: Map<string, number>, sentences: ReadonlyArray<Token[]>): number {
  const forms = new Map<string, number>();
  for (const t of question.tokens) {
    const w = t.term === null ? undefined : weights.get(t.term);
    if (w !== undefined && !forms.has(t.surface)) forms.set(t.surface, w);
  }
  let total = 0;
  for (const w of forms.values()) total += w;
  if (total === 0) return 0;
  let found = 0;
  for (const tokens of sentences) {
    for (const t of tokens) {
      const w = forms.get(t.surface);
      if (w !== undefined) {
        found += w;
        forms.delete(t.surface);
      }
    }
  }
  return found / total;
}

/** Adds `from`'s credits into `into`, keeping the larger credit per term; returns `into`. */
function mergeCredits(into: Map<string, number>, from: Map<string, number>): Map<string, number> {
  for (const [t, c] of from) if ((into.get(t) ?? 0) < c) into.set(t, c);
  return into;
}

function massOf(matched: Map<string, number>, weights: Map<string, number>): number {
  let mass = 0;
  for (const [t, c] of matched) mass += (weights.get(t) ?? 0) * c;
  return mass;
}

/** BM25TP-style proximity over the passage's matches (see {@link PassageReading.proximity}). */
function proximityOf(scores: SentenceScore[], weights: Map<string, number>, total: number, window: number): number {
  let sum = 0;
  let offset = 0;
  let previous: { term: string; position: number; credit: number } | undefined;
  for (const s of scores) {
    for (const hit of s.hits) {
      const position = offset + hit.position;
      if (previous && previous.term !== hit.term) {
        const d = position - previous.position;
        if (d <= window) {
          const w = Math.min(weights.get(previous.term)! * previous.credit, weights.get(hit.term)! * hit.credit);
          sum += w / (d * d);
        }
      }
      previous = { term: hit.term, position, credit: hit.credit };
    }
    offset += s.length;
  }
  return Math.min(1, sum / total);
}

/**
 * Whether the sentence opens with a pronoun or demonstrative whose referent is in the sentence before, or with a
 * fronted phrase followed by a subject pronoun ("Dès 1987, il abandonne…", "En 1815, elle…").
 */
export function startsWithAnaphora(text: string, sentence: Span): boolean {
  const head = text.slice(sentence.start, Math.min(sentence.end, sentence.start + 80));
  const tokens = tokenize(head);
  const first = tokens[0];
  if (first === undefined) return false;
  if (ANAPHORA.has(first.surface)) return true;
  for (let i = 1; i < Math.min(tokens.length, FRONTED_TOKENS); i++) {
    const t = tokens[i]!;
    if (SUBJECT_PRONOUNS.has(t.surface) && head.slice(tokens[i - 1]!.end, t.start).includes(',')) return true;
  }
  return false;
}

/**
 * Openers of {@link startsWithAnaphora} that as often start a sentence without pointing back ("En 1847, …", "On
 * estime …", "Selon l'Insee, …"): they pull the antecedent into an excerpt, but do not lend its words to the sentence.
 */
const LOOSE_OPENERS = new Set(['en', 'y', 'on', 'selon']);

/** Whether the sentence's subject is a pronoun standing for something the sentence before named. */
function pointsBack(text: string, sentence: Span, tokens: Token[]): boolean {
  const first = tokens[0];
  return first !== undefined && !LOOSE_OPENERS.has(first.surface) && startsWithAnaphora(text, sentence);
}

/** Subject pronouns that, after a fronted phrase and its comma, point back to the sentence before. */
const SUBJECT_PRONOUNS = new Set(['il', 'elle', 'ils', 'elles']);
/** Tokens of a fronted phrase looked through ("Au début du XIXe siècle, il…"). */
const FRONTED_TOKENS = 9;

function scoreSentence(
  tokens: Token[],
  matcher: Matcher,
  total: number,
  answerType: AnswerType,
  questionSurfaces: Set<string>,
  text: string,
  span: Span,
): SentenceScore {
  const { weights, prefixes } = matcher;
  const matched = new Map<string, number>();
  const hits: SentenceScore['hits'] = [];
  for (const t of tokens) {
    const exact = (t.term !== null && weights.has(t.term) ? t.term : undefined) ?? (t.compound !== undefined && weights.has(t.compound) ? t.compound : undefined);
    if (exact !== undefined) {
      matched.set(exact, 1);
      hits.push({ term: exact, position: t.position, credit: 1 });
      continue;
    }
    // A loose match: same prefix as a question term (présidence ~ préside), partial credit. One lookup by the
    // token's prefix, not a scan of the question's terms: long questions have hundreds, and this loop runs over every
    // word of every candidate.
    if (t.term === null || matcher.prefixCredit <= 0 || t.term.length <= matcher.prefixLength || prefixes.size === 0) continue;
    const c = t.term.charCodeAt(0);
    if (c >= 48 && c <= 57) continue;
    const terms = prefixes.get(t.term.slice(0, matcher.prefixLength));
    if (terms === undefined) continue;
    for (const term of terms) if ((matched.get(term) ?? 0) < matcher.prefixCredit) matched.set(term, matcher.prefixCredit);
    hits.push({ term: terms[0]!, position: t.position, credit: matcher.prefixCredit });
  }
  for (const [term, credit] of matcher.implied) if ((matched.get(term) ?? 0) < credit) matched.set(term, credit);
  const coverage = massOf(matched, weights) / total;
  // Proximity: matched words packed in a short stretch read as one statement about the question.
  let proximity = 0;
  if (hits.length >= 2) {
    const spread = hits[hits.length - 1]!.position - hits[0]!.position + 1;
    proximity = Math.min(1, (matched.size * 2) / spread);
  }
  const typeMatch = answerType !== 'other' && hasAnswerType(tokens, answerType, questionSurfaces, text, span);
  const score = coverage + (typeMatch ? TYPE_BONUS * Math.min(1, coverage * 2) : 0) + PROXIMITY_BONUS * proximity * coverage;
  const length = tokens.length === 0 ? 0 : tokens[tokens.length - 1]!.position + 1;
  return { score, coverage, matched, typeMatch, hits, length };
}

/** Whether the sentence holds a candidate answer of the type, other than words of the question itself. */
function hasAnswerType(tokens: Token[], type: AnswerType, questionSurfaces: Set<string>, text: string, span: Span): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (questionSurfaces.has(t.surface)) continue;
    const isNumber = /^\d/.test(t.surface);
    switch (type) {
      case 'number':
        if (isNumber && !/^(1[0-9]|20)\d\d$/.test(t.surface)) return true;
        if (isNumber) return true;
        break;
      case 'date':
        if (isNumber && /^(1\d|20)\d\d$/.test(t.surface)) return true;
        if (MONTHS.has(t.surface) || DATE_WORDS.has(t.surface)) return true;
        break;
      case 'person':
      case 'place': {
        const c = text.charCodeAt(span.start + t.start);
        const capital = c >= 65 && c <= 90 ? true : c > 127 && text[span.start + t.start] !== text[span.start + t.start]!.toLowerCase();
        if (!capital || i === 0) break;
        const prev = tokens[i - 1]!;
        if (type === 'place' && PLACE_PREPOSITIONS.has(prev.surface)) return true;
        if (type === 'person') {
          const next = tokens[i + 1];
          const nextCapital = next !== undefined && /\p{Lu}/u.test(text[span.start + next.start]!);
          if (nextCapital && !questionSurfaces.has(next!.surface)) return true;
        }
        break;
      }
      default:
        break;
    }
  }
  return false;
}
