import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Size and sha256 (lowercase hex) of a file's content. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** Hashes files away from the calling thread; `close` once every wanted digest has arrived. */
export interface FileHasher {
  /** Digest of the file at `path`; files and byte ranges are hashed one after the other, in the order asked. */
  hash(path: string): Promise<FileDigest>;
  /**
   * Digest of bytes already read. On a SharedArrayBuffer they are hashed by the worker without a copy (the caller
   * must not change them until the digest arrives); otherwise, or without a worker, on the calling thread.
   */
  hashBytes(bytes: Uint8Array): Promise<FileDigest>;
  /** Whether a worker hashes: bytes read into a SharedArrayBuffer are then hashed off this thread. */
  readonly threaded: boolean;
  close(): void;
}

/**
 * The hashing thread. Plain JavaScript with Node built-ins only, run with `eval`, so that it starts the same way from
 * the compiled build and from TypeScript sources, without a loader. Reads each file in 1 MiB blocks.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const block = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, path, bytes }) => {
  if (bytes) {
    parentPort.postMessage({ id, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    return;
  }
  let fd;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, block, 0, block.length, bytes);
      if (n === 0) break;
      hash.update(block.subarray(0, n));
      bytes += n;
    }
    parentPort.postMessage({ id, bytes, sha256: hash.digest('hex') });
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, message: String(error && error.message) } });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

type Reply = { id: number; bytes: number; sha256: string } | { id: number; error: { code?: string; message: string } };

/**
 * A hasher on a worker thread, so that checksums are computed on another core while this thread parses the files.
 * When no worker can be started (or it dies), the pending and later files are hashed by `fallback` on this thread.
 */
export function startFileHasher(fallback: (path: string) => Promise<FileDigest>): FileHasher {
  type Job = { path: string } | { bytes: Uint8Array };
  const pending = new Map<number, { job: Job; resolve: (d: FileDigest) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let worker: Worker | undefined;
  const here = (job: Job): Promise<FileDigest> =>
    'path' in job ? fallback(job.path) : Promise.resolve({ bytes: job.bytes.length, sha256: createHash('sha256').update(job.bytes).digest('hex') });
  const useFallback = () => {
    const orphans = [...pending.values()];
    pending.clear();
    worker = undefined;
    for (const p of orphans) here(p.job).then(p.resolve, p.reject);
  };
  const post = (job: Job): Promise<FileDigest> => {
    if (!worker) return here(job);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      // Referenced only while a digest is awaited: an idle hasher never keeps the process alive.
      if (pending.size === 0) worker!.ref();
      pending.set(id, { job, resolve, reject });
      worker!.postMessage({ id, ...job });
    });
  };
  try {
    // No execArgv: the hashing thread needs no loader (`--import tsx` would cost it a few hundred ms to start).
    worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) worker?.unref();
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else p.resolve({ bytes: reply.bytes, sha256: reply.sha256 });
    });
    worker.on('error', useFallback);
    worker.on('exit', () => {
      if (worker) useFallback();
    });
  } catch {
    worker = undefined;
  }
  return {
    hash: (path) => post({ path }),
    hashBytes: (bytes) => (bytes.buffer instanceof SharedArrayBuffer ? post({ bytes }) : here({ bytes })),
    get threaded() {
      return worker !== undefined;
    },
    close() {
      const w = worker;
      worker = undefined;
      void w?.terminate();
      // Whatever was still asked for is finished here.
      useFallback();
    },
  };
}
