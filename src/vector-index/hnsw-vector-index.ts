import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import hnswlib from 'hnswlib-node';
import { AppError } from '../core/app-error.js';
import type { ScoredKey, VectorIndex } from '../core/types.js';
import { checkHnswFile, DELETED_KEY_BASE, relabelHnswFile } from './check-hnsw-file.js';
import { exactSearchKeys, safeFilter } from './exact-search.js';

/** Tuning of the HNSW graph. Defaults give recall@10 >= 0.98 on 384-d clustered vectors up to 100k (bench/hnsw.ts). */
export interface HnswOptions {
  /**
   * Use hnswlib's synchronous file I/O (default false). For worker threads: an asynchronous read or write still in
   * flight when a worker is terminated completes into a dying environment and aborts the whole process.
   */
  syncIo?: boolean;
  /** Links per node on upper levels (2*m on level 0). More: better recall, more memory. Default 16. */
  m?: number;
  /** Candidate list size while building. More: better graph, slower build. Default 200. */
  efConstruction?: number;
  /**
   * Candidate list size while searching (raised to k when k is larger). Default 256: recall@10 0.984 against exact
   * search on real chunk vectors at 285k chunks, 0.8 ms a query (64 gave 0.83; BENCHMARKS.md, Performance).
   */
  efSearch?: number;
  /** Seed of the level generator, for reproducible graphs. Default 100 (hnswlib's). */
  seed?: number;
  /**
   * A filtered search is answered exactly over the allowed keys when at most this fraction of the keys pass: HNSW's
   * filtered walk is slow and may return too few hits then. Default 0.05.
   */
  exactFilterFraction?: number;
  /**
   * Above `exactFilterFraction`, a filtered search is still exact when scanning the allowed keys is estimated cheaper
   * than a filtered graph walk, up to this many vector components (allowed keys x dimensions). Default 4,000,000.
   */
  exactFilterBudget?: number;
  /**
   * Where exact filtered search reads a key's vector. Pass the application's own vector table when it has one.
   * Default: `readFrom` keeps a copy of the vectors it read while checking the file (n x dimensions x 4 bytes);
   * `create` reads them back from hnswlib (one native call per key, ~0.1 ms each at 384 dimensions).
   */
  vectorOf?: (key: number) => ArrayLike<number> | undefined;
  /**
   * `readFrom` only: the caller verifies the file's checksum against a manifest written after the file was verified
   * (before the read, or alongside it, then drops the index unless it matched), so the header is checked (format,
   * dimensions, count, size) but not every link and record: that walk reads the whole file once more, about as long
   * as hnswlib's own read. With a sound header hnswlib only allocates what the file holds (its own first pass checks
   * that the link lists add up to the file's size) and throws on anything else. Needs `vectorOf` (no vectors are read
   * on the way). Default false.
   */
  checksumVerified?: boolean;
  /**
   * `readFrom` only: the live keys must be exactly 0..expectedCount-1, as chunk positions are; a file with any other
   * key is INDEX_CORRUPT (checked link by link, or after loading when `checksumVerified`). Default true.
   */
  denseKeys?: boolean;
}

/**
 * A change of keys from one index file to the next, as an incremental index build sees it (see `updateFile`): the
 * previous file's live keys are 0..keyMap.length-1, the new file's are 0..size-1.
 */
export interface HnswKeyChange {
  /** Previous key -> new key, or -1 when that vector is gone. */
  keyMap: Int32Array;
  /** New keys of the vectors added; with the kept keys they cover 0..size-1 exactly once. */
  addedKeys: Int32Array;
  /** `addedKeys.length` rows of `dimensions` floats, in the order of `addedKeys`. */
  addedVectors: Float32Array;
  /** Live vectors in the new file. */
  size: number;
}

/**
 * Checks that a key change is consistent: kept and added keys within 0..size-1, each new key given exactly once,
 * one vector row per added key. Throws INTERNAL (a bug of the caller) saying what is wrong.
 */
