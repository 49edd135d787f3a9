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
  // Int32 views need 4-byte alignment; a Buffer from a pool may not have it. The view keeps the file's bytes alive:
  // sentence spans are read from it on first use.
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (ints[0] !== MAGIC || ints[1] !== VERSION) throw corrupt('bad header');
  const chunkCount = ints[2]!;
  const sentenceCount = ints[3]!;
  if (chunkCount < 0 || sentenceCount < 0 || ints.length !== 4 + chunkCount * CHUNK_INTS + sentenceCount * 2) {
    throw corrupt('counts do not match the file size');
  }
  const table: SentenceTable = { ints, base: 4 + chunkCount * CHUNK_INTS };
  const chunks: Chunk[] = new Array(chunkCount);
  for (let i = 0, c = 4; i < chunkCount; i++, c += CHUNK_INTS) {
    const article = articles[ints[c]!];
    const start = ints[c + 2]!;
    const end = ints[c + 3]!;
    const first = ints[c + 5]!;
    const count = ints[c + 6]!;
    if (!article || start < 0 || end > article.text.length || start > end || first < 0 || count < 0 || first + count > sentenceCount) {
      throw corrupt(`chunk ${i} is out of range`);
    }
    chunks[i] = new StoredChunk(article, ints[c + 1]!, start, end, ints[c + 4]!, table, first, count);
  }
  return chunks;
}

interface SentenceTable {
  ints: Int32Array;
  /** Index in `ints` of the first sentence span. */
  base: number;
}

/**
 * A chunk of a loaded table. `text` and `sentences` are made on first use (from the article text and the table):
 * opening 285k chunks then costs one small object each instead of a text slice, an array and a span object per
 * sentence, which most chunks never need. `toJSON` gives the plain `Chunk`.
 */
class StoredChunk implements Chunk {
  readonly id: string;
  readonly articleId: string;
  #article: Article;
  #table: SentenceTable;
  #first: number;
  #count: number;
  #sentences: Span[] | undefined;

  constructor(
    article: Article,
    readonly ordinal: number,
    readonly start: number,
    readonly end: number,
    readonly tokens: number,
    table: SentenceTable,
    first: number,
    count: number,
  ) {
    this.id = `${article.id}#${ordinal}`;
    this.articleId = article.id;
    this.#article = article;
    this.#table = table;
    this.#first = first;
    this.#count = count;
  }

  get text(): string {
    return this.#article.text.slice(this.start, this.end);
  }

  get sentences(): Span[] {
    if (!this.#sentences) {
      const { ints, base } = this.#table;
      const spans: Span[] = new Array(this.#count);
      for (let k = 0, at = base + this.#first * 2; k < this.#count; k++, at += 2) spans[k] = { start: ints[at]!, end: ints[at + 1]! };
      this.#sentences = spans;
    }
    return this.#sentences;
  }

  toJSON(): Chunk {
    const { id, articleId, ordinal, start, end, text, sentences, tokens } = this;
    return { id, articleId, ordinal, start, end, text, sentences, tokens };
  }
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
