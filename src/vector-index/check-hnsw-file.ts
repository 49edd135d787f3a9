import { open } from 'node:fs/promises';
import { AppError } from '../core/app-error.js';

/**
 * Validates an hnswlib index file before hnswlib ever reads it: a failed or garbage `readIndex` crashes the process
 * or serves nonsense, so every size, count and link is checked here first.
 *
 * Layout written by hnswlib's `HierarchicalNSW::saveIndex` (host byte order, little-endian on every platform Node
 * ships for; size_t is 8 bytes):
 *
 *   header (96 bytes): offsetLevel0 u64, max_elements u64, cur_element_count u64, size_data_per_element u64,
 *     label_offset u64, offsetData u64, maxlevel i32, enterpoint_node u32, maxM u64, maxM0 u64, M u64, mult f64,
 *     ef_construction u64
 *   level 0, cur_element_count records of size_data_per_element bytes:
 *     [count u16, flags u8, u8, maxM0 x neighbour u32] [dim x f32 vector] [label u64]
 *   then per element: linkListSize u32, followed by linkListSize bytes = level x [count u16, flags, u8, maxM x u32]
 *
 * Deleted elements: an update (HnswVectorIndex.updateFile) keeps the vectors that are gone in the graph as routing
 * nodes, marked deleted (flags = DELETE_MARK, which hnswlib never returns from a search) and labelled with a unique
 * key at or above DELETED_KEY_BASE, so that a key below it is always a live chunk position. A file is consistent when
 * an element is marked deleted exactly when its key is at or above DELETED_KEY_BASE.
 */
export interface HnswFileHeader {
  offsetLevel0: number;
  maxElements: number;
  count: number;
  sizeDataPerElement: number;
  labelOffset: number;
  offsetData: number;
  maxLevel: number;
  enterPoint: number;
  maxM: number;
  maxM0: number;
  m: number;
  mult: number;
  efConstruction: number;
  /** Derived: (labelOffset - offsetData) / 4. */
  dimensions: number;
}

export const HNSW_HEADER_BYTES = 96;
/** Keys from here up (to 2^53) label deleted elements; live keys stay below. */
export const DELETED_KEY_BASE = 2 ** 52;
/** hnswlib's deletion mark, in the third byte of an element's level-0 link list. */
const DELETE_MARK = 1;

/** Largest M hnswlib accepts without warnings; beyond it the file is surely not ours. */
const MAX_M = 10_000;
/** hnswlib levels are drawn from an exponential distribution: 64 levels would need ~M^64 elements. */
const MAX_LEVEL = 64;
/** Largest dimension we accept (the biggest embedding models are ~4k). */
const MAX_DIMENSIONS = 65_536;
/** Bytes read at a time while scanning level 0 (a whole number of records is read each time). */
const CHUNK_BYTES = 8 << 20;

/** Parses the 96-byte header. Returns undefined when the buffer is too short. */
export function parseHnswHeader(buf: Uint8Array): HnswFileHeader | undefined {
  if (buf.length < HNSW_HEADER_BYTES) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset, HNSW_HEADER_BYTES);
  // u64 fields become Infinity when they do not fit a double exactly, which every bound check below rejects.
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  };
  const offsetData = u64(40);
  const labelOffset = u64(32);
  return {
    offsetLevel0: u64(0),
    maxElements: u64(8),
    count: u64(16),
    sizeDataPerElement: u64(24),
    labelOffset,
    offsetData,
    maxLevel: view.getInt32(48, true),
    enterPoint: view.getUint32(52, true),
    maxM: u64(56),
    maxM0: u64(64),
    m: u64(72),
    mult: view.getFloat64(80, true),
    efConstruction: u64(88),
    dimensions: (labelOffset - offsetData) / 4,
  };
}

/** The header of `file`, parsed but not checked; undefined when the file cannot be read or is too short. */
export async function readHnswHeader(file: string): Promise<HnswFileHeader | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      const buf = new Uint8Array(HNSW_HEADER_BYTES);
      return (await readFully(handle, buf, HNSW_HEADER_BYTES, 0)) === HNSW_HEADER_BYTES ? parseHnswHeader(buf) : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** What a successful check returns. */
export interface HnswFileCheck {
  header: HnswFileHeader;
  /** Elements marked deleted (header.count - expectedCount); undefined after a header-only check, which cannot tell. */
  deleted?: number;
  /** With `keepVectors`: the stored (normalised) vectors, row i = hnswlib's internal id i, flat. */
  vectors?: Float32Array;
  /** With `keepVectors`: the key (label) of each row. */
  labels?: Float64Array;
}