export function checkKeyChange(change: HnswKeyChange, dimensions: number): void {
  const { keyMap, addedKeys, addedVectors, size } = change;
  const bad = (what: string) => new AppError('INTERNAL', `Inconsistent vector key change: ${what}.`);
  if (!Number.isSafeInteger(size) || size < 0) throw bad(`size ${size}`);
  if (addedVectors.length !== addedKeys.length * dimensions) {
    throw bad(`${addedVectors.length} added floats for ${addedKeys.length} keys of ${dimensions} dimensions`);
  }
  const given = new Uint8Array(size);
  let count = 0;
  const give = (key: number, from: string) => {
    if (!(key >= 0 && key < size)) throw bad(`${from} gives the key ${key}, outside 0..${size - 1}`);
    if (given[key]) throw bad(`the new key ${key} is given twice`);
    given[key] = 1;
    count++;
  };
  keyMap.forEach((key, previous) => key !== -1 && give(key, `previous key ${previous}`));
  addedKeys.forEach((key) => give(key, 'an added vector'));
  if (count !== size) throw bad(`${count} keys given for a size of ${size}`);
}

const DEFAULTS = { m: 16, efConstruction: 200, efSearch: 256, seed: 100, exactFilterFraction: 0.05, exactFilterBudget: 4_000_000, syncIo: false } as const;
/** Keys probed to estimate how selective a filter is. */
const SAMPLE = 512;
// Filtered search cost model, fitted at 20k x 384 (bench/hnsw.ts and a forced-path run): hnswlib calls the JS filter
// for every node it visits, so a filtered walk costs about 1.3 ms + 0.37 ms / (share of keys passing); scanning the
// allowed keys costs about 3 ns per vector component. The cheaper one is used, within `exactFilterBudget`.
const WALK_BASE_MS = 1.3;
const WALK_PER_INVERSE_SHARE_MS = 0.37;
const SCAN_MS_PER_COMPONENT = 3e-6;

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

/**
 * Cosine nearest-neighbour index on hnswlib (the only file that imports hnswlib-node). Keys are non-negative
 * integers (chunk positions); scores are cosine similarities, best first.
 */
export class HnswVectorIndex implements VectorIndex {
  private keysCache: Float64Array | undefined;
  private writing = false;
  private released = false;

  private constructor(
    private readonly index: Hnsw,
    readonly dimensions: number,
    private readonly options: Required<Omit<HnswOptions, 'vectorOf' | 'checksumVerified' | 'denseKeys'>> & Pick<HnswOptions, 'vectorOf' | 'checksumVerified' | 'denseKeys'>,
    /** Vectors by key for exact search (see HnswOptions.vectorOf); dropped when vectors are added. */
    private table?: (key: number) => Float32Array | undefined,
    /** Elements marked deleted (keys >= DELETED_KEY_BASE): in the graph, never in results, not counted in `size`. */
    private readonly deleted = 0,
  ) {}

  /** An empty index. `capacity` is a hint (vectors); the index grows when more are added. */
  static create(dimensions: number, capacity: number, options: HnswOptions = {}): HnswVectorIndex {
    checkDimensions(dimensions);
    const opts = { ...DEFAULTS, ...options };
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    index.initIndex({
      maxElements: Math.max(1, Math.floor(capacity)),
      m: opts.m,
      efConstruction: opts.efConstruction,
      randomSeed: opts.seed,
    });
    index.setEf(opts.efSearch);
    return new HnswVectorIndex(index, dimensions, opts);
  }

