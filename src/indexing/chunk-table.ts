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
  // A stored chunk's spans are read from its table (its `sentences` would make an object per span and keep them).
  const sentenceCount = chunks.reduce((n, c) => n + (c instanceof StoredChunk ? c.sentenceCount : c.sentences.length), 0);
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
    if (chunk instanceof StoredChunk) {
      // Spans copied from the chunk's own table, without making its span objects.
      const count = chunk.copySentences(ints, s);
      ints[c++] = count;
      s += count * 2;
      sentence += count;
      continue;
    }
    ints[c++] = chunk.sentences.length;
    for (const span of chunk.sentences) {
      ints[s++] = span.start;
      ints[s++] = span.end;
      sentence++;
    }
  }
  return new Uint8Array(ints.buffer);
}

/**
 * Packs chunks into table records as they are made (the layout of the chunk table, in growable arrays), and gives
 * back for each one the chunk that reads its fields from there. A build holds every chunk of the corpus until the
 * end; as objects (id, text slice, an array of span objects) 285k chunks took about 130 MB of heap, packed about 35.
 */
export class ChunkPacker {
  readonly #table: ChunkTable;
  #chunks = 0;
  #sentences = 0;

  /** `articles`: the articles the chunks' article indexes refer to (read when a chunk's text or id is asked for). */
  constructor(articles: Article[]) {
    this.#table = { chunkInts: new Int32Array(1024 * CHUNK_INTS), chunkBase: 0, sentenceInts: new Int32Array(8192), sentenceBase: 0, articles };
  }

