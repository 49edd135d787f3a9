import { constants } from 'node:buffer';
import { AppError } from '../core/app-error.js';
import type { Article } from '../core/types.js';

/**
 * Binary layout of the article table, so that 36k articles (80 million characters) load in tens of milliseconds
 * instead of parsing one big JSON document: every string (metadata and text) lives in a few text segments, each
 * decoded once into one JavaScript string, and an article's fields are slices of those (V8 keeps a slice as a view on
 * its segment, without copying).
 *
 * A string whose characters are all Latin-1 (most French text: é, à, ç, œ is not) goes to a Latin-1 segment, one
 * byte a character; any other to a UTF-16LE segment. Both decode at memory speed (UTF-8 decoding is several times
 * slower) and give the same one-byte or two-byte strings as before, so memory does not grow.
 *
 *   header (u32 each): magic "SRCA", version, articleCount, segmentCount
 *   per segment (u32 each): encoding (0 Latin-1, 1 UTF-16LE), length in characters
 *   per article, per field of FIELDS (i32 each): segment (-1: field absent), start, end (characters, UTF-16 units)
 *   the segments' bytes, each padded to 4 bytes
 */
const MAGIC = 0x41435253; // "SRCA" little-endian
const VERSION = 1;
const LATIN1 = 0;
const UTF16 = 1;
/** Order of the fields in the reference table; the first REQUIRED are present in every article. */
const FIELDS = ['id', 'title', 'text', 'path', 'hash', 'date', 'source', 'url', 'author'] as const;
const REQUIRED = 5;
type Field = (typeof FIELDS)[number];
const REF_INTS = 3;
/** Default of {@link ArticleTableOptions.segmentChars}. */
const SEGMENT_CHARS = 1 << 26;