  /**
   * Loads an index written by `writeTo` or `updateFile`. The file is checked first (header against `dimensions` and
   * `expectedCount`, the number of live vectors; every link and record), then read into a fresh hnswlib object, never
   * into one that serves; efSearch is set again because hnswlib does not save it. Deleted elements (left by
   * `updateFile`) are allowed on top of `expectedCount`. Any problem: INDEX_CORRUPT, never a crash.
   */
  static async readFrom(file: string, dimensions: number, expectedCount: number, options: HnswOptions = {}): Promise<HnswVectorIndex> {
    checkDimensions(dimensions);
    const opts = { ...DEFAULTS, denseKeys: true, ...options };
    const checked = await checkHnswFile(file, dimensions, expectedCount, {
      keepVectors: !opts.vectorOf,
      headerOnly: opts.checksumVerified,
      denseKeys: opts.denseKeys,
    });
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    try {
      if (opts.syncIo) index.readIndexSync(file);
      else await index.readIndex(file);
    } catch (error) {
      throw new AppError('INDEX_CORRUPT', `hnswlib could not read the vector index ${file}; run "sourcier index --rebuild".`, { cause: error });
    }
    const corrupt = (what: string) => new AppError('INDEX_CORRUPT', `The vector index ${file} ${what}; run "sourcier index --rebuild".`);
    const total = index.getCurrentCount();
    if (total !== checked.header.count || index.getNumDimensions() !== dimensions) {
      throw corrupt(`loaded ${total} vectors of ${index.getNumDimensions()} dimensions, expected ${checked.header.count} of ${dimensions}`);
    }
    let deleted = checked.deleted;
    let keys: Float64Array | undefined;
    if (deleted === undefined && total !== expectedCount) {
      // Header-only check of a file with deleted elements: their number comes from the keys hnswlib loaded (one
      // native call), which must also be distinct and, for live ones, dense.
      const ids = index.getIdsList();
      if (ids.length !== total) throw corrupt(`holds ${total} vectors under ${ids.length} distinct keys`);
      keys = new Float64Array(expectedCount);
      let live = 0;
      for (const id of ids) {
        if (id >= DELETED_KEY_BASE) continue;
        if (live === expectedCount || (opts.denseKeys && id >= expectedCount)) throw corrupt(`holds a live key ${id} beyond the ${expectedCount} expected`);
        keys[live++] = id;
      }
      if (live !== expectedCount) throw corrupt(`holds ${live} live vectors, the manifest expects ${expectedCount}`);
      deleted = total - expectedCount;
    }
    index.setEf(opts.efSearch);
    const table = checked.vectors && checked.labels ? vectorTable(checked.vectors, checked.labels, dimensions) : undefined;
    const loaded = new HnswVectorIndex(index, dimensions, opts, table, deleted ?? 0);
    loaded.keysCache = keys;
    return loaded;
  }

