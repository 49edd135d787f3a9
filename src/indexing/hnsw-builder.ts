/**
 * Builds the HNSW graph of a generation while the rest of the build goes on. Vectors are handed over in batches as
 * soon as they exist (reused ones first, then each embedded batch), so graph insertion overlaps with embedding and
 * with the lexical index. In a worker thread when one can be started (the compiled build, `tsx`); otherwise (a
 * runtime that cannot load the worker file, such as a test runner transforming TypeScript in process) the same
 * work runs on the calling thread, at the point where the graph is written.
 */
import { startModuleWorker, siblingModule } from '../core/module-worker.js';
import { AppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { HnswVectorIndex, type HnswKeyChange } from '../vector-index/hnsw-vector-index.js';

export interface HnswBuilder {
  /** Whether the graph is being built on another thread. */
  readonly threaded: boolean;
  /** Adds vectors: `vectors` holds `keys.length` rows of `dimensions` floats. Ownership of both passes to the builder. */
  add(keys: Int32Array, vectors: Float32Array): void;
  /** Finishes the graph and writes it (verified) to `file`; rejects with INDEX_WRITE_FAILED or INTERNAL. */
  finish(file: string): Promise<void>;
  /** Stops the build without writing (the generation is being aborted). */
  abort(): Promise<void>;
}

export interface HnswBuilderOptions {
  dimensions: number;
  /** Expected number of vectors (a capacity hint). */
  capacity: number;
  /** Try a worker thread (default true). */
  threaded?: boolean;
  logger?: Logger;
}

/** Messages to the worker. */
export type HnswWorkerRequest =
  | { type: 'init'; dimensions: number; capacity: number }
  | { type: 'add'; keys: Int32Array; vectors: Float32Array }
  | { type: 'finish'; file: string }
  /** Ends the worker once the messages before it are handled. */
  | { type: 'close' }
  /** Derives `newFile` from `previousFile` (HnswVectorIndex.updateFile); answered by 'updated'. */
  | ({ type: 'update'; previousFile: string; newFile: string; dimensions: number; reuseDeleted: boolean; checksumVerified: boolean } & HnswKeyChange);
/** Messages from the worker. */
export type HnswWorkerReply =
  | { type: 'ready' }
  | { type: 'done' }
  | { type: 'updated'; elements: number; deleted: number }
  | { type: 'error'; code: string; message: string };

/** Starts a builder; never rejects: when no worker can be started it returns the in-thread builder. */
export async function startHnswBuilder(options: HnswBuilderOptions): Promise<HnswBuilder> {
  const logger = options.logger ?? silentLogger;
  if (options.threaded !== false) {
    try {
      return await startWorker(options);
    } catch (error) {
      logger.debug('HNSW build worker unavailable: building on the main thread', { reason: (error as Error).message });
    }
  }
  return inThread(options);
}

function inThread(options: HnswBuilderOptions): HnswBuilder {
  const batches: Array<[Int32Array, Float32Array]> = [];
  const dims = options.dimensions;
  return {
    threaded: false,
    add: (keys, vectors) => void batches.push([keys, vectors]),
    async finish(file) {
      const index = HnswVectorIndex.create(dims, Math.max(1, options.capacity));
      for (const [keys, vectors] of batches) keys.forEach((key, i) => index.add(key, vectors.subarray(i * dims, (i + 1) * dims)));
      batches.length = 0;
      await index.writeTo(file, { release: true });
    },
    abort: async () => void (batches.length = 0),
  };
}

async function startWorker(options: HnswBuilderOptions): Promise<HnswBuilder> {
  // Without tsx when run from sources, the worker fails to start and the build goes on in thread.
  const worker = startModuleWorker(siblingModule(import.meta.url, 'hnsw-build-worker'));
  let failure: Error | undefined;
  let pending: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    pending?.reject(error);
    pending = undefined;
  };
  const next = () => new Promise<void>((resolve, reject) => (failure ? reject(failure) : (pending = { resolve, reject })));
  worker.on('message', (reply: HnswWorkerReply) => {
    if (reply.type === 'error') {
      const code = reply.code === 'INDEX_WRITE_FAILED' ? 'INDEX_WRITE_FAILED' : 'INTERNAL';
      fail(new AppError(code, reply.message));
    } else {
      pending?.resolve();
      pending = undefined;
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new AppError('INTERNAL', `The HNSW build worker exited (code ${code}) before finishing; run the index build again.`)));
  const ready = next();
  worker.postMessage({ type: 'init', dimensions: options.dimensions, capacity: options.capacity } satisfies HnswWorkerRequest);
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  // Never terminate() this worker: a thread stopped in the middle of an hnswlib call (an insertion, the write) makes
  // the addon throw into a dying environment, which aborts the whole process. It is asked to close instead and ends
  // after the messages already sent, in order.
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      worker.removeAllListeners('exit');
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' } satisfies HnswWorkerRequest);
    }));
  let finishing: Promise<void> | undefined;
  return {
    threaded: true,
    add: (keys, vectors) => worker.postMessage({ type: 'add', keys, vectors } satisfies HnswWorkerRequest, [keys.buffer as ArrayBuffer, vectors.buffer as ArrayBuffer]),
    finish(file) {
      finishing = (async () => {
        try {
          if (failure) throw failure;
          const done = next();
          worker.postMessage({ type: 'finish', file } satisfies HnswWorkerRequest);
          await done;
        } finally {
          await close();
        }
      })();
      return finishing;
    },
    async abort() {
      if (finishing) await finishing.catch(() => {});
      await close();
    },
  };
}

