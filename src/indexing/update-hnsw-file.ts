/**
 * The HNSW file of a new generation from the previous generation's file, when only a few chunks changed: the graph is
 * updated (gone vectors marked deleted, new ones inserted) instead of rebuilt from every vector, which at 285k chunks
 * takes minutes. Falls back to a full build when deleted elements would pile up or the previous file is unusable.
 */
import { resolve } from 'node:path';
import { isAppError, AppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { readHnswHeader } from '../vector-index/check-hnsw-file.js';
import { checkKeyChange, HnswVectorIndex, type HnswKeyChange } from '../vector-index/hnsw-vector-index.js';
import { startHnswBuilder, updateHnswFileOffThread } from './hnsw-builder.js';

export interface HnswUpdateOptions extends HnswKeyChange {
  dimensions: number;
  /**
   * Vector of each new key (0..size-1), for the full build when an update is not worth it. Called once per key, in
   * key order, only then.
   */
  vectorOf: (key: number) => Float32Array;
  /**
   * Largest share of deleted elements (gone vectors kept as routing nodes) the new file may hold; beyond it the graph
   * is rebuilt from every vector, so a long series of updates neither degrades recall nor grows the file without
   * bound. Default 0.2.
   */
  maxDeletedFraction?: number;
  /**
   * Fill deleted elements' slots with added vectors instead of appending them: the file does not grow, but each such
   * insertion costs about five plain ones (bench/perf/hnsw-update.ts) and a narrow search loses a little recall (a
   * replaced slot keeps its old level). Default false.
   */
  reuseDeleted?: boolean;
  /** The previous file's checksum was just verified: check its header only, not every link. Default false. */
  checksumVerified?: boolean;
  /**
   * Work on a worker thread when one can be started, so that the calling thread goes on with other work: the update
   * (updateHnswFileOffThread) and a full build (startHnswBuilder). Default false.
   */
  threaded?: boolean;
  logger?: Logger;
}

export interface HnswUpdateResult {
  /** 'incremental': derived from the previous file; 'full': built anew from every vector. */
  mode: 'incremental' | 'full';
  /** Why a full build was done instead of an update. */
  reason?: string;
  /** Elements in the new file, deleted ones included. */
  elements: number;
  /** Deleted elements in the new file (never returned by a search, not counted in `size`). */
  deleted: number;
}

const DEFAULT_MAX_DELETED_FRACTION = 0.2;
/** Vectors handed to the builder at a time in a full build. */
const BATCH = 8192;

/**
 * Writes `newFile`, the HNSW graph of a new generation whose live keys are 0..size-1, from `previousFile`, the graph
 * of the previous generation (live keys 0..keyMap.length-1):
 *
 * - `keyMap[previousKey]` is the chunk's new key, or -1 when the chunk is gone (changed or removed article);
 * - `addedKeys` / `addedVectors` are the new chunks' keys and vectors (embedded this time);
 * - kept and added keys together cover 0..size-1 exactly once (else INTERNAL, before anything is written).
 *
 * The previous file is only read; it must not be `newFile`. The new file is written and verified like
 * `HnswVectorIndex.writeTo` and reads back with `HnswVectorIndex.readFrom(newFile, dimensions, size)`: searches never
 * return a gone key, `size` and exact filtered search count live vectors only. A full build from `vectorOf` is done
 * instead when the deleted elements would exceed `maxDeletedFraction` of the file, or when the previous file does not
 * match `keyMap` or is damaged (logged as a warning). Failures: INDEX_WRITE_FAILED (the previous file untouched),
 * INTERNAL.
 */
export async function updateHnswFile(previousFile: string, newFile: string, options: HnswUpdateOptions): Promise<HnswUpdateResult> {
  const { dimensions, keyMap, addedKeys, size } = options;
  const logger = options.logger ?? silentLogger;
  checkKeyChange(options, dimensions);
  if (resolve(previousFile) === resolve(newFile)) {
    throw new AppError('INTERNAL', `The updated vector index must go to a new file, not over the previous one (${previousFile}).`);
  }
  const maxDeleted = options.maxDeletedFraction ?? DEFAULT_MAX_DELETED_FRACTION;

  const header = await readHnswHeader(previousFile);
  const previousDeleted = header ? header.count - keyMap.length : -1;
  let reason: string | undefined;
  if (!header || previousDeleted < 0 || header.dimensions !== dimensions) {
    reason = `the previous vector index does not hold ${keyMap.length} vectors of ${dimensions} dimensions`;
  } else {
    let gone = 0;
    for (const key of keyMap) if (key < 0) gone++;
    const deleted = previousDeleted + gone;
    const reused = options.reuseDeleted ? Math.min(deleted, addedKeys.length) : 0;
    const elements = header.count + addedKeys.length - reused;
    if (deleted - reused > maxDeleted * elements) {
      reason = `${deleted - reused} of ${elements} elements would be deleted, more than ${Math.round(maxDeleted * 100)}%`;
    }
  }

  if (!reason) {
    try {
      const flags = { reuseDeleted: options.reuseDeleted === true, checksumVerified: options.checksumVerified === true };
      const written = options.threaded
        ? await updateHnswFileOffThread(previousFile, newFile, dimensions, options, { ...flags, logger })
        : await HnswVectorIndex.updateFile(previousFile, newFile, dimensions, options, flags);
      return { mode: 'incremental', ...written };
    } catch (error) {
      if (!isAppError(error, 'INDEX_CORRUPT')) throw error;
      reason = `the previous vector index is unusable: ${error.message}`;
      logger.warn('HNSW update impossible, building the graph from every vector', { reason });
    }
  }

  logger.debug('HNSW graph built from every vector', { reason, size });
  const builder = await startHnswBuilder({ dimensions, capacity: size, threaded: options.threaded === true, logger });
  try {
    for (let first = 0; first < size; first += BATCH) {
      const n = Math.min(BATCH, size - first);
      const keys = new Int32Array(n);
      const rows = new Float32Array(n * dimensions);
      for (let i = 0; i < n; i++) {
        const vector = options.vectorOf(first + i);
        if (vector?.length !== dimensions) throw new AppError('INTERNAL', `No vector of ${dimensions} dimensions for key ${first + i}.`);
        keys[i] = first + i;
        rows.set(vector, i * dimensions);
      }
      builder.add(keys, rows);
    }
  } catch (error) {
    await builder.abort();
    throw error;
  }
  await builder.finish(newFile);
  return { mode: 'full', reason, elements: size, deleted: 0 };
}