  /**
   * Writes the index of the next generation from the previous generation's file without rebuilding the graph:
   * `previousFile` is checked (link by link, or its header when `options.checksumVerified`), copied to a scratch file
   * beside `newFile` with every element relabelled (previous key -> new key; a gone vector becomes a deleted element,
   * kept as a routing node under a key >= DELETED_KEY_BASE that no search returns), read into a fresh hnswlib object
   * (never one that serves), the added vectors are inserted, and the result is written to `newFile` and verified like
   * `writeTo` (fsync, check link by link, reload, compare counts). `previousFile` is only read.
   *
   * With `reuseDeleted`, added vectors take the slots of deleted elements first (hnswlib's replaceDeleted: the file
   * does not grow, but each such insertion rewires the old neighbours, costs about five plain insertions and keeps the
   * old element's level, which lowers recall a little at small efSearch); otherwise they are appended and deleted
   * elements accumulate until the caller rebuilds. Failures: INDEX_CORRUPT (the
   * previous file), INDEX_WRITE_FAILED (writing), INTERNAL (an inconsistent change).
   */
  static async updateFile(
    previousFile: string,
    newFile: string,
    dimensions: number,
    change: HnswKeyChange,
    options: HnswOptions & { reuseDeleted?: boolean } = {},
  ): Promise<{ elements: number; deleted: number }> {
    checkDimensions(dimensions);
    checkKeyChange(change, dimensions);
    const opts = { ...DEFAULTS, ...options };
    const { keyMap } = change;
    const previousCount = keyMap.length;
    const checked = await checkHnswFile(previousFile, dimensions, previousCount, { headerOnly: opts.checksumVerified, denseKeys: true });
    const corrupt = (what: string) => new AppError('INDEX_CORRUPT', `The previous vector index ${previousFile} ${what}; run "sourcier index --rebuild".`);

    // Relabel into a scratch copy: hnswlib cannot change a key, but its file holds one per element.
    const scratch = `${newFile}.${randomBytes(4).toString('hex')}.relabel`;
    const reuse = options.reuseDeleted === true;
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    let deleted = 0;
    try {
      const seen = new Uint8Array(previousCount);
      let live = 0;
      await relabelHnswFile(previousFile, scratch, (key, isDeleted) => {
        if (isDeleted) return DELETED_KEY_BASE + deleted++;
        if (!(key < previousCount) || seen[key]) throw corrupt(`holds the key ${key} twice or beyond its ${previousCount} vectors`);
        seen[key] = 1;
        live++;
        const next = keyMap[key]!;
        return next >= 0 ? next : DELETED_KEY_BASE + deleted++;
      });
      if (live !== previousCount) throw corrupt(`holds ${live} live vectors, ${previousCount} expected`);
      try {
        if (opts.syncIo) index.readIndexSync(scratch, reuse);
        else await index.readIndex(scratch, reuse);
      } catch (error) {
        throw new AppError('INDEX_CORRUPT', `hnswlib could not read the previous vector index ${previousFile}; run "sourcier index --rebuild".`, { cause: error });
      }
    } finally {
      await rm(scratch, { force: true }).catch(() => {});
    }
    if (index.getCurrentCount() !== checked.header.count) throw corrupt(`loaded ${index.getCurrentCount()} vectors, ${checked.header.count} expected`);

    const added = change.addedKeys.length;
    const reused = reuse ? Math.min(deleted, added) : 0;
    const elements = checked.header.count + added - reused;
    try {
      if (elements > index.getMaxElements()) index.resizeIndex(elements);
      for (let i = 0; i < added; i++) {
        index.addPoint(Array.from(change.addedVectors.subarray(i * dimensions, (i + 1) * dimensions)), change.addedKeys[i]!, reuse);
      }
    } catch (error) {
      throw new AppError('INTERNAL', `hnswlib refused a vector while updating the index from ${previousFile}: ${describe(error)}.`, { cause: error });
    }
    deleted -= reused;
    if (index.getCurrentCount() !== elements) throw new AppError('INTERNAL', `The updated vector index holds ${index.getCurrentCount()} elements, ${elements} expected.`);
    index.setEf(opts.efSearch);
    const updated = new HnswVectorIndex(index, dimensions, opts, undefined, deleted);
    await updated.writeTo(newFile, { denseKeys: true, release: true });
    return { elements, deleted };
  }

  /** Live vectors (deleted elements left by `updateFile` are not counted). */
  get size(): number {
    return this.released ? 0 : this.index.getCurrentCount() - this.deleted;
  }

  /**
   * Frees the graph's native memory now; the index is empty and unusable afterwards (add and search throw INTERNAL).
   * hnswlib frees a graph only when the garbage collector collects its JavaScript object, which on a thread that
   * allocates little (the build worker) may not happen before the thread ends: a build then held its graph and the
   * read-back copy of `writeTo` (~110 MB each at 285k vectors) until the end. hnswlib-node has no call to free a
   * graph; `initIndex` frees the current one before making the new, one-element, graph.
   */
  release(): void {
    if (this.writing) throw new AppError('INTERNAL', 'The vector index is being written; release it after writeTo.');
    if (this.released) return;
    this.index.initIndex({ maxElements: 1, m: this.options.m, efConstruction: this.options.efConstruction, randomSeed: this.options.seed });
    this.released = true;
    this.table = undefined;
    this.keysCache = undefined;
  }

  private checkUsable(): void {
    if (this.released) throw new AppError('INTERNAL', 'The vector index was released; open it again to use it.');
  }

  /** Search breadth currently in use (hnswlib resets it to 10 on load; readFrom sets it again). */
  get efSearch(): number {
    return this.index.getEf();
  }