export interface ArticleTableOptions {
  /**
   * Characters a segment holds before the next string starts a new one (a string is never split), well under V8's
   * longest string (2^29 - 24 characters) so that any corpus fits. Default 2^26 (64 Mi characters).
   */
  segmentChars?: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

export function encodeArticleTable(articles: Article[], options: ArticleTableOptions = {}): Uint8Array {
  const segmentChars = options.segmentChars ?? SEGMENT_CHARS;
  const segments: Array<{ encoding: number; length: number }> = [];
  const open = [-1, -1]; // segment being filled, per encoding
  const refs = new Int32Array(articles.length * FIELDS.length * REF_INTS);
  const valueOf = (article: Article, field: Field): unknown => (article as unknown as Record<Field, unknown>)[field];
  // First pass: where every string goes. The second writes each string straight into its place in the output.
  articles.forEach((article, i) => {
    FIELDS.forEach((field, f) => {
      const at = (i * FIELDS.length + f) * REF_INTS;
      const value = valueOf(article, field);
      if (value === undefined && f >= REQUIRED) {
        refs[at] = -1;
        return;
      }
      if (typeof value !== 'string') throw new AppError('INTERNAL', `Article ${String(article.id)} has no string ${field}.`);
      const encoding = NOT_LATIN1.test(value) ? UTF16 : LATIN1;
      let s = open[encoding]!;
      if (s < 0 || (segments[s]!.length > 0 && segments[s]!.length + value.length > segmentChars)) {
        s = open[encoding] = segments.length;
        segments.push({ encoding, length: 0 });
      }
      const segment = segments[s]!;
      refs[at] = s;
      refs[at + 1] = segment.length;
      refs[at + 2] = segment.length + value.length;
      segment.length += value.length;
    });
  });
  const headInts = 4 + segments.length * 2;
  const starts: number[] = [];
  let size = headInts * 4 + refs.byteLength;
  for (const segment of segments) {
    starts.push(size);
    size += pad4(segment.encoding === LATIN1 ? segment.length : segment.length * 2);
  }
  const out = Buffer.alloc(size);
  const head = new Int32Array(out.buffer, out.byteOffset, headInts);
  head.set([MAGIC, VERSION, articles.length, segments.length]);
  segments.forEach((segment, k) => {
    head[4 + k * 2] = segment.encoding;
    head[5 + k * 2] = segment.length;
  });
  out.set(new Uint8Array(refs.buffer), headInts * 4);
  articles.forEach((article, i) => {
    FIELDS.forEach((field, f) => {
      const at = (i * FIELDS.length + f) * REF_INTS;
      const k = refs[at]!;
      if (k < 0) return;
      const latin1 = segments[k]!.encoding === LATIN1;
      out.write(valueOf(article, field) as string, starts[k]! + refs[at + 1]! * (latin1 ? 1 : 2), latin1 ? 'latin1' : 'utf16le');
    });
  });
  return out;
}

/** A character beyond Latin-1 (the string needs the UTF-16 segment). */
// eslint-disable-next-line no-control-regex
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/** Reads a table written by {@link encodeArticleTable}; anything inconsistent is INDEX_CORRUPT, never a TypeError. */
export function decodeArticleTable(bytes: Uint8Array): Article[] {
  const corrupt = (why: string) =>
    new AppError('INDEX_CORRUPT', `The article table is damaged (${why}); run "sourcier index --rebuild".`);
  if (bytes.byteLength < 16 || bytes.byteLength % 4 !== 0) throw corrupt('bad size');
  // Int32 views need 4-byte alignment; a Buffer from a pool may not have it.
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (ints[0] !== MAGIC || ints[1] !== VERSION) throw corrupt('bad header');
  const articleCount = ints[2]!;
  const segmentCount = ints[3]!;
  const refInts = articleCount * FIELDS.length * REF_INTS;
  const headInts = 4 + segmentCount * 2;
  if (articleCount < 0 || segmentCount < 0 || headInts + refInts > ints.length) throw corrupt('counts do not match the file size');
  const starts: number[] = [];
  let byteAt = (headInts + refInts) * 4;
  for (let k = 0; k < segmentCount; k++) {
    const encoding = ints[4 + k * 2]!;
    const length = ints[5 + k * 2]!;
    if ((encoding !== LATIN1 && encoding !== UTF16) || length < 0 || length > constants.MAX_STRING_LENGTH) throw corrupt(`segment ${k} is invalid`);
    starts.push(byteAt);
    byteAt += pad4(encoding === LATIN1 ? length : length * 2);
  }
  if (byteAt !== bytes.byteLength) throw corrupt('segments do not match the file size');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts = starts.map((start, k) => {
    const utf16 = ints[4 + k * 2] === UTF16;
    const length = ints[5 + k * 2]!;
    return buffer.toString(utf16 ? 'utf16le' : 'latin1', start, start + (utf16 ? length * 2 : length));
  });
  const articles: Article[] = new Array(articleCount);
  const fields: Array<string | undefined> = new Array(FIELDS.length);
  for (let i = 0, at = headInts; i < articleCount; i++) {
    for (let f = 0; f < FIELDS.length; f++, at += REF_INTS) {
      const segment = ints[at]!;
      if (segment === -1 && f >= REQUIRED) {
        fields[f] = undefined;
        continue;
      }
      const text = texts[segment];
      const start = ints[at + 1]!;
      const end = ints[at + 2]!;
      if (text === undefined || start < 0 || start > end || end > text.length) throw corrupt(`article ${i}'s ${FIELDS[f]} is out of range`);
      fields[f] = text.slice(start, end);
    }
    // The key order of ingestion (read-corpus.ts), so that articles compare and serialise as they did when built.
    const article = { id: fields[0]!, title: fields[1]! } as Article;
    if (fields[5] !== undefined) article.date = fields[5];
    if (fields[6] !== undefined) article.source = fields[6];
    if (fields[7] !== undefined) article.url = fields[7];
    if (fields[8] !== undefined) article.author = fields[8];
    article.text = fields[2]!;
    article.path = fields[3]!;
    article.hash = fields[4]!;
    articles[i] = article;
  }
  return articles;
}


/**
 * An article table in two segments: a base table (an earlier generation's articles.bin, hard-linked into the
 * generations that follow instead of being encoded and written again) and a delta: which base articles are gone,
 * the new paths of kept ones whose path alone changed (a JSONL article's path names its line, and every line after a
 * deleted one moves up), and a table of the articles added or changed since. The generation's articles are the
 * base's kept ones and the delta's, merged in id order (the order a build sorts them in).
 *
 *   header (u32 each): magic "SRCD", version, base article count, gone count, bytes of the moves
 *   | u32 gone base positions (increasing) | moves: JSON [[base position, path], ...] (UTF-8, padded with spaces to 4)
 *   | an article table (the layout above) of the delta's articles, in id order
 */
const DELTA_MAGIC = 0x44435253; // "SRCD" little-endian
const DELTA_VERSION = 1;

/**
 * Share of the base's articles that the delta's articles and the gone ones may reach together before a build writes
 * one whole table again (the lexical index's rule, MERGE_SHARE in lexical-segments.ts, for the same reasons).
 */
export const ARTICLE_MERGE_SHARE = 0.2;

/** The articles of a generation and, for each, its position in the base table (-1: in the delta). */
export interface ArticleSegments {
  articles: Article[];
  basePosition: Int32Array;
  /** Articles in the base table. */
  baseCount: number;
  /** Each base article's path as the base table holds it (before any move). */
  basePaths: string[];
}

/** What a generation changes in a base table (see {@link encodeArticleDelta}). */
export interface ArticleDelta {
  /** Base positions of the articles gone (or changed), increasing. */
  gone: Uint32Array;
  /** Kept base articles whose path alone changed: base position and new path. */
  moved: Array<[number, string]>;
  /** Articles added or changed, in id order. */
  delta: Article[];
}

/** The bytes of a delta over a base table of `baseCount` articles. */
export function encodeArticleDelta(baseCount: number, { gone, moved, delta }: ArticleDelta): Uint8Array {
  const table = encodeArticleTable(delta);
  let json = JSON.stringify(moved);
  json += ' '.repeat(pad4(Buffer.byteLength(json)) - Buffer.byteLength(json));
  const moves = Buffer.from(json, 'utf8');
  const out = new Uint8Array(20 + gone.byteLength + moves.length + table.byteLength);
  const head = new Uint32Array(out.buffer, 0, 5 + gone.length);
  head.set([DELTA_MAGIC, DELTA_VERSION, baseCount, gone.length, moves.length]);
  head.set(gone, 5);
  out.set(moves, 20 + gone.byteLength);
  out.set(table, 20 + gone.byteLength + moves.length);
  return out;
}

/**
 * The articles of a base table and its delta (see {@link encodeArticleDelta}), or of a whole table when there is no
 * delta. Anything inconsistent (a delta made for another base, ids out of order or twice) is INDEX_CORRUPT.
 */
export function decodeArticleSegments(baseBytes: Uint8Array, deltaBytes?: Uint8Array): ArticleSegments {
  const base = decodeArticleTable(baseBytes);
  const basePaths = base.map((a) => a.path);
  if (!deltaBytes) return { articles: base, basePosition: Int32Array.from(base.keys()), baseCount: base.length, basePaths };
  const corrupt = (why: string) =>
    new AppError('INDEX_CORRUPT', `The article table delta is damaged (${why}); run "sourcier index --rebuild".`);
  if (deltaBytes.byteLength < 20 || deltaBytes.byteLength % 4 !== 0) throw corrupt('bad size');
  if (deltaBytes.byteOffset % 4 !== 0) deltaBytes = deltaBytes.slice();
  const head = new Uint32Array(deltaBytes.buffer, deltaBytes.byteOffset, 5);
  if (head[0] !== DELTA_MAGIC || head[1] !== DELTA_VERSION) throw corrupt('bad header');
  if (head[2] !== base.length) throw corrupt(`made for a base of ${head[2]} articles, not ${base.length}`);
  const goneCount = head[3]!;
  const movesBytes = head[4]!;
  const tableAt = 20 + goneCount * 4 + movesBytes;
  if (movesBytes % 4 !== 0 || tableAt > deltaBytes.byteLength) throw corrupt('counts do not match the file size');
  const gone = new Uint32Array(deltaBytes.buffer, deltaBytes.byteOffset + 20, goneCount);
  let moved: unknown;
  try {
    moved = JSON.parse(Buffer.from(deltaBytes.buffer, deltaBytes.byteOffset + 20 + goneCount * 4, movesBytes).toString('utf8'));
  } catch {
    throw corrupt('unreadable moves');
  }
  const delta = decodeArticleTable(deltaBytes.subarray(tableAt));
  const isGone = new Uint8Array(base.length);
  for (let g = 0; g < gone.length; g++) {
    if (gone[g]! >= base.length || (g > 0 && gone[g]! <= gone[g - 1]!)) throw corrupt('bad gone positions');
    isGone[gone[g]!] = 1;
  }
  if (!Array.isArray(moved)) throw corrupt('unreadable moves');
  for (const move of moved as unknown[]) {
    const [at, path] = Array.isArray(move) ? (move as unknown[]) : [];
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= base.length || isGone[at] === 1 || typeof path !== 'string') {
      throw corrupt('bad moves');
    }
    // A new object: the base's articles may be shared with whoever decoded it (same key order, path in place).
    base[at] = { ...base[at]!, path };
  }
  const size = base.length - goneCount + delta.length;
  const articles: Article[] = new Array(size);
  const basePosition = new Int32Array(size);
  let i = 0;
  let j = 0;
  for (let out = 0; out < size; out++) {
    while (i < base.length && isGone[i] === 1) i++;
    if (j >= delta.length || (i < base.length && base[i]!.id < delta[j]!.id)) {
      articles[out] = base[i]!;
      basePosition[out] = i++;
    } else {
      articles[out] = delta[j++]!;
      basePosition[out] = -1;
    }
    if (out > 0 && !(articles[out - 1]!.id < articles[out]!.id)) throw corrupt(`article ${articles[out]!.id} out of order or twice`);
  }
  return { articles, basePosition, baseCount: base.length, basePaths };
}

