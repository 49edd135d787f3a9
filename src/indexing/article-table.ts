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