  /** Adds (or replaces) the vector of `key`. Not while `writeTo` runs (hnswlib writes from a worker thread). */
  add(key: number, vector: Float32Array): void {
    this.checkUsable();
    if (this.writing) throw new AppError('INTERNAL', 'The vector index is being written; add vectors before or after writeTo, not during it.');
    if (!Number.isSafeInteger(key) || key < 0 || key >= DELETED_KEY_BASE) {
      throw new AppError('INTERNAL', `Vector key ${key} is not a non-negative integer below 2^52; keys are chunk positions.`);
    }
    this.checkVector(vector);
    const max = this.index.getMaxElements();
    if (this.index.getCurrentCount() >= max) this.index.resizeIndex(Math.max(16, max * 2));
    this.index.addPoint(Array.from(vector), key);
    this.keysCache = undefined;
    this.table = undefined;
  }

  /** Adds many vectors, growing the index once up front. */
  addMany(entries: ReadonlyArray<readonly [key: number, vector: Float32Array]>): void {
    const needed = this.index.getCurrentCount() + entries.length;
    if (!this.writing && needed > this.index.getMaxElements()) this.index.resizeIndex(needed);
    for (const [key, vector] of entries) this.add(key, vector);
  }

  /**
   * The k nearest keys by cosine similarity, best first. With a filter, keys the filter rejects (or throws on) never
   * appear; a very selective filter (see `exactFilterFraction`) or an HNSW walk that finds fewer than k allowed keys is
   * answered exactly over the allowed keys, so filtered results are complete.
   */
  search(vector: Float32Array, k: number, filter?: (key: number) => boolean): ScoredKey[] {
    this.checkUsable();
    this.checkVector(vector);
    const n = this.size;
    const want = Math.min(Math.floor(k), n);
    if (!(want > 0)) return [];
    if (!filter) return this.knn(vector, want);

    const keep = safeFilter(filter);
    const keys = this.keys();
    // Estimate selectivity on an even sample first: a broad filter goes straight to HNSW, without a pass over all keys.
    const threshold = this.options.exactFilterFraction;
    const exactFits = (count: number) => {
      if (count <= threshold * n) return true;
      const components = count * this.dimensions;
      const walkMs = WALK_BASE_MS + WALK_PER_INVERSE_SHARE_MS / Math.max(count / n, 1e-9);
      return components <= this.options.exactFilterBudget && components * SCAN_MS_PER_COMPONENT < walkMs;
    };
    if (n > 4 * SAMPLE) {
      let pass = 0;
      for (let i = 0; i < SAMPLE; i++) if (keep(keys[Math.floor((i * n) / SAMPLE)]!)) pass++;
      if (!exactFits(Math.max(1, (pass / SAMPLE) * n))) {
        const hits = this.knn(vector, want, keep);
        if (hits.length >= want) return hits;
      }
    }
    const allowed = new Float64Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) if (keep(keys[i]!)) allowed[count++] = keys[i]!;
    if (count === 0) return [];
    const wantAllowed = Math.min(want, count);
    if (count <= wantAllowed || exactFits(count)) return this.exact(allowed.subarray(0, count), vector, wantAllowed);
    const hits = this.knn(vector, wantAllowed, keep);
    return hits.length >= wantAllowed ? hits : this.exact(allowed.subarray(0, count), vector, wantAllowed);
  }

  /**
   * Writes the index to `file`, fsyncs it and its folder, then verifies: the file is checked like `readFrom` does and
   * loaded into a fresh object whose count and dimensions must match (hnswlib reports success even on a full disk),
   * which is freed once checked. `verify.denseKeys`: the keys must also be exactly 0..size-1 (default false).
   * `verify.release`: the caller is done with this index: it is released (see `release`) as soon as the file is
   * written, before the copy is loaded, so that the two graphs are never in memory at once (default false).
   * Failure: INDEX_WRITE_FAILED.
   */
  async writeTo(file: string, verify: { denseKeys?: boolean; release?: boolean } = {}): Promise<void> {
    this.checkUsable();
    const count = this.size;
    const elements = this.index.getCurrentCount();
    if (this.writing) throw new AppError('INTERNAL', 'The vector index is already being written.');
    this.writing = true;
    try {
      // Capacity is written into the file and drives allocation on load: store exactly what is there.
      if (elements > 0 && this.index.getMaxElements() !== elements) this.index.resizeIndex(elements);
      try {
        if (this.options.syncIo) this.index.writeIndexSync(file);
        else await this.index.writeIndex(file);
        await fsyncPath(file);
        await fsyncPath(dirname(file)).catch(() => {});
      } catch (error) {
        throw new AppError('INDEX_WRITE_FAILED', `Could not write the vector index ${file}: ${describe(error)}; the live index is unchanged.`, { cause: error });
      }
    } finally {
      this.writing = false;
    }
    if (verify.release) this.release();
    try {
      // The copy only proves the file loads: no vector table for it (vectorOf given).
      const copy = await HnswVectorIndex.readFrom(file, this.dimensions, count, {
        vectorOf: () => undefined,
        syncIo: this.options.syncIo,
        denseKeys: verify.denseKeys === true,
      });
      const same = copy.size === count && copy.index.getCurrentCount() === elements && copy.dimensions === this.dimensions;
      copy.release();
      if (!same) throw new Error('reloaded index differs');
    } catch (error) {
      throw new AppError(
        'INDEX_WRITE_FAILED',
        `The vector index written to ${file} does not read back (${describe(error)}); check free disk space and run "sourcier index" again.`,
        { cause: error },
      );
    }
  }

  private knn(vector: Float32Array, k: number, keep?: (key: number) => boolean): ScoredKey[] {
    if (this.index.getEf() < k) this.index.setEf(k);
    try {
      const { neighbors, distances } = this.index.searchKnn(Array.from(vector), k, keep);
      return neighbors.map((key, i) => ({ key, score: 1 - distances[i]! }));
    } finally {
      if (this.index.getEf() !== this.options.efSearch) this.index.setEf(this.options.efSearch);
    }
  }

  private exact(keys: Float64Array, vector: Float32Array, k: number): ScoredKey[] {
    const vectorOf = this.options.vectorOf ?? this.table ?? ((key: number) => this.index.getPoint(key));
    return exactSearchKeys(keys, vectorOf, vector, k);
  }

  /** Live keys (deleted elements' keys left out). */
  private keys(): Float64Array {
    if (!this.keysCache) {
      const ids = this.index.getIdsList();
      this.keysCache = Float64Array.from(this.deleted > 0 ? ids.filter((id) => id < DELETED_KEY_BASE) : ids);
    }
    return this.keysCache;
  }

  private checkVector(vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new AppError('INTERNAL', `A vector of ${vector.length} dimensions was given to a ${this.dimensions}-dimensional index.`);
    }
  }
}

/**
 * key -> row of a flat vector table; an array index when keys are dense (chunk positions), a Map otherwise. Rows of
 * deleted elements are left out.
 */
function vectorTable(vectors: Float32Array, labels: Float64Array, dim: number): (key: number) => Float32Array | undefined {
  const row = (r: number) => vectors.subarray(r * dim, (r + 1) * dim);
  let max = -1;
  for (const l of labels) if (l > max && l < DELETED_KEY_BASE) max = l;
  if (max < 4 * labels.length + 1024) {
    const rowOf = new Int32Array(max + 1).fill(-1);
    labels.forEach((l, r) => l <= max && (rowOf[l] = r));
    return (key) => (key >= 0 && key <= max && rowOf[key]! >= 0 ? row(rowOf[key]!) : undefined);
  }
  const rowOf = new Map<number, number>();
  labels.forEach((l, r) => l < DELETED_KEY_BASE && rowOf.set(l, r));
  return (key) => {
    const r = rowOf.get(key);
    return r === undefined ? undefined : row(r);
  };
}

function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new AppError('INTERNAL', `Vector dimensions must be a positive integer, got ${dimensions}.`);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
}

