import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';
import { HNSW_HEADER_BYTES, parseHnswHeader } from '../../src/vector-index/check-hnsw-file.js';
import { clusteredVectors, row } from './vectors.js';
import { rng } from '../helpers/seeded-random.js';
import { codeOf } from '../helpers/error-code.js';

const DIM = 16;
const N = 600;
const data = clusteredVectors(N, DIM, 7);
const queries = clusteredVectors(30, DIM, 8);
let dir: string;
let file: string;
let original: Buffer;

function build(n = N, options = {}): HnswVectorIndex {
  const index = HnswVectorIndex.create(DIM, n, options);
  for (let i = 0; i < n; i++) index.add(i, row(data, DIM, i));
  return index;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-hnsw-'));
  file = join(dir, 'vectors.hnsw');
  await build().writeTo(file);
  original = await readFile(file);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HnswVectorIndex', () => {
  it('returns cosine similarity, best first, with a stored vector as its own best match', () => {
    const index = build();
    const hits = index.search(row(data, DIM, 42), 5);
    expect(hits).toHaveLength(5);
    expect(hits[0]!.key).toBe(42);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    const exact = exactSearch(data, DIM, row(data, DIM, 42), 5);
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 5));
  });

  it('writes the same file when released once written, and is empty and refuses to be used afterwards', async () => {
    const index = build();
    const path = join(dir, 'released.hnsw');
    await index.writeTo(path, { release: true });
    expect(await readFile(path)).toEqual(original);
    expect(index.size).toBe(0);
    expect(await codeOf(Promise.resolve().then(() => index.search(row(data, DIM, 1), 3)))).toBe('INTERNAL');
    expect(await codeOf(Promise.resolve().then(() => index.add(N, row(data, DIM, 1))))).toBe('INTERNAL');
    expect(await codeOf(index.writeTo(path))).toBe('INTERNAL');
    const kept = build();
    await kept.writeTo(join(dir, 'kept.hnsw'));
    expect(kept.size).toBe(N);
    expect(kept.search(row(data, DIM, 42), 1)[0]!.key).toBe(42);
  });

  it('finds the same neighbours after a write and a read into a fresh object, with efSearch restored', async () => {
    const built = build(N, { efSearch: 48 });
    const path = join(dir, 'round-trip.hnsw');
    await built.writeTo(path);
    const loaded = await HnswVectorIndex.readFrom(path, DIM, N, { efSearch: 48 });
    expect(loaded.size).toBe(N);
    expect(loaded.dimensions).toBe(DIM);
    // hnswlib resets ef to 10 on load; the adapter must set it again.
    expect(loaded.efSearch).toBe(48);
    for (let q = 0; q < 30; q++) {
      const query = row(queries, DIM, q);
      expect(loaded.search(query, 10).map((h) => h.key)).toEqual(built.search(query, 10).map((h) => h.key));
    }
    expect((await HnswVectorIndex.readFrom(path, DIM, N)).efSearch).toBe(256);
  });

  it('loads a file whose checksum the caller verified with a header check only, and still refuses a wrong header', async () => {
    const vectorOf = (key: number) => row(data, DIM, key);
    const loaded = await HnswVectorIndex.readFrom(file, DIM, N, { vectorOf, checksumVerified: true });
    const full = await HnswVectorIndex.readFrom(file, DIM, N, { vectorOf });
    for (let q = 0; q < 10; q++) {
      const query = row(queries, DIM, q);
      expect(loaded.search(query, 10)).toEqual(full.search(query, 10));
    }
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM, N + 1, { vectorOf, checksumVerified: true }))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM + 1, N, { vectorOf, checksumVerified: true }))).toBe('INDEX_CORRUPT');
    const huge = Buffer.from(original);
    huge.writeBigUInt64LE(1n << 40n, 8); // max_elements: hnswlib would try to allocate it
    const hugePath = join(dir, 'huge-capacity.hnsw');
    await writeFile(hugePath, huge);
    expect(await codeOf(HnswVectorIndex.readFrom(hugePath, DIM, N, { vectorOf, checksumVerified: true }))).toBe('INDEX_CORRUPT');
    const cut = join(dir, 'cut.hnsw');
    await writeFile(cut, original.subarray(0, original.length >> 1));
    expect(await codeOf(HnswVectorIndex.readFrom(cut, DIM, N, { vectorOf, checksumVerified: true }))).toBe('INDEX_CORRUPT');
  });

  it('reaches recall@10 of at least 0.98 against exact search with the defaults', () => {
    const index = build();
    let found = 0;
    for (let q = 0; q < 30; q++) {
      const truth = new Set(exactSearch(data, DIM, row(queries, DIM, q), 10).map((h) => h.key));
      for (const h of index.search(row(queries, DIM, q), 10)) if (truth.has(h.key)) found++;
    }
    expect(found / 300).toBeGreaterThanOrEqual(0.98);
  });

  it('grows past its initial capacity and can be written afterwards', async () => {
    const index = HnswVectorIndex.create(DIM, 4);
    for (let i = 0; i < 50; i++) index.add(i, row(data, DIM, i));
    expect(index.size).toBe(50);
    const path = join(dir, 'grown.hnsw');
    await index.writeTo(path);
    expect((await HnswVectorIndex.readFrom(path, DIM, 50)).size).toBe(50);
    index.add(50, row(data, DIM, 50));
    expect(index.size).toBe(51);
  });

  it('round-trips an empty index and answers nothing from it', async () => {
    const path = join(dir, 'empty.hnsw');
    await HnswVectorIndex.create(DIM, 10).writeTo(path);
    const loaded = await HnswVectorIndex.readFrom(path, DIM, 0);
    expect(loaded.size).toBe(0);
    expect(loaded.search(row(data, DIM, 0), 5)).toEqual([]);
  });

  it('answers a very selective filter exactly over the allowed keys', () => {
    const index = build();
    const allowed = new Set([3, 77, 150, 151, 420, 599]);
    for (let q = 0; q < 10; q++) {
      const query = row(queries, DIM, q);
      const hits = index.search(query, 10, (key) => allowed.has(key));
      const exact = exactSearch(data, DIM, query, 10, (key) => allowed.has(key));
      expect(hits.map((h) => h.key)).toEqual(exact.map((h) => h.key));
      expect(hits).toHaveLength(6);
    }
  });

  it('answers a selective filter exactly on a loaded index, also after more vectors are added', async () => {
    const loaded = await HnswVectorIndex.readFrom(file, DIM, N);
    const allowed = (key: number) => key % 97 === 5 || key === N;
    const query = row(queries, DIM, 3);
    expect(loaded.search(query, 4, allowed).map((h) => h.key)).toEqual(exactSearch(data, DIM, query, 4, allowed).map((h) => h.key));
    // A vector added after loading must be found too (the vectors kept from the file no longer cover every key).
    loaded.add(N, query);
    const hits = loaded.search(query, 4, allowed);
    expect(hits[0]).toMatchObject({ key: N });
    expect(hits[0]!.score).toBeCloseTo(1, 5);
  });

  it('keeps filtered results complete on the HNSW path, whatever the share of keys the filter lets through', () => {
    const n = 3000;
    const big = clusteredVectors(n, DIM, 11);
    // No exact shortcut: every filtered search walks the graph, falling back to exact only when it finds too few.
    const index = HnswVectorIndex.create(DIM, n, { exactFilterFraction: 0, exactFilterBudget: 0 });
    for (let i = 0; i < n; i++) index.add(i, row(big, DIM, i));
    for (const every of [2, 13, 40, 500, 2999]) {
      const filter = (key: number) => key % every === 1;
      for (let q = 0; q < 5; q++) {
        const query = row(queries, DIM, q);
        const hits = index.search(query, 10, filter);
        const exact = exactSearch(big, DIM, query, 10, filter);
        expect(hits.length, `1/${every}`).toBe(exact.length);
        expect(hits.every((h) => filter(h.key))).toBe(true);
        const truth = new Set(exact.map((h) => h.key));
        expect(hits.filter((h) => truth.has(h.key)).length, `1/${every}`).toBeGreaterThanOrEqual(exact.length - 1);
      }
    }
  });

  it('uses the vectors the application passes for exact filtered search', async () => {
    const calls: number[] = [];
    const loaded = await HnswVectorIndex.readFrom(file, DIM, N, {
      vectorOf: (key) => {
        calls.push(key);
        return row(data, DIM, key);
      },
    });
    const hits = loaded.search(row(queries, DIM, 0), 3, (key) => key < 5);
    expect(calls.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(hits.map((h) => h.key)).toEqual(exactSearch(data, DIM, row(queries, DIM, 0), 3, (key) => key < 5).map((h) => h.key));
  });

  it('returns only allowed keys, k of them, under a broad filter', () => {
    const index = build();
    for (let q = 0; q < 10; q++) {
      const query = row(queries, DIM, q);
      const hits = index.search(query, 10, (key) => key % 3 === 0);
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => h.key % 3 === 0)).toBe(true);
      const truth = new Set(exactSearch(data, DIM, query, 10, (key) => key % 3 === 0).map((h) => h.key));
      expect(hits.filter((h) => truth.has(h.key)).length).toBeGreaterThanOrEqual(9);
    }
  });

  it('survives a filter that throws, leaving out the keys it threw on', () => {
    const index = build();
    const query = row(data, DIM, 10);
    const hits = index.search(query, 10, (key) => {
      if (key % 2 === 0) throw new Error('filter bug');
      return true;
    });
    expect(hits.length).toBe(10);
    expect(hits.every((h) => h.key % 2 === 1)).toBe(true);
    expect(index.search(query, 10, () => {
      throw new Error('always');
    })).toEqual([]);
  });

  it('caps k at the number of vectors instead of failing', () => {
    const index = build(20);
    expect(index.search(row(data, DIM, 0), 100)).toHaveLength(20);
    expect(index.search(row(data, DIM, 0), 0)).toEqual([]);
  });

  it('refuses a vector of the wrong dimension with a coded error', () => {
    const index = build(10);
    expect(() => index.add(11, new Float32Array(DIM + 1))).toThrowError(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => index.search(new Float32Array(3), 1)).toThrowError(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('reports a write into a missing folder as INDEX_WRITE_FAILED', async () => {
    expect(await codeOf(build(10).writeTo(join(dir, 'no', 'such', 'folder', 'v.hnsw')))).toBe('INDEX_WRITE_FAILED');
  });
});

describe('HnswVectorIndex.readFrom on damaged files', () => {
  const damaged = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  it('rejects a missing, empty, truncated or zeroed file with INDEX_CORRUPT', async () => {
    expect(await codeOf(HnswVectorIndex.readFrom(join(dir, 'absent.hnsw'), DIM, N))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(await damaged('empty.bin', new Uint8Array()), DIM, N))).toBe('INDEX_CORRUPT');
    for (const cut of [10, HNSW_HEADER_BYTES, 5000, original.length - 100, original.length - 1]) {
      const path = await damaged(`cut-${cut}.bin`, original.subarray(0, cut));
      expect(await codeOf(HnswVectorIndex.readFrom(path, DIM, N)), `cut at ${cut}`).toBe('INDEX_CORRUPT');
    }
    expect(await codeOf(HnswVectorIndex.readFrom(await damaged('zero.bin', new Uint8Array(original.length)), DIM, N))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(await damaged('long.bin', Buffer.concat([original, Buffer.alloc(8)])), DIM, N))).toBe('INDEX_CORRUPT');
  });

  it('rejects a file of another dimension or count', async () => {
    expect(await codeOf(HnswVectorIndex.readFrom(file, 32, N))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM, N - 1))).toBe('INDEX_CORRUPT');
  });

  it('rejects crafted headers with absurd sizes before hnswlib allocates anything', async () => {
    const craft = async (name: string, edit: (view: DataView) => void) => {
      const bytes = Buffer.from(original);
      edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.length));
      return HnswVectorIndex.readFrom(await damaged(name, bytes), DIM, N);
    };
    expect(await codeOf(craft('max.bin', (v) => v.setBigUint64(8, 1n << 50n, true)))).toBe('INDEX_CORRUPT');
    expect(await codeOf(craft('huge-max.bin', (v) => v.setBigUint64(8, 0xffffffffffffffffn, true)))).toBe('INDEX_CORRUPT');
    expect(await codeOf(craft('size.bin', (v) => v.setBigUint64(24, 1n << 40n, true)))).toBe('INDEX_CORRUPT');
    expect(await codeOf(craft('m.bin', (v) => v.setBigUint64(72, 1n << 33n, true)))).toBe('INDEX_CORRUPT');
    expect(await codeOf(craft('level.bin', (v) => v.setInt32(48, 1_000_000, true)))).toBe('INDEX_CORRUPT');
    expect(await codeOf(craft('entry.bin', (v) => v.setUint32(52, N + 5, true)))).toBe('INDEX_CORRUPT');
    // A neighbour id pointing outside the index (hnswlib would read out of bounds).
    expect(await codeOf(craft('link.bin', (v) => {
      v.setUint16(HNSW_HEADER_BYTES, 1, true);
      v.setUint32(HNSW_HEADER_BYTES + 4, 1_000_000, true);
    }))).toBe('INDEX_CORRUPT');
  });

  it('catches every single-bit flip in the header, or loads an index that still answers correctly', async () => {
    const header = parseHnswHeader(original)!;
    expect(header.count).toBe(N);
    expect(header.dimensions).toBe(DIM);
    let rejected = 0;
    for (let bit = 0; bit < HNSW_HEADER_BYTES * 8; bit++) {
      const bytes = Buffer.from(original);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      const path = await damaged('flip-header.bin', bytes);
      const result = await HnswVectorIndex.readFrom(path, DIM, N).then(
        (index) => index,
        (error: unknown) => error,
      );
      if (result instanceof HnswVectorIndex) {
        expectSaneAnswers(result, `header bit ${bit}`);
      } else {
        expect(isAppError(result, 'INDEX_CORRUPT'), `header bit ${bit}: ${String(result)}`).toBe(true);
        rejected++;
      }
    }
    // Only fields hnswlib ignores when searching (efConstruction, spare capacity, low bits of the level multiplier) may pass.
    expect(rejected).toBeGreaterThan(HNSW_HEADER_BYTES * 8 * 0.8);
  });

  it('never crashes on random bit flips anywhere in the file', async () => {
    const r = rng(99);
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(original);
      const bit = Math.floor(r() * bytes.length * 8);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      const path = await damaged('flip-body.bin', bytes);
      const result = await HnswVectorIndex.readFrom(path, DIM, N).then(
        (index) => index,
        (error: unknown) => error,
      );
      if (result instanceof HnswVectorIndex) expect(result.search(row(queries, DIM, 0), 10).length, `bit ${bit}`).toBe(10);
      else expect(isAppError(result, 'INDEX_CORRUPT'), `bit ${bit}: ${String(result)}`).toBe(true);
    }
    expect((await stat(file)).size).toBe(original.length);
  });
});

function expectSaneAnswers(index: HnswVectorIndex, label: string): void {
  expect(index.size, label).toBe(N);
  let found = 0;
  for (let q = 0; q < 5; q++) {
    const query = row(queries, DIM, q);
    const truth = new Set(exactSearch(data, DIM, query, 10).map((h) => h.key));
    for (const h of index.search(query, 10)) if (truth.has(h.key)) found++;
  }
  expect(found / 50, label).toBeGreaterThanOrEqual(0.9);
}
