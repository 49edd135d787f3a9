import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { startHnswBuilder } from '../../src/indexing/hnsw-builder.js';
import { exactSearch } from '../../src/vector-index/exact-search.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

/** n unit vectors of `dims` dimensions from a fixed seed. */
function vectors(n: number, dims: number, seed = 3): Float32Array {
  let s = seed;
  const out = new Float32Array(n * dims).map(() => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * dims, (i + 1) * dims);
    const norm = Math.hypot(...row);
    row.forEach((x, d) => (row[d] = x / norm));
  }
  return out;
}

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sourcier-hnsw-builder-'));
  dirs.push(dir);
  return join(dir, 'vectors.hnsw');
}

describe.each([true, false])('startHnswBuilder (threaded: %s)', (threaded) => {
  it('writes a graph holding every vector handed over in batches, in any key order', async () => {
    const dims = 8;
    const n = 600;
    const flat = vectors(n, dims);
    const builder = await startHnswBuilder({ dimensions: dims, capacity: 100, threaded });
    expect(builder.threaded).toBe(threaded);
    // Reused vectors first (odd keys), then new ones (even keys), as the index build does.
    for (const parity of [1, 0]) {
      const keys = Array.from({ length: n }, (_, k) => k).filter((k) => k % 2 === parity);
      const rows = new Float32Array(keys.length * dims);
      keys.forEach((k, j) => rows.set(flat.subarray(k * dims, (k + 1) * dims), j * dims));
      builder.add(Int32Array.from(keys), rows);
    }
    const file = await tempFile();
    await builder.finish(file);
    const index = await HnswVectorIndex.readFrom(file, dims, n);
    for (const q of [0, 17, 599]) {
      const query = flat.slice(q * dims, (q + 1) * dims);
      expect(index.search(query, 1)[0]!.key).toBe(q);
      expect(index.search(query, 5).map((h) => h.key)).toEqual(exactSearch(flat, dims, query, 5).map((h) => h.key));
    }
  });

  it('rejects with a code when a vector has the wrong number of dimensions, and writes nothing usable', async () => {
    const builder = await startHnswBuilder({ dimensions: 4, capacity: 2, threaded });
    builder.add(Int32Array.from([0]), new Float32Array(3));
    const file = await tempFile();
    const error = await builder.finish(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error)).toBe(true);
    await expect(HnswVectorIndex.readFrom(file, 4, 1)).rejects.toMatchObject({ code: 'INDEX_CORRUPT' });
  });
});