  /** Packs `chunk`, a chunk of `articles[articleIndex]`, and returns its packed equivalent. */
  add(chunk: Chunk, articleIndex: number): Chunk {
    const table = this.#table;
    const count = chunk.sentences.length;
    if ((this.#chunks + 1) * CHUNK_INTS > table.chunkInts.length) table.chunkInts = grown(table.chunkInts, (this.#chunks + 1) * CHUNK_INTS);
    if ((this.#sentences + count) * 2 > table.sentenceInts.length) table.sentenceInts = grown(table.sentenceInts, (this.#sentences + count) * 2);
    const ints = table.chunkInts;
    const at = this.#chunks * CHUNK_INTS;
    ints[at] = articleIndex;
    ints[at + 1] = chunk.ordinal;
    ints[at + 2] = chunk.start;
    ints[at + 3] = chunk.end;
    ints[at + 4] = chunk.tokens;
    ints[at + 5] = this.#sentences;
    ints[at + 6] = count;
    let s = this.#sentences * 2;
    for (const span of chunk.sentences) {
      table.sentenceInts[s++] = span.start;
      table.sentenceInts[s++] = span.end;
    }
    this.#sentences += count;
    return new StoredChunk(table, this.#chunks++);
  }
}

/** A copy of `ints` with room for at least `needed` values (twice as many as now, or more). */
function grown(ints: Int32Array, needed: number): Int32Array {
  const next = new Int32Array(Math.max(needed, ints.length * 2));
  next.set(ints);
  return next;
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
  for (let i = 0, c = 4; i < chunkCount; i++, c += CHUNK_INTS) {
    const article = articles[ints[c]!];
    const start = ints[c + 2]!;
    const end = ints[c + 3]!;
    const first = ints[c + 5]!;
    const count = ints[c + 6]!;
    if (!article || start < 0 || end > article.text.length || start > end || first < 0 || count < 0 || first + count > sentenceCount) {
      throw corrupt(`chunk ${i} is out of range`);
    }
  }
  const table: ChunkTable = { chunkInts: ints, chunkBase: 4, sentenceInts: ints, sentenceBase: 4 + chunkCount * CHUNK_INTS, articles };
  const chunks: Chunk[] = new Array(chunkCount);
  for (let i = 0; i < chunkCount; i++) chunks[i] = new StoredChunk(table, i);
  return chunks;
}

/** Where {@link StoredChunk}s read their fields: a loaded table (both arrays the file's), or a {@link ChunkPacker}'s. */
interface ChunkTable {
  /** Chunk records (CHUNK_INTS each) from `chunkBase`. Replaced by a larger copy while a packer grows it. */
  chunkInts: Int32Array;
  chunkBase: number;
  /** Sentence spans (start, end) from `sentenceBase`. */
  sentenceInts: Int32Array;
  sentenceBase: number;
  articles: Article[];
}

/**
 * A chunk of a loaded table: a position in the table's integers, every field read from them on use, `text` sliced
 * from the article and `sentences` made on first use. Opening 285k chunks then costs one two-field object each
 * (about 10 ms) instead of an object with its id, text slice, array and span objects (several hundred ms with the
 * garbage collection they bring), most of which a question never reads. `toJSON` gives the plain `Chunk`.
 */
class StoredChunk implements Chunk {
  readonly #table: ChunkTable;
  /** Index of the chunk's first integer in the table's chunk records. */
  readonly #at: number;
  #sentences: Span[] | undefined = undefined;

  constructor(table: ChunkTable, key: number) {
    this.#table = table;
    this.#at = table.chunkBase + key * CHUNK_INTS;
  }

  get id(): string {
    return `${this.articleId}#${this.ordinal}`;
  }

  get articleId(): string {
    return this.#table.articles[this.#table.chunkInts[this.#at]!]!.id;
  }

  get ordinal(): number {
    return this.#table.chunkInts[this.#at + 1]!;
  }

  get start(): number {
    return this.#table.chunkInts[this.#at + 2]!;
  }

  get end(): number {
    return this.#table.chunkInts[this.#at + 3]!;
  }

  get tokens(): number {
    return this.#table.chunkInts[this.#at + 4]!;
  }

  get text(): string {
    const { chunkInts: ints, articles } = this.#table;
    return articles[ints[this.#at]!]!.text.slice(ints[this.#at + 2]!, ints[this.#at + 3]!);
  }

  get sentences(): Span[] {
    if (!this.#sentences) {
      const { chunkInts, sentenceInts, sentenceBase } = this.#table;
      const count = chunkInts[this.#at + 6]!;
      const spans: Span[] = new Array(count);
      for (let k = 0, at = sentenceBase + chunkInts[this.#at + 5]! * 2; k < count; k++, at += 2) spans[k] = { start: sentenceInts[at]!, end: sentenceInts[at + 1]! };
      this.#sentences = spans;
    }
    return this.#sentences;
  }

  get sentenceCount(): number {
    return this.#table.chunkInts[this.#at + 6]!;
  }

  /** Writes the sentence spans (start, end) into `into` from `at`; returns how many. */
  copySentences(into: Int32Array, at: number): number {
    const { chunkInts, sentenceInts, sentenceBase } = this.#table;
    const count = chunkInts[this.#at + 6]!;
    const from = sentenceBase + chunkInts[this.#at + 5]! * 2;
    into.set(sentenceInts.subarray(from, from + count * 2), at);
    return count;
  }

  toJSON(): Chunk {
    const { id, articleId, ordinal, start, end, text, sentences, tokens } = this;
    return { id, articleId, ordinal, start, end, text, sentences, tokens };
  }
}

/**
 * The vector file: flat little-endian float32 vectors, `count * dimensions` values in chunk order (the build writes
 * its vector table's bytes as they are).
 */
export function decodeVectors(bytes: Uint8Array, dimensions: number, count: number): Float32Array {
  if (bytes.byteLength !== dimensions * count * 4) {
    throw new AppError('INDEX_CORRUPT', `The vector file holds ${bytes.byteLength} bytes, expected ${dimensions * count * 4}; run "sourcier index --rebuild".`);
  }
  // A view on the file's bytes when they are aligned (a whole-file read is), else a copy.
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  return new Float32Array(bytes.buffer, bytes.byteOffset, dimensions * count);
}
