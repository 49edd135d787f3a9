import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { DELETED_KEY_BASE, HNSW_HEADER_BYTES, parseHnswHeader, type HnswFileHeader } from '../../src/vector-index/check-hnsw-file.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';
import { rng } from '../helpers/seeded-random.js';
import { simulateChange, type SimulatedChange } from '../indexing/key-change.js';
import { clusteredVectors, row } from './vectors.js';
import { codeOf } from '../helpers/error-code.js';

const DIM = 16;
const N = 500;
const data = clusteredVectors(N, DIM, 41);
const extra = clusteredVectors(30, DIM, 42);
let dir: string;
let previous: string;
let updated: string;
let bytes: Buffer;
let header: HnswFileHeader;
let c: SimulatedChange;

/** Byte offset of element `id`'s record in level 0. */
const recordAt = (id: number) => HNSW_HEADER_BYTES + id * header.sizeDataPerElement;
const labelOf = (buf: Buffer, id: number) => Number(buf.readBigUInt64LE(recordAt(id) + header.labelOffset));
const isDeleted = (buf: Buffer, id: number) => (buf[recordAt(id) + 2]! & 1) === 1;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-hnsw-deleted-'));
  previous = join(dir, 'previous.hnsw');
  const index = HnswVectorIndex.create(DIM, N);
  for (let k = 0; k < N; k++) index.add(k, row(data, DIM, k));
  await index.writeTo(previous);
  // 10 new vectors for about 25 gone: deleted elements stay in the file.
  c = simulateChange(data, DIM, { seed: 3, goneShare: 0.05, added: 10, newVector: (i) => row(extra, DIM, i) });
  updated = join(dir, 'updated.hnsw');
  const result = await HnswVectorIndex.updateFile(previous, updated, DIM, c);
  expect(result.deleted).toBe(c.gone.length);
  bytes = await readFile(updated);
  header = parseHnswHeader(bytes)!;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an index file with deleted elements', () => {
  it('marks every gone vector deleted under a key no live vector can have', () => {
    expect(header.count).toBe(N + 10);
    const live: number[] = [];
    let deleted = 0;
    for (let id = 0; id < header.count; id++) {
      const label = labelOf(bytes, id);
      if (isDeleted(bytes, id)) {
        expect(label).toBeGreaterThanOrEqual(DELETED_KEY_BASE);
        deleted++;
      } else live.push(label);
    }
    expect(deleted).toBe(c.gone.length);
    expect(live.sort((a, b) => a - b)).toEqual(Array.from({ length: c.size }, (_, k) => k));
  });

  it('keeps counting live vectors only when vectors are added after loading, and writes and reads back so', async () => {
    const loaded = await HnswVectorIndex.readFrom(updated, DIM, c.size);
    const v = row(extra, DIM, 20);
    loaded.add(c.size, v);
    expect(loaded.size).toBe(c.size + 1);
    const file = join(dir, 'grown.hnsw');
    await loaded.writeTo(file);
    const again = await HnswVectorIndex.readFrom(file, DIM, c.size + 1);
    expect(again.size).toBe(c.size + 1);
    expect(again.search(v, 1)[0]!.key).toBe(c.size);
    const filter = (key: number) => key % 40 === 1 || key === c.size;
    const table = new Float32Array((c.size + 1) * DIM);
    table.set(c.vectors);
    table.set(v, c.size * DIM);
    expect(again.search(v, 4, filter).map((h) => h.key)).toEqual(exactSearch(table, DIM, v, 4, filter).map((h) => h.key));
  });

  describe('with damaged keys or marks', () => {
    const firstLive = () => {
      let id = 0;
      while (isDeleted(bytes, id)) id++;
      return id;
    };
    const firstDeleted = () => {
      let id = 0;
      while (!isDeleted(bytes, id)) id++;
      return id;
    };
    const damage = async (name: string, edit: (buf: Buffer) => void) => {
      const buf = Buffer.from(bytes);
      edit(buf);
      const path = join(dir, name);
      await writeFile(path, buf);
      return path;
    };
    const setLabel = (buf: Buffer, id: number, label: number) => buf.writeBigUInt64LE(BigInt(label), recordAt(id) + header.labelOffset);
    const vectorOf = (key: number) => row(c.vectors, DIM, key);

    it('refuses a live key given twice or beyond the live count, link by link and by header alone', async () => {
      const a = firstLive();
      let b = a + 1;
      while (isDeleted(bytes, b)) b++;
      const twice = await damage('twice.hnsw', (buf) => setLabel(buf, a, labelOf(buf, b)));
      const beyond = await damage('beyond.hnsw', (buf) => setLabel(buf, a, c.size));
      const revived = await damage('revived.hnsw', (buf) => setLabel(buf, firstDeleted(), c.size));
      for (const path of [twice, beyond, revived]) {
        expect(await codeOf(HnswVectorIndex.readFrom(path, DIM, c.size)), path).toBe('INDEX_CORRUPT');
        expect(await codeOf(HnswVectorIndex.readFrom(path, DIM, c.size, { vectorOf, checksumVerified: true })), path).toBe('INDEX_CORRUPT');
      }
    });

    it('refuses a deletion mark that does not match the key', async () => {
      const unmarked = await damage('unmarked.hnsw', (buf) => void (buf[recordAt(firstDeleted()) + 2] = 0));
      const marked = await damage('marked.hnsw', (buf) => void (buf[recordAt(firstLive()) + 2] = 1));
      const oddFlags = await damage('flags.hnsw', (buf) => void (buf[recordAt(firstLive()) + 2] = 4));
      for (const path of [unmarked, marked, oddFlags]) expect(await codeOf(HnswVectorIndex.readFrom(path, DIM, c.size)), path).toBe('INDEX_CORRUPT');
    });

    it('refuses to update from a previous file whose keys are damaged, even when only its header is checked', async () => {
      const base = await readFile(previous);
      const twice = join(dir, 'previous-twice.hnsw');
      const buf = Buffer.from(base);
      buf.writeBigUInt64LE(1n, HNSW_HEADER_BYTES + header.labelOffset);
      await writeFile(twice, buf);
      for (const checksumVerified of [false, true]) {
        expect(await codeOf(HnswVectorIndex.updateFile(twice, join(dir, 'from-twice.hnsw'), DIM, c, { checksumVerified }))).toBe('INDEX_CORRUPT');
      }
    });

    it('never crashes on random bit flips', async () => {
      const r = rng(77);
      for (let i = 0; i < 120; i++) {
        const bit = Math.floor(r() * bytes.length * 8);
        const path = await damage('flip.hnsw', (buf) => void (buf[bit >> 3]! ^= 1 << (bit & 7)));
        const result = await HnswVectorIndex.readFrom(path, DIM, c.size).then(
          (index) => index,
          (error: unknown) => error,
        );
        if (result instanceof HnswVectorIndex) {
          for (const h of result.search(row(data, DIM, c.gone[0]!), 10)) expect(h.key, `bit ${bit}`).toBeLessThan(c.size);
        } else expect(isAppError(result, 'INDEX_CORRUPT'), `bit ${bit}: ${String(result)}`).toBe(true);
      }
    });
  });
});