/**
 * `HnswVectorIndex.updateFile` on a worker thread, so that the graph update (reading the previous graph, inserting
 * the new vectors, writing and verifying) runs while the calling thread builds the lexical index and writes the other
 * files. Runs on the calling thread when no worker can be started. Same results and errors as `updateFile`
 * (INDEX_CORRUPT for an unusable previous file, so the caller can fall back to a full build).
 */
export async function updateHnswFileOffThread(
  previousFile: string,
  newFile: string,
  dimensions: number,
  change: HnswKeyChange,
  options: { reuseDeleted: boolean; checksumVerified: boolean; logger?: Logger },
): Promise<{ elements: number; deleted: number }> {
  let worker: ReturnType<typeof startModuleWorker>;
  try {
    worker = startModuleWorker(siblingModule(import.meta.url, 'hnsw-build-worker'));
  } catch (error) {
    (options.logger ?? silentLogger).debug('HNSW update worker unavailable: updating on the calling thread', { reason: (error as Error).message });
    return HnswVectorIndex.updateFile(previousFile, newFile, dimensions, change, { reuseDeleted: options.reuseDeleted, checksumVerified: options.checksumVerified });
  }
  const inThread = () => HnswVectorIndex.updateFile(previousFile, newFile, dimensions, change, { reuseDeleted: options.reuseDeleted, checksumVerified: options.checksumVerified });
  return new Promise((resolve, reject) => {
    let outcome: { ok: { elements: number; deleted: number } } | { error: Error } | { unavailable: Error } | undefined;
    const settle = () => {
      if (outcome && 'ok' in outcome) resolve(outcome.ok);
      else if (outcome && 'error' in outcome) reject(outcome.error);
      else {
        // The worker could not run (no loader for the sources, no threads): the same work here.
        (options.logger ?? silentLogger).debug('HNSW update worker unavailable: updating on the calling thread', {
          reason: outcome && 'unavailable' in outcome ? outcome.unavailable.message : 'the worker ended without an answer',
        });
        inThread().then(resolve, reject);
      }
    };
    worker.on('message', (reply: HnswWorkerReply) => {
      if (reply.type === 'updated') outcome = { ok: { elements: reply.elements, deleted: reply.deleted } };
      else if (reply.type === 'error') {
        const code = reply.code === 'INDEX_WRITE_FAILED' || reply.code === 'INDEX_CORRUPT' ? reply.code : 'INTERNAL';
        outcome = { error: new AppError(code, reply.message) };
      } else return;
      // Never terminate() a worker that used hnswlib (see startWorker): it is asked to close, and ends by itself.
      worker.postMessage({ type: 'close' } satisfies HnswWorkerRequest);
    });
    worker.on('error', (error) => {
      outcome ??= { unavailable: error instanceof Error ? error : new Error(String(error)) };
    });
    worker.once('exit', settle);
    const { keyMap, addedKeys, addedVectors, size } = change;
    worker.postMessage({
      type: 'update',
      previousFile,
      newFile,
      dimensions,
      reuseDeleted: options.reuseDeleted,
      checksumVerified: options.checksumVerified,
      keyMap,
      addedKeys,
      addedVectors,
      size,
    } satisfies HnswWorkerRequest);
  });
}
