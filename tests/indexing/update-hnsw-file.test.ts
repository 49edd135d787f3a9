import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { updateHnswFile, type HnswUpdateOptions } from '../../src/indexing/update-hnsw-file.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';
import { rng } from '../helpers/seeded-random.js';
import { clusteredVectors, row } from '../vector-index/vectors.js';
import { near, simulateChange, type SimulatedChange } from './key-change.js';
import { codeOf } from '../helpers/error-code.js';

const DIM = 16;
const N = 1200;
const data = clusteredVectors(N, DIM, 21);
const queries = clusteredVectors(40, DIM, 22);
let dir: string;
let previous: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-hnsw-update-'));
  previous = await writeFresh(data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nextFile = () => join(dir, `v${fileCount++}.hnsw`);

/** A graph built from scratch over `vectors` (row k = key k), written to a new file. */
async function writeFresh(vectors: Float32Array): Promise<string> {
  const n = vectors.length / DIM;
  const index = HnswVectorIndex.create(DIM, n);
  for (let k = 0; k < n; k++) index.add(k, row(vectors, DIM, k));
  const file = nextFile();
  await index.writeTo(file);
  return file;
}

/** A change of `from`: `goneShare` of the keys gone, `added` new vectors near random kept ones (re-chunked text). */
function change(from: Float32Array, seed: number, goneShare: number, added: number): SimulatedChange {
  const r = rng(seed + 1000);
  const n = from.length / DIM;
  return simulateChange(from, DIM, { seed, goneShare, added, newVector: () => near(row(from, DIM, Math.floor(r() * n)), 0.1, r) });
}

function options(c: SimulatedChange, extra: Partial<HnswUpdateOptions> = {}): HnswUpdateOptions {
  return { dimensions: DIM, ...c, vectorOf: (key) => row(c.vectors, DIM, key), ...extra };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += a[d]! * b[d]!;
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

/** Every answer names a live key whose vector is the one that was scored: labels were moved with their vectors. */
function expectHonestHits(hits: Array<{ key: number; score: number }>, query: Float32Array, c: SimulatedChange, label: string): void {
  for (const h of hits) {
    expect(Number.isInteger(h.key) && h.key >= 0 && h.key < c.size, `${label}: key ${h.key}`).toBe(true);
    expect(h.score, `${label}: key ${h.key}`).toBeCloseTo(cosine(query, row(c.vectors, DIM, h.key)), 4);
  }
}

/** recall@10 against exact search over `vectors` for the query rows of `probes` (a hit at the 10th score counts). */
function recallAt(index: HnswVectorIndex, vectors: Float32Array, probes: Float32Array): number {
  const count = probes.length / DIM;
  let found = 0;
  for (let q = 0; q < count; q++) {
    const query = row(probes, DIM, q);
    const truth = exactSearch(vectors, DIM, query, 10);
    const want = new Set(truth.map((h) => h.key));
    const floor = truth[9]!.score - 1e-6;
    found += index.search(query, 10).filter((h) => want.has(h.key) || h.score >= floor).length;
  }
  return found / (count * 10);
}

describe('updateHnswFile', () => {
  it.each([false, true])('serves the changed set after an update (reuseDeleted: %s), in both check modes', async (reuseDeleted) => {
    const c = change(data, 5, 0.03, 40);
    expect(c.gone.length).toBeGreaterThan(20);
    const file = nextFile();
    const result = await updateHnswFile(previous, file, options(c, { reuseDeleted }));
    expect(result.mode).toBe('incremental');
    expect(result.deleted).toBe(reuseDeleted ? Math.max(0, c.gone.length - 40) : c.gone.length);
    expect(result.elements).toBe(c.size + result.deleted);

    const vectorOf = (key: number) => row(c.vectors, DIM, key);
    for (const loaded of [
      await HnswVectorIndex.readFrom(file, DIM, c.size),
      await HnswVectorIndex.readFrom(file, DIM, c.size, { vectorOf, checksumVerified: true }),
    ]) {
      expect(loaded.size).toBe(c.size);
      // Every key, kept or new, finds its own vector first.
      for (let k = 0; k < c.size; k++) expect(loaded.search(row(c.vectors, DIM, k), 1)[0]!.key, `key ${k}`).toBe(k);
      // Querying with the gone vectors: only live keys come back, scored on their own vectors.
      for (const g of c.gone) {
        const query = row(data, DIM, g);
        expectHonestHits(loaded.search(query, 10), query, c, `plain, gone ${g}`);
        expectHonestHits(loaded.search(query, 10, (key) => key % 2 === 0), query, c, `broad filter, gone ${g}`);
      }
      // The live keys, exactly, through a filtered search that lets everything pass.
      const all = loaded.search(row(queries, DIM, 0), c.size + 50, () => true);
      expect(all.map((h) => h.key).sort((a, b) => a - b)).toEqual(Array.from({ length: c.size }, (_, k) => k));
      // Exact filtered search (a very selective filter) reads live vectors only.
      for (let q = 0; q < 10; q++) {
        const query = row(queries, DIM, q);
        const filter = (key: number) => key % 61 === 7;
        expect(loaded.search(query, 5, filter)).toEqual(exactSearch(c.vectors, DIM, query, 5, filter).map((h) => ({ key: h.key, score: expect.closeTo(h.score, 5) })));
      }
    }
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM, c.size + 1))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM, c.size - 1))).toBe('INDEX_CORRUPT');
    expect(await codeOf(HnswVectorIndex.readFrom(file, DIM, c.size - 1, { vectorOf, checksumVerified: true }))).toBe('INDEX_CORRUPT');
  });

  it('keeps recall@10 against exact search at a fresh build\'s level (reusing deleted slots: a little below)', async () => {
    const n = 4000;
    const base = clusteredVectors(n, DIM, 31, 40);
    const from = await writeFresh(base);
    const c = change(base, 32, 0.04, 160);
    const probes = clusteredVectors(200, DIM, 33, 40);
    // A narrow search (efSearch 24) so that recall stays well below 1 and a worse graph shows.
    const recall = (index: HnswVectorIndex) => recallAt(index, c.vectors, probes);
    const fresh = recall(await HnswVectorIndex.readFrom(await writeFresh(c.vectors), DIM, c.size, { efSearch: 24 }));
    expect(fresh).toBeLessThan(0.97);
    const measured: Record<string, number> = {};
    for (const reuseDeleted of [false, true]) {
      const file = nextFile();
      expect((await updateHnswFile(from, file, options(c, { reuseDeleted }))).mode).toBe('incremental');
      measured[String(reuseDeleted)] = recall(await HnswVectorIndex.readFrom(file, DIM, c.size, { efSearch: 24 }));
    }
    // Appending leaves the graph as good as a fresh one; a replaced slot keeps its old level and rewired neighbours,
    // which costs a few points at this narrow search (none measurable at the shipped efSearch, BENCHMARKS.md).
    expect(measured.false, `fresh ${fresh}`).toBeGreaterThanOrEqual(fresh - 0.01);
    expect(measured.true, `fresh ${fresh}`).toBeGreaterThanOrEqual(fresh - 0.04);
  });

  it('chains updates until deleted elements would pass the threshold, then rebuilds the graph from every vector', async () => {
    let vectors = data;
    let file = previous;
    const modes: string[] = [];
    for (let round = 0; round < 8; round++) {
      const c = change(vectors, 100 + round, 0.06, 20);
      const next = nextFile();
      const result = await updateHnswFile(file, next, options(c, { maxDeletedFraction: 0.2 }));
      modes.push(result.mode);
      const loaded = await HnswVectorIndex.readFrom(next, DIM, c.size);
      expect(loaded.size).toBe(c.size);
      for (let k = 0; k < c.size; k += 7) expect(loaded.search(row(c.vectors, DIM, k), 1)[0]!.key).toBe(k);
      expect(result.deleted / result.elements).toBeLessThanOrEqual(0.2);
      if (result.mode === 'full') {
        expect(result.reason).toMatch(/would be deleted/);
        expect(result.deleted).toBe(0);
      }
      vectors = c.vectors;
      file = next;
    }
    // About 6% gone a round: three rounds fit under 20%, a later one rebuilds, and updates go on from the new graph.
    const firstFull = modes.indexOf('full');
    expect(firstFull, modes.join()).toBeGreaterThanOrEqual(3);
    expect(modes[firstFull + 1], modes.join()).toBe('incremental');
  });

  it('does not grow the file when as many vectors come as go and deleted slots are reused', async () => {
    let vectors = data;
    let file = previous;
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const c0 = change(vectors, 200 + round, 0.03, 0);
      const c = change(vectors, 200 + round, 0.03, c0.gone.length);
      const next = nextFile();
      const result = await updateHnswFile(file, next, options(c, { reuseDeleted: true }));
      expect(result).toMatchObject({ mode: 'incremental', deleted: 0, elements: N });
      sizes.push((await stat(next)).size);
      const loaded = await HnswVectorIndex.readFrom(next, DIM, N);
      for (let k = 0; k < N; k += 5) expect(loaded.search(row(c.vectors, DIM, k), 1)[0]!.key).toBe(k);
      vectors = c.vectors;
      file = next;
    }
    // A replaced element keeps its slot and its level, so the file keeps its size exactly.
    const original = (await stat(previous)).size;
    expect(sizes).toEqual([original, original, original, original]);
  });

  it('writes the same file when the update runs on a worker thread, and falls back there too', async () => {
    const c = change(data, 11, 0.03, 40);
    const here = nextFile();
    const there = nextFile();
    expect((await updateHnswFile(previous, here, options(c))).mode).toBe('incremental');
    const lines: string[] = [];
    const threaded = await updateHnswFile(previous, there, options(c, { threaded: true, logger: createLogger('debug', (line) => lines.push(line)) }));
    expect(threaded.mode).toBe('incremental');
    expect(lines.join('\n')).not.toMatch(/unavailable/); // it did run on the worker
    expect((await readFile(there)).equals(await readFile(here))).toBe(true);
    // An unusable previous file is reported from the worker as such, and the graph is built from every vector.
    const bytes = await readFile(previous);
    const damaged = join(dir, 'damaged-for-worker.hnsw');
    await writeFile(damaged, bytes.subarray(0, bytes.length - 40));
    const rebuilt = await updateHnswFile(damaged, nextFile(), options(c, { threaded: true }));
    expect(rebuilt.mode).toBe('full');
  });

  it('checks only the header of a previous file whose checksum was verified, with the same result', async () => {
    const c = change(data, 7, 0.02, 30);
    const file = nextFile();
    expect((await updateHnswFile(previous, file, options(c, { checksumVerified: true }))).mode).toBe('incremental');
    const loaded = await HnswVectorIndex.readFrom(file, DIM, c.size);
    for (let k = 0; k < c.size; k += 3) expect(loaded.search(row(c.vectors, DIM, k), 1)[0]!.key).toBe(k);
  });

  it('builds from every vector when the previous file is damaged or does not match the change', async () => {
    const c = change(data, 9, 0.02, 30);
    const bytes = await readFile(previous);
    const damaged = join(dir, 'damaged.hnsw');
    await writeFile(damaged, bytes.subarray(0, bytes.length - 40));
    for (const from of [damaged, join(dir, 'absent.hnsw')]) {
      const file = nextFile();
      const result = await updateHnswFile(from, file, options(c));
      expect(result.mode).toBe('full');
      expect(result.reason).toBeTruthy();
      const loaded = await HnswVectorIndex.readFrom(file, DIM, c.size);
      for (let k = 0; k < c.size; k += 3) expect(loaded.search(row(c.vectors, DIM, k), 1)[0]!.key).toBe(k);
    }
    // A key map for another previous index (one key too many).
    const other = change(clusteredVectors(N + 1, DIM, 3), 9, 0.02, 30);
    const result = await updateHnswFile(previous, nextFile(), options(other));
    expect(result.mode).toBe('full');
  });

  it('updates from an empty index, and down to an empty one', async () => {
    const empty = nextFile();
    await HnswVectorIndex.create(DIM, 1).writeTo(empty);
    const grown = simulateChange(new Float32Array(0), DIM, { seed: 1, goneShare: 0, added: 25, newVector: (i) => row(data, DIM, i) });
    const file = nextFile();
    expect(await updateHnswFile(empty, file, options(grown))).toMatchObject({ mode: 'incremental', elements: 25, deleted: 0 });
    const loaded = await HnswVectorIndex.readFrom(file, DIM, 25);
    for (let k = 0; k < 25; k++) expect(loaded.search(row(grown.vectors, DIM, k), 1)[0]!.key).toBe(k);

    const gone = simulateChange(grown.vectors, DIM, { seed: 2, goneShare: 1, added: 0, newVector: () => new Float32Array(DIM) });
    const none = nextFile();
    expect(await updateHnswFile(file, none, options(gone))).toMatchObject({ mode: 'full', elements: 0 });
    expect((await HnswVectorIndex.readFrom(none, DIM, 0)).search(row(data, DIM, 0), 5)).toEqual([]);
  });

  it('refuses an inconsistent change or an update in place, and reports a failed write, leaving the previous file as it was', async () => {
    const before = await readFile(previous);
    const c = change(data, 11, 0.02, 10);
    const twice = { ...c, addedKeys: Int32Array.from(c.addedKeys, (k, i) => (i === 0 ? c.keyMap.find((x) => x >= 0)! : k)) };
    expect(await codeOf(updateHnswFile(previous, nextFile(), options(twice)))).toBe('INTERNAL');
    expect(await codeOf(updateHnswFile(previous, nextFile(), options({ ...c, size: c.size + 1 })))).toBe('INTERNAL');
    expect(await codeOf(updateHnswFile(previous, nextFile(), options({ ...c, addedVectors: c.addedVectors.subarray(DIM) })))).toBe('INTERNAL');
    expect(await codeOf(updateHnswFile(previous, previous, options(c)))).toBe('INTERNAL');
    expect(await codeOf(updateHnswFile(previous, join(dir, 'missing', 'folder', 'v.hnsw'), options(c)))).toBe('INDEX_WRITE_FAILED');
    expect((await readFile(previous)).equals(before)).toBe(true);
  });
});