/**
 * Checks `file` against the expected dimensions and live element count, reading it once (header, every level-0
 * record, every upper-level link list). Deleted elements may come on top of `expectedCount` (see DELETED_KEY_BASE).
 * Throws INDEX_CORRUPT saying what is wrong. `keepVectors` also returns the vectors read on the way (no second read of
 * the file).
 */
export async function checkHnswFile(
  file: string,
  dimensions: number,
  expectedCount: number,
  options: {
    keepVectors?: boolean;
    /** Check the header, its bounds and the file length only, not every record (the file's checksum is known good). */
    headerOnly?: boolean;
    /** Live keys must be exactly 0..expectedCount-1, as chunk positions are (default false: any distinct keys). */
    denseKeys?: boolean;
  } = {},
): Promise<HnswFileCheck> {
  const corrupt = (what: string, cause?: unknown): AppError =>
    new AppError(
      'INDEX_CORRUPT',
      `The vector index ${file} is damaged (${what}); run "sourcier index --rebuild" to rebuild it.`,
      cause === undefined ? undefined : { cause },
    );

  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw corrupt(`cannot be opened: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  try {
    const fileBytes = (await handle.stat()).size;
    const headBuf = new Uint8Array(HNSW_HEADER_BYTES);
    const { bytesRead } = await handle.read(headBuf, 0, HNSW_HEADER_BYTES, 0);
    const h = bytesRead === HNSW_HEADER_BYTES ? parseHnswHeader(headBuf) : undefined;
    if (!h) throw corrupt(`${fileBytes} bytes, shorter than the ${HNSW_HEADER_BYTES}-byte header`);

    // Header fields against each other and against what hnswlib itself would have written.
    const linksLevel0 = h.maxM0 * 4 + 4;
    const linksUpper = h.maxM * 4 + 4;
    if (h.offsetLevel0 !== 0) throw corrupt(`offsetLevel0 is ${h.offsetLevel0}, expected 0`);
    if (!(h.m >= 2 && h.m <= MAX_M)) throw corrupt(`M is ${h.m}`);
    if (h.maxM !== h.m || h.maxM0 !== 2 * h.m) throw corrupt(`maxM ${h.maxM} / maxM0 ${h.maxM0} do not match M ${h.m}`);
    if (!(Number.isFinite(h.mult) && Math.abs(h.mult - 1 / Math.log(h.m)) < 1e-9)) throw corrupt(`level multiplier ${h.mult} does not match M ${h.m}`);
    if (!(h.efConstruction >= 1 && h.efConstruction <= 1_000_000)) throw corrupt(`efConstruction is ${h.efConstruction}`);
    if (h.offsetData !== linksLevel0) throw corrupt(`offsetData is ${h.offsetData}, expected ${linksLevel0}`);
    if (!Number.isInteger(h.dimensions) || h.dimensions < 1 || h.dimensions > MAX_DIMENSIONS) {
      throw corrupt(`label offset ${h.labelOffset} and data offset ${h.offsetData} give no valid dimension`);
    }
    if (h.dimensions !== dimensions) throw corrupt(`it holds ${h.dimensions}-dimensional vectors, expected ${dimensions}`);
    if (h.sizeDataPerElement !== h.labelOffset + 8) throw corrupt(`record size ${h.sizeDataPerElement} does not match the layout`);
    if (h.count < expectedCount) throw corrupt(`it holds ${h.count} vectors, the manifest expects ${expectedCount}`);
    // Capacity drives hnswlib's allocation: refuse anything far beyond the elements actually stored.
    if (!(h.maxElements >= h.count && h.maxElements <= Math.max(2 * h.count, h.count + 4096))) {
      throw corrupt(`capacity ${h.maxElements} is absurd for ${h.count} vectors`);
    }
    const level0Bytes = h.count * h.sizeDataPerElement;
    const minBytes = HNSW_HEADER_BYTES + level0Bytes + 4 * h.count;
    if (fileBytes < minBytes) throw corrupt(`${fileBytes} bytes, at least ${minBytes} expected for ${h.count} vectors (truncated?)`);
    if (h.count === 0) {
      if (fileBytes !== HNSW_HEADER_BYTES) throw corrupt(`${fileBytes} bytes for an empty index`);
      return { header: h, deleted: 0, ...(options.keepVectors ? { vectors: new Float32Array(0), labels: new Float64Array(0) } : {}) };
    }
    if (h.maxLevel < 0 || h.maxLevel > MAX_LEVEL) throw corrupt(`top level is ${h.maxLevel}`);
    if (h.enterPoint >= h.count) throw corrupt(`entry point ${h.enterPoint} is outside 0..${h.count - 1}`);
    if (options.headerOnly && !options.keepVectors) return { header: h };

    // Level 0: neighbour counts and ids, deletion marks, finite unit vectors (cosine stores normalised vectors), labels.
    const labels = new Set<number>();
    let deleted = 0;
    const kept = options.keepVectors ? new Float32Array(h.count * h.dimensions) : undefined;
    const keptLabels = options.keepVectors ? new Float64Array(h.count) : undefined;
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / h.sizeDataPerElement));
    const chunk = new Uint8Array(perChunk * h.sizeDataPerElement);
    const dv = new DataView(chunk.buffer);
    const floats = new Float32Array(chunk.buffer);
    const floatsPerRecord = h.sizeDataPerElement / 4;
    for (let first = 0; first < h.count; first += perChunk) {
      const n = Math.min(perChunk, h.count - first);
      const want = n * h.sizeDataPerElement;
      const got = await readFully(handle, chunk, want, HNSW_HEADER_BYTES + first * h.sizeDataPerElement);
      if (got !== want) throw corrupt('truncated inside level 0');
      for (let r = 0; r < n; r++) {
        const id = first + r;
        const at = r * h.sizeDataPerElement;
        const links = dv.getUint16(at, true);
        if (links > h.maxM0) throw corrupt(`element ${id} has ${links} level-0 links, at most ${h.maxM0} allowed`);
        const flags = dv.getUint8(at + 2);
        if (flags !== 0 && flags !== DELETE_MARK) throw corrupt(`element ${id} carries unknown flags ${flags}`);
        for (let j = 0; j < links; j++) {
          if (dv.getUint32(at + 4 + 4 * j, true) >= h.count) throw corrupt(`element ${id} links to a missing element`);
        }
        const base = r * floatsPerRecord + h.offsetData / 4;
        let sq = 0;
        for (let d = 0; d < h.dimensions; d++) {
          const x = floats[base + d]!;
          sq += x * x;
        }
        // NaN fails both comparisons; a zero vector stays zero after hnswlib's normalisation.
        if (!(sq === 0 || Math.abs(sq - 1) < 1e-3)) throw corrupt(`vector ${id} is not a unit vector`);
        kept?.set(floats.subarray(base, base + h.dimensions), id * h.dimensions);
        const lo = dv.getUint32(at + h.labelOffset, true);
        const hi = dv.getUint32(at + h.labelOffset + 4, true);
        if (hi >= 1 << 21) throw corrupt(`element ${id} has an out-of-range key`);
        const label = hi * 2 ** 32 + lo;
        if (labels.has(label)) throw corrupt(`key ${label} appears twice`);
        labels.add(label);
        if (flags === DELETE_MARK) {
          if (label < DELETED_KEY_BASE) throw corrupt(`deleted element ${id} still carries the live key ${label}`);
          deleted++;
        } else if (label >= DELETED_KEY_BASE) {
          throw corrupt(`element ${id} has the key of a deleted element but no deletion mark`);
        } else if (options.denseKeys && label >= expectedCount) {
          throw corrupt(`key ${label} is outside 0..${expectedCount - 1}`);
        }
        if (keptLabels) keptLabels[id] = label;
      }
    }

    // Upper levels: one size word per element, then whole link lists; the sizes must add up to the file length exactly.
    const tailStart = HNSW_HEADER_BYTES + level0Bytes;
    const tailBytes = fileBytes - tailStart;
    const tail = new Uint8Array(tailBytes);
    if ((await readFully(handle, tail, tailBytes, tailStart)) !== tailBytes) throw corrupt('truncated in the upper levels');
    const tv = new DataView(tail.buffer);
    let pos = 0;
    let topSeen = 0;
    for (let id = 0; id < h.count; id++) {
      if (pos + 4 > tailBytes) throw corrupt('truncated in the upper levels');
      const size = tv.getUint32(pos, true);
      pos += 4;
      if (size % linksUpper !== 0) throw corrupt(`element ${id} has a link list of ${size} bytes`);
      const levels = size / linksUpper;
      if (levels > h.maxLevel) throw corrupt(`element ${id} reaches level ${levels}, above the top level ${h.maxLevel}`);
      if (pos + size > tailBytes) throw corrupt('truncated in the upper levels');
      for (let l = 0; l < levels; l++) {
        const at = pos + l * linksUpper;
        const links = tv.getUint16(at, true);
        if (links > h.maxM) throw corrupt(`element ${id} has ${links} links at level ${l + 1}, at most ${h.maxM} allowed`);
        for (let j = 0; j < links; j++) {
          if (tv.getUint32(at + 4 + 4 * j, true) >= h.count) throw corrupt(`element ${id} links to a missing element`);
        }
      }
      if (id === h.enterPoint) topSeen = levels;
      pos += size;
    }
    if (pos !== tailBytes) throw corrupt(`${tailBytes - pos} unexpected bytes at the end`);
    if (topSeen !== h.maxLevel) throw corrupt(`the entry point is on level ${topSeen}, the header says ${h.maxLevel}`);
    if (h.count - deleted !== expectedCount) {
      throw corrupt(`it holds ${h.count - deleted} live vectors (${deleted} deleted), the manifest expects ${expectedCount}`);
    }
    return { header: h, deleted, ...(kept && keptLabels ? { vectors: kept, labels: keptLabels } : {}) };
  } finally {
    await handle.close();
  }
}

/**
 * Copies the hnswlib file `source` to `target` with new keys: each element's key becomes `relabel(key, deleted)`, and
 * an element whose new key is at or above DELETED_KEY_BASE is marked deleted. Links, vectors and levels are copied as
 * they are, one chunk of records at a time. `source` must have passed `checkHnswFile`. A deleted element cannot come
 * back (INTERNAL). Reading `source` fails with INDEX_CORRUPT, writing `target` with INDEX_WRITE_FAILED; `target` is
 * neither fsynced nor removed on failure (it is a scratch file).
 */
export async function relabelHnswFile(source: string, target: string, relabel: (key: number, deleted: boolean) => number): Promise<void> {
  const failed = (code: 'INDEX_CORRUPT' | 'INDEX_WRITE_FAILED', what: string, cause: unknown) =>
    new AppError(code, `${what}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}; run "sourcier index" again.`, { cause });
  let input;
  try {
    input = await open(source, 'r');
  } catch (error) {
    throw failed('INDEX_CORRUPT', `Cannot open the vector index ${source}`, error);
  }
  try {
    let output;
    try {
      output = await open(target, 'w');
    } catch (error) {
      throw failed('INDEX_WRITE_FAILED', `Cannot create ${target}`, error);
    }
    try {
      const head = new Uint8Array(HNSW_HEADER_BYTES);
      const h = (await readFully(input, head, HNSW_HEADER_BYTES, 0)) === HNSW_HEADER_BYTES ? parseHnswHeader(head) : undefined;
      if (!h) throw new AppError('INDEX_CORRUPT', `The vector index ${source} has no valid header; run "sourcier index --rebuild".`);
      const fileBytes = (await input.stat()).size;
      const write = async (buf: Uint8Array, length: number, position: number) => {
        try {
          let done = 0;
          while (done < length) done += (await output.write(buf, done, length - done, position + done)).bytesWritten;
        } catch (error) {
          throw failed('INDEX_WRITE_FAILED', `Could not write ${target}`, error);
        }
      };
      await write(head, HNSW_HEADER_BYTES, 0);
      const size = h.sizeDataPerElement;
      const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / size));
      const chunk = new Uint8Array(perChunk * size);
      const dv = new DataView(chunk.buffer);
      for (let first = 0; first < h.count; first += perChunk) {
        const n = Math.min(perChunk, h.count - first);
        const at0 = HNSW_HEADER_BYTES + first * size;
        if ((await readFully(input, chunk, n * size, at0)) !== n * size) {
          throw new AppError('INDEX_CORRUPT', `The vector index ${source} is truncated; run "sourcier index --rebuild".`);
        }
        for (let r = 0; r < n; r++) {
          const at = r * size;
          const deleted = (dv.getUint8(at + 2) & DELETE_MARK) !== 0;
          const key = dv.getUint32(at + h.labelOffset + 4, true) * 2 ** 32 + dv.getUint32(at + h.labelOffset, true);
          const next = relabel(key, deleted);
          if (!Number.isSafeInteger(next) || next < 0) throw new AppError('INTERNAL', `Element ${first + r} was given the key ${next}.`);
          const gone = next >= DELETED_KEY_BASE;
          if (deleted && !gone) throw new AppError('INTERNAL', `Deleted element ${first + r} cannot take the live key ${next}.`);
          dv.setUint8(at + 2, gone ? DELETE_MARK : 0);
          dv.setUint32(at + h.labelOffset, next % 2 ** 32, true);
          dv.setUint32(at + h.labelOffset + 4, Math.floor(next / 2 ** 32), true);
        }
        await write(chunk, n * size, at0);
      }
      // Upper levels: copied byte for byte.
      for (let at = HNSW_HEADER_BYTES + h.count * size; at < fileBytes; ) {
        const got = await readFully(input, chunk, Math.min(chunk.length, fileBytes - at), at);
        if (got === 0) throw new AppError('INDEX_CORRUPT', `The vector index ${source} is truncated; run "sourcier index --rebuild".`);
        await write(chunk, got, at);
        at += got;
      }
    } finally {
      await output.close().catch(() => {});
    }
  } finally {
    await input.close();
  }
}

async function readFully(
  handle: { read(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> },
  buf: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
