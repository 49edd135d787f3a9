import { AppError } from '../core/app-error.js';
import type { Article, Chunk, Span } from '../core/types.js';

/**
 * Binary layout of the chunk table, so that 200k chunks load in milliseconds instead of parsing JSON:
 *   header: magic "SRCT", version u32, chunkCount u32, sentenceCount u32
 *   per chunk (7 x i32): articleIndex, ordinal, start, end, tokens, firstSentence, sentenceCount
 *   per sentence (2 x i32): start, end
 * Chunk text is not stored: it is `article.text.slice(start, end)`.
 */
const MAGIC = 0x54435253; // "SRCT" little-endian
const VERSION = 1;
const CHUNK_INTS = 7;

export function encodeChunkTable(chunks: Chunk[], articleIndex: Map<string, number>): Uint8Array {
  const sentenceCount = chunks.reduce((n, c) => n + c.sentences.length, 0);
  const ints = new Int32Array(4 + chunks.length * CHUNK_INTS + sentenceCount * 2);
  ints[0] = MAGIC;
  ints[1] = VERSION;
  ints[2] = chunks.length;
  ints[3] = sentenceCount;
  let c = 4;
  let s = 4 + chunks.length * CHUNK_INTS;
  let sentence = 0;
  for (const chunk of chunks) {
    const index = articleIndex.get(chunk.articleId);
    if (index === undefined) throw new AppError('INTERNAL', `Chunk ${chunk.id} refers to unknown article ${chunk.articleId}.`);
    ints[c++] = index;
    ints[c++] = chunk.ordinal;
    ints[c++] = chunk.start;
    ints[c++] = chunk.end;
    ints[c++] = chunk.tokens;
    ints[c++] = sentence;
    ints[c++] = chunk.sentences.length;
    for (const span of chunk.sentences) {
      ints[s++] = span.start;
      ints[s++] = span.end;
      sentence++;
    }
  }
  return new Uint8Array(ints.buffer);
}

export function decodeChunkTable(bytes: Uint8Array, articles: Article[]): Chunk[] {
  const corrupt = (why: string) =>
    new AppError('INDEX_CORRUPT', `The chunk table is damaged (${why}); run "sourcier index --rebuild".`);
  if (bytes.byteLength < 16 || bytes.byteLength % 4 !== 0) throw corrupt('bad size');
  const ints = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (ints[0] !== MAGIC || ints[1] !== VERSION) throw corrupt('bad header');
  const chunkCount = ints[2]!;
  const sentenceCount = ints[3]!;
  if (chunkCount < 0 || sentenceCount < 0 || ints.length !== 4 + chunkCount * CHUNK_INTS + sentenceCount * 2) {
    throw corrupt('counts do not match the file size');
  }
  const chunks: Chunk[] = new Array(chunkCount);
  const sentenceBase = 4 + chunkCount * CHUNK_INTS;
  for (let i = 0, c = 4; i < chunkCount; i++, c += CHUNK_INTS) {
    const article = articles[ints[c]!];
    const start = ints[c + 2]!;
    const end = ints[c + 3]!;
    const first = ints[c + 5]!;
    const count = ints[c + 6]!;
    if (!article || start < 0 || end > article.text.length || start > end || first < 0 || count < 0 || first + count > sentenceCount) {
      throw corrupt(`chunk ${i} is out of range`);
    }
    const sentences: Span[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const at = sentenceBase + (first + k) * 2;
      sentences[k] = { start: ints[at]!, end: ints[at + 1]! };
    }
    const ordinal = ints[c + 1]!;
    chunks[i] = {
      id: `${article.id}#${ordinal}`,
      articleId: article.id,
      ordinal,
      start,
      end,
      text: article.text.slice(start, end),
      sentences,
      tokens: ints[c + 4]!,
    };
  }
  return chunks;
}

/** Articles as one JSON array: metadata + text. */
export function encodeArticles(articles: Article[]): Uint8Array {
  return Buffer.from(JSON.stringify(articles), 'utf8');
}

export function decodeArticles(bytes: Uint8Array): Article[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new AppError('INDEX_CORRUPT', 'The article table is not valid JSON; run "sourcier index --rebuild".', { cause });
  }
  if (!Array.isArray(parsed)) throw new AppError('INDEX_CORRUPT', 'The article table is not a list; run "sourcier index --rebuild".');
  // A table that passed its checksum can still hold the wrong shape (written by another tool): refuse it here rather
  // than fail later with a TypeError.
  const bad = parsed.findIndex((a: Partial<Article> | null) => typeof a?.id !== 'string' || typeof a.text !== 'string' || typeof a.title !== 'string');
  if (bad >= 0) throw new AppError('INDEX_CORRUPT', `The article table's entry ${bad} has no id, title or text; run "sourcier index --rebuild".`);
  return parsed as Article[];
}

/** Flat little-endian float32 vectors, `count * dimensions` values in chunk order. */
export function encodeVectors(vectors: Float32Array[], dimensions: number): Uint8Array {
  const flat = new Float32Array(vectors.length * dimensions);
  vectors.forEach((v, i) => flat.set(v, i * dimensions));
  return new Uint8Array(flat.buffer);
}

export function decodeVectors(bytes: Uint8Array, dimensions: number, count: number): Float32Array {
  if (bytes.byteLength !== dimensions * count * 4) {
    throw new AppError('INDEX_CORRUPT', `The vector file holds ${bytes.byteLength} bytes, expected ${dimensions * count * 4}; run "sourcier index --rebuild".`);
  }
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