/**
 * How to store `articles` (sorted by id) after a generation whose articles were `previous`: the base positions that
 * are gone and the articles for a delta, keeping the previous base; or undefined when a whole table should be
 * written (no previous base, or the delta and the gone articles past {@link ARTICLE_MERGE_SHARE} of it). An article
 * stays in the base only when every stored field is the base's.
 */
export function planArticleDelta(articles: Article[], previous: ArticleSegments): ArticleDelta | undefined {
  const inBase = new Map<string, Article>();
  previous.articles.forEach((a, i) => {
    if (previous.basePosition[i]! >= 0) inBase.set(a.id, a);
  });
  const positionOf = new Map<string, number>();
  previous.articles.forEach((a, i) => positionOf.set(a.id, previous.basePosition[i]!));
  const kept = new Uint8Array(previous.baseCount);
  const delta: Article[] = [];
  const moved: Array<[number, string]> = [];
  for (const article of articles) {
    const before = inBase.get(article.id);
    if (before && sameArticle(before, article)) {
      const at = positionOf.get(article.id)!;
      kept[at] = 1;
      // Against the base table's own path: `before` may already carry a move of an earlier delta.
      if (article.path !== previous.basePaths[at]) moved.push([at, article.path]);
    } else {
      delta.push(article);
    }
  }
  const gone: number[] = [];
  for (let p = 0; p < kept.length; p++) if (kept[p] === 0) gone.push(p);
  if (delta.length + gone.length > ARTICLE_MERGE_SHARE * previous.baseCount) return undefined;
  return { gone: Uint32Array.from(gone), moved, delta };
}

/** Same stored fields, the path aside (a move is recorded apart). */
function sameArticle(a: Article, b: Article): boolean {
  if (a === b) return true;
  const x = a as unknown as Record<Field, unknown>;
  const y = b as unknown as Record<Field, unknown>;
  return FIELDS.every((f) => f === 'path' || x[f] === y[f]);
}
