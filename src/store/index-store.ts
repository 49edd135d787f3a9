import { createHash, randomBytes } from 'node:crypto';
import { hostname, platform, uptime } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { IndexMode } from '../core/types.js';
import { startFileHasher, type FileHasher } from './file-hasher.js';
import { acquireIndexLock, errorCode, isLockTemp, LOCK_FILE, readLock, staleReason, type LockDeps, type Release } from './index-lock.js';
import { currentPid, isProcessAlive } from './process-probe.js';
import { nodeStoreFs, type StoreFs } from './store-fs.js';

export type { Release } from './index-lock.js';
export type { StoreFs, StoreFileHandle } from './store-fs.js';

/**
 * On disk:
 *   index/CURRENT                      one line: the id of the live generation (replaced by an atomic rename)
 *   index/.lock                        present while a writer builds (pid, host, start time)
 *   index/gen-<utc time>-<random>/     one build: its files plus manifest.json, written last
 * A generation without manifest.json is unfinished; one with a manifest is complete but only live once CURRENT names it.
 */

/** Size and checksum of one file of a generation. */
export interface ManifestFile {
  bytes: number;
  /** sha256 of the content, lowercase hex. */
  sha256: string;
}

/** What the application records about a build; the store adds `files`. */
export type ManifestFields = {
  /** The application's on-disk format version (a positive integer). */
  formatVersion: number;
  /** ISO time of the build. */
  createdAt: string;
  mode: IndexMode;
  modelId?: string;
  dimensions?: number;
  /** Chunking settings, application-defined. */
  chunking: object;
  /** Counts (articles, chunks, ...), application-defined. */
  counts: object;
  /** Anything else the application wants kept with the build. */
  extra?: object;
};

/** `manifest.json` of a generation: the application's fields plus every file's size and checksum. */
export type IndexManifest<Fields extends ManifestFields = ManifestFields> = Fields & { files: Record<string, ManifestFile> };

/** A complete, checksum-verified generation. */
export interface LiveGeneration {
  /** Folder name, e.g. `gen-20250101T120000000Z-1a2b3c`. */
  id: string;
  /** Absolute or caller-relative path of the generation folder. */
  dir: string;
  manifest: IndexManifest;
}

export interface GenerationWriter {
  readonly id: string;
  readonly dir: string;
  /** Writes a file durably (temporary name, fsync, rename) and records its size and sha256. */
  writeFile(name: string, bytes: Uint8Array | string): Promise<void>;
  /** Where a file written by someone else (hnswlib) goes; record it with `addExternalFile` once written. */
  path(name: string): string;
  /** fsyncs and hashes a file already written at `path(name)`. */
  addExternalFile(name: string): Promise<void>;
  /**
   * Makes `name` a hard link to the file of that name in `fromDir`, an earlier generation of this index whose checksums
   * were verified when it was read, and records it with `recorded`, its manifest entry there: nothing is written,
   * nothing read back. The two generations then share the file's inode, which lives as long as one of them names it:
   * deleting the earlier generation leaves this one whole, and since the store only ever replaces files by renaming
   * new ones over them, neither is ever written into. On a file system without hard links, the file is copied (and
   * its checksum checked against `recorded`).
   */
  linkFile(name: string, fromDir: string, recorded: ManifestFile): Promise<void>;
  /**
   * Writes manifest.json, verifies every file by reading it back, then makes this generation live by replacing
   * CURRENT atomically, and deletes complete generations older than the previous one. Returns the generation id.
   */
  commit<Fields extends ManifestFields>(manifest: Fields): Promise<string>;
  /** Removes the unfinished generation folder (no-op once committed). */
  abort(): Promise<void>;
}

/** A generation handed to a loader by {@link IndexStore.loadLive}, while its checksums are being verified. */
export interface GenerationReader extends LiveGeneration {
  /** The bytes of a file the manifest lists (INDEX_CORRUPT if it cannot be read); its checksum is verified alongside. */
  readFile(name: string): Promise<Buffer>;
  /**
   * Resolves once the file matched its size and sha256 in the manifest (INDEX_CORRUPT if not): for a file the loader
   * does not read through `readFile` (a native library reads it by itself). `loadLive` waits for every file anyway.
   */
  verified(name: string): Promise<void>;
}

export interface IndexStore {
  readonly dir: string;
  beginGeneration(): Promise<GenerationWriter>;
  /** The live generation, verified; falls back to the previous complete one if it is damaged. Undefined: no index. */
  readLive(): Promise<LiveGeneration | undefined>;
  /**
   * Loads the live generation with `load` while its files' checksums are computed on another thread, so parsing and
   * hashing overlap: the result is returned only once every file of the manifest matched, and a damaged generation
   * falls back to the previous complete one as `readLive` does (whatever `load` made of it is dropped). An error that
   * `load` throws on a generation whose files all matched is thrown as is. Undefined: no index.
   */
  loadLive<T>(load: (generation: GenerationReader) => Promise<T>): Promise<T | undefined>;
  /** Removes what interrupted builds left (unfinished or uncommitted generations, temporary files); skips if another process holds the lock. */
  cleanup(): Promise<void>;
  /** Takes the single-writer lock of the index folder (INDEX_LOCKED when a live process holds it). */
  lock(): Promise<Release>;
}

export interface StoreDeps {
  /** File system (default: node:fs/promises); tests inject faults through it. */
  fs?: StoreFs;
  logger?: Logger;
  /** Clock for generation names, lock times and manifest checks (default: system clock). */
  now?: () => Date;
  /** Pid written into the lock (default: this process). */
  pid?: number;
  /** Host written into the lock (default: os.hostname()). */
  hostname?: string;
  /** Liveness of a pid on this host (default: signal 0). */
  isProcessAlive?: (pid: number) => boolean;
  /** A lock older than this is stale whatever its pid, in milliseconds (default 24 hours). */
  staleLockMs?: number;
}

export const POINTER_FILE = 'CURRENT';
/** Errors of `link` that mean the file system cannot hard-link here (the file is then copied). */
const NO_LINK_CODES = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);
export const MANIFEST_FILE = 'manifest.json';
const GEN_RE = /^gen-(\d{8}T\d{9}Z)-([0-9a-f]{6})$/;
const TEMP_MARK = '.tmp-';
const FILE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

/** Opens (without touching the disk) the index store rooted at `indexDir`. */
export function openStore(indexDir: string, deps: StoreDeps = {}): IndexStore {
  const fs = deps.fs ?? nodeStoreFs;
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const lockDeps: LockDeps = {
    fs,
    logger,
    now,
    pid: deps.pid ?? currentPid,
    hostname: deps.hostname ?? hostname(),
    isProcessAlive: deps.isProcessAlive ?? isProcessAlive,
    bootTime: new Date(Date.now() - uptime() * 1000 - 60_000),
    staleLockMs: deps.staleLockMs ?? 24 * 60 * 60 * 1000,
  };
  /** Generations this store is writing right now: cleanup never touches them. */
  const writing = new Set<string>();
  let heldToken: string | undefined;
  const pointerPath = join(indexDir, POINTER_FILE);

  const writeFailed = (what: string, error: unknown): AppError =>
    isAppError(error)
      ? error
      : new AppError(
          'INDEX_WRITE_FAILED',
          `Could not ${what} (${errorCode(error)}); free disk space or make ${indexDir} writable, then run "sourcier index" again. The live index is unchanged.`,
          { cause: error },
        );

  /** Writes `path` via a temporary sibling: open exclusive, write, fsync, close, rename. */
  const writeDurable = async (path: string, data: Uint8Array | string): Promise<void> => {
    const temp = `${path}${TEMP_MARK}${randomBytes(4).toString('hex')}`;
    try {
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, path);
    } catch (error) {
      await fs.rm(temp, { recursive: false, force: true }).catch(() => {});
      throw error;
    }
  };

  /** fsync of a folder makes renames in it durable; where the platform cannot do it (Windows, some file systems), skip it. */
  const fsyncDir = async (dir: string): Promise<void> => {
    try {
      const handle = await fs.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || (platform() === 'win32' && code === 'EPERM')) return;
      throw error;
    }
  };

  const hashFile = async (path: string): Promise<ManifestFile> => {
    const handle = await fs.open(path, 'r');
    try {
      const hash = createHash('sha256');
      const buf = new Uint8Array(1 << 20);
      let bytes = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, bytes);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        bytes += bytesRead;
      }
      return { bytes, sha256: hash.digest('hex') };
    } finally {
      await handle.close();
    }
  };

  /**
   * Reads a file of known size in one request to the thread pool where possible. fs.readFile reads 512 KiB at a time,
   * each next block issued from this thread: while this thread runs something long (loading the embedding model
   * alongside the index), the read stalls.
   */
  const readWhole = async (path: string, size: number, shared = false): Promise<Buffer> => {
    const handle = await fs.open(path, 'r');
    try {
      const bytes = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(bytes, at, size - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === size ? bytes : bytes.subarray(0, at);
    } finally {
      await handle.close();
    }
  };

  const listGenerations = async (): Promise<string[] | undefined> => {
    let names: string[];
    try {
      names = await fs.readdir(indexDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AppError('INDEX_CORRUPT', `Cannot list the index folder ${indexDir} (${errorCode(error)}); check its permissions.`, { cause: error });
    }
    return names.filter((n) => GEN_RE.test(n)).sort();
  };

  /** The id CURRENT names: undefined if there is no pointer, null if it is unreadable or names nothing valid. */
  const readPointer = async (): Promise<string | undefined | null> => {
    try {
      const id = (await fs.readFile(pointerPath)).toString('utf8').trim();
      return GEN_RE.test(id) ? id : null;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
    }
  };

  const hasManifest = async (id: string): Promise<boolean> => {
    try {
      await fs.stat(join(indexDir, id, MANIFEST_FILE));
      return true;
    } catch {
      return false;
    }
  };

  const damagedIn = (dir: string) => (what: string, cause?: unknown) =>
    new AppError('INDEX_CORRUPT', `Index generation ${dir} is damaged: ${what}.`, cause === undefined ? undefined : { cause });

  /** Reads a generation's manifest and checks its shape and every file's size; throws INDEX_CORRUPT saying what is wrong. */
  const readManifest = async (id: string): Promise<LiveGeneration> => {
    const dir = join(indexDir, id);
    const damaged = damagedIn(dir);
    let raw: unknown;
    try {
      raw = JSON.parse((await fs.readFile(join(dir, MANIFEST_FILE))).toString('utf8'));
    } catch (error) {
      throw damaged(`${MANIFEST_FILE} cannot be read (${errorCode(error)})`, error);
    }
    const problem = manifestProblem(raw);
    if (problem) throw damaged(`${MANIFEST_FILE} ${problem}`);
    const manifest = raw as IndexManifest;
    for (const [name, expected] of Object.entries(manifest.files)) {
      let size: number;
      try {
        size = (await fs.stat(join(dir, name))).size;
      } catch (error) {
        throw damaged(`${name} cannot be read (${errorCode(error)})`, error);
      }
      if (size !== expected.bytes) throw damaged(`${name} has ${size} bytes, the manifest records ${expected.bytes}`);
    }
    return { id, dir, manifest };
  };

  /** Checks a file's digest against its manifest entry; throws INDEX_CORRUPT saying what is wrong. */
  const checkDigest = async (dir: string, name: string, expected: ManifestFile, digest: Promise<ManifestFile>): Promise<void> => {
    let actual: ManifestFile;
    try {
      actual = await digest;
    } catch (error) {
      throw damagedIn(dir)(`${name} cannot be read (${errorCode(error)})`, error);
    }
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) throw damagedIn(dir)(`${name} does not match its checksum`);
  };

  /** Checks a file against its manifest entry with `hash`; throws INDEX_CORRUPT saying what is wrong. */
  const checkFile = (dir: string, name: string, expected: ManifestFile, hash: (path: string) => Promise<ManifestFile>): Promise<void> =>
    checkDigest(dir, name, expected, Promise.resolve().then(() => hash(join(dir, name))));

  /** Reads and verifies a generation; throws INDEX_CORRUPT saying what is wrong. */
  const verifyGeneration = async (id: string): Promise<LiveGeneration> => {
    const live = await readManifest(id);
    for (const [name, expected] of Object.entries(live.manifest.files)) await checkFile(live.dir, name, expected, hashFile);
    return live;
  };

  /** Runs `load` on a generation while a hasher verifies its files (see IndexStore.loadLive). */
  const loadVerified = async <T>(id: string, load: (generation: GenerationReader) => Promise<T>): Promise<T> => {
    const live = await readManifest(id);
    const { dir, manifest } = live;
    const damaged = damagedIn(dir);
    // The worker reads files by itself: an injected file system (fault tests) is honoured by hashing on this thread.
    const hasher: FileHasher = fs === nodeStoreFs ? startFileHasher(hashFile) : inThreadHasher(hashFile);
    const checks = new Map<string, Promise<void>>();
    const check = (name: string): Promise<void> => {
      let c = checks.get(name);
      if (!c) {
        const expected = manifest.files[name];
        c = expected ? checkFile(dir, name, expected, hasher.hash) : Promise.reject(damaged(`${name} is missing from ${MANIFEST_FILE}`));
        c.catch(() => {}); // awaited below; a rejection before that is not unhandled
        checks.set(name, c);
      }
      return c;
    };
    // What the reader itself found wrong counts as damage too, whatever the loader does with the error.
    const readFailures: AppError[] = [];
    const readFailure = (what: string, cause?: unknown): AppError => {
      const error = damaged(what, cause);
      readFailures.push(error);
      return error;
    };
    const reader: GenerationReader = {
      ...live,
      readFile(name) {
        const expected = manifest.files[name];
        if (!expected) return Promise.reject(readFailure(`${name} is missing from ${MANIFEST_FILE}`));
        // Into shared memory when a worker hashes: it hashes these very bytes, without reading the file again.
        const reading = readWhole(join(dir, name), expected.bytes, hasher.threaded).then(
          (bytes) => {
            if (bytes.length !== expected.bytes) throw readFailure(`${name} has ${bytes.length} bytes, the manifest records ${expected.bytes}`);
            return bytes;
          },
          (error: unknown) => {
            throw readFailure(`${name} cannot be read (${errorCode(error)})`, error);
          },
        );
        if (!checks.has(name)) {
          // Registered before the first await, so the loop below does not hash this file a second time by its path.
          const c = reading.then((bytes) => checkDigest(dir, name, expected, hasher.hashBytes(bytes)));
          c.catch(() => {});
          checks.set(name, c);
        }
        return reading;
      },
      verified: check,
    };
    try {
      const loading = load(reader).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // Then every other file, while the loader works.
      for (const name of Object.keys(manifest.files)) void check(name);
      const outcome = await loading;
      const settled = await Promise.allSettled(checks.values());
      const bad = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason ?? readFailures[0];
      if (bad) throw bad; // damaged: the caller falls back to the previous generation
      if (!outcome.ok) throw new LoaderFailure(outcome.error);
      return outcome.value;
    } finally {
      hasher.close();
    }
  };

  /** Opens the live generation with `open` (falling back as documented on readLive); reads again if the pointer moved. */
  const openLive = async <R>(open: (id: string) => Promise<R>): Promise<R | undefined> => {
    // A writer may switch CURRENT and delete old generations while we verify: if the pointer moved, read again.
    for (let attempt = 0; ; attempt++) {
      const pointer = await readPointer();
      try {
        return await openLiveOnce(open);
      } catch (error) {
        if (attempt >= 2 || !isAppError(error, 'INDEX_CORRUPT') || (await readPointer()) === pointer) throw error;
        logger.info('index changed while it was read; reading it again', { dir: indexDir });
      }
    }
  };

  const readLive = (): Promise<LiveGeneration | undefined> => openLive(verifyGeneration);

  const loadLive = async <T>(load: (generation: GenerationReader) => Promise<T>): Promise<T | undefined> => {
    try {
      return await openLive((id) => loadVerified(id, load));
    } catch (error) {
      throw error instanceof LoaderFailure ? error.error : error;
    }
  };

  const openLiveOnce = async <R>(open: (id: string) => Promise<R>): Promise<R | undefined> => {
    const gens = await listGenerations();
    const pointer = await readPointer();
    if (!gens || (gens.length === 0 && pointer === undefined)) return undefined;

    let candidates: string[];
    let firstFailure: AppError | undefined;
    if (pointer && gens.includes(pointer)) {
      try {
        return await open(pointer);
      } catch (error) {
        if (!isAppError(error, 'INDEX_CORRUPT')) throw error;
        firstFailure = error;
        logger.warn('live index generation is damaged; trying the previous one', { generation: pointer, reason: error.message });
      }
      candidates = gens.filter((g) => g < pointer).reverse();
    } else {
      // No pointer (a first build stopped between manifest and pointer) or a damaged one: newest complete generation.
      if (pointer !== undefined) logger.warn('index pointer is damaged or names a missing generation', { pointer: pointerPath });
      candidates = [...gens].reverse();
    }
    let sawComplete = false;
    for (const id of candidates) {
      if (!(await hasManifest(id))) continue;
      sawComplete = true;
      try {
        const live = await open(id);
        if (pointer === undefined && !firstFailure) {
          // The first build stopped between its manifest and its pointer: that generation is complete and verified.
          logger.info('index pointer missing; serving the newest complete generation', { generation: id });
        } else {
          logger.warn('serving an earlier index generation; run "sourcier index" to rebuild', { generation: id, pointer: pointer ?? null });
        }
        return live;
      } catch (error) {
        if (!isAppError(error, 'INDEX_CORRUPT')) throw error;
        firstFailure ??= error;
        logger.warn('index generation is damaged', { generation: id, reason: error.message });
      }
    }
    if (pointer === undefined && !sawComplete) return undefined; // only unfinished builds: there is no index yet
    const detail = firstFailure ? firstFailure.message : `${pointerPath} is damaged and no complete generation exists`;
    throw new AppError(
      'INDEX_CORRUPT',
      `${detail} No earlier generation in ${indexDir} is intact; run "sourcier index --rebuild" to rebuild the index from the corpus.`,
      firstFailure ? { cause: firstFailure } : undefined,
    );
  };

  /** A new generation id, later than every existing one even if the clock went backwards. */
  const newId = (existing: string[]): string => {
    let t = now().getTime();
    const last = existing.at(-1)?.match(GEN_RE)?.[1];
    if (last) t = Math.max(t, stampToMs(last) + 1);
    return `gen-${msToStamp(t)}-${randomBytes(3).toString('hex')}`;
  };

  /** Deletes a complete generation: its manifest first, so a crash halfway leaves an unfinished folder, never a fake complete one. */
  const removeGeneration = async (id: string): Promise<void> => {
    const dir = join(indexDir, id);
    await fs.rm(join(dir, MANIFEST_FILE), { recursive: false, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  };

  const beginGeneration = async (): Promise<GenerationWriter> => {
    let id: string;
    let dir: string;
    try {
      await fs.mkdir(indexDir, { recursive: true });
      id = newId((await listGenerations()) ?? []);
      dir = join(indexDir, id);
      await fs.mkdir(dir, { recursive: false });
    } catch (error) {
      throw writeFailed(`create a new generation in ${indexDir}`, error);
    }
    writing.add(id);
    const files = new Map<string, ManifestFile>();
    // Each file written is read back and hashed on another thread as soon as it is durable, while the build goes on:
    // a full disk can leave short files behind calls that reported success. The commit waits for every check.
    let hasher: FileHasher | undefined;
    const readBacks = new Map<string, Promise<void>>();
    const readBack = (name: string, expected: ManifestFile): Promise<void> => {
      hasher ??= fs === nodeStoreFs ? startFileHasher(hashFile) : inThreadHasher(hashFile);
      const path = join(dir, name);
      const check = hasher.hash(path).then(
        (actual) => {
          if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
            throw new AppError(
              'INDEX_WRITE_FAILED',
              `${path} reads back ${actual.bytes} bytes that do not match what was written; check free disk space and run "sourcier index" again. The live index is unchanged.`,
            );
          }
        },
        (error: unknown) => {
          throw writeFailed(`read back ${path}`, error);
        },
      );
      check.catch(() => {}); // awaited by commit
      return check;
    };
    const closeHasher = () => {
      hasher?.close();
      hasher = undefined;
    };
    let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
    const checkName = (name: string) => {
      if (!FILE_NAME_RE.test(name) || name === MANIFEST_FILE || name.includes(TEMP_MARK)) {
        throw new AppError('INTERNAL', `"${name}" cannot be a generation file name (letters, digits, ".", "_", "-"; not ${MANIFEST_FILE}).`);
      }
    };
    const checkOpen = () => {
      if (state !== 'open') throw new AppError('INTERNAL', `Generation ${id} is ${state}; start a new one.`);
    };

    const writer: GenerationWriter = {
      id,
      dir,
      path(name) {
        checkName(name);
        return join(dir, name);
      },
      async writeFile(name, bytes) {
        checkName(name);
        checkOpen();
        const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
        try {
          await writeDurable(join(dir, name), data);
        } catch (error) {
          throw writeFailed(`write ${join(dir, name)}`, error);
        }
        const written = { bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
        files.set(name, written);
        readBacks.set(name, readBack(name, written));
      },
      async addExternalFile(name) {
        checkName(name);
        checkOpen();
        try {
          const handle = await fs.open(join(dir, name), 'r');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
          files.set(name, await hashFile(join(dir, name)));
        } catch (error) {
          throw writeFailed(`record ${join(dir, name)}`, error);
        }
        // Its checksum was just taken from the file itself: reading it back would compare the file with itself. The
        // writer of such a file checks what it wrote (HnswVectorIndex.writeTo reloads the graph into a fresh object).
        readBacks.set(name, Promise.resolve());
      },
      async linkFile(name, fromDir, recorded) {
        checkName(name);
        checkOpen();
        const from = join(fromDir, name);
        const to = join(dir, name);
        try {
          await fs.link(from, to);
        } catch (error) {
          if (!NO_LINK_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw writeFailed(`link ${to} to ${from}`, error);
          let bytes: Buffer;
          try {
            bytes = await fs.readFile(from);
          } catch (readError) {
            throw writeFailed(`copy ${from}`, readError);
          }
          if (bytes.length !== recorded.bytes || createHash('sha256').update(bytes).digest('hex') !== recorded.sha256) {
            throw new AppError('INDEX_WRITE_FAILED', `${from} changed since it was verified; run "sourcier index --rebuild". The live index is unchanged.`);
          }
          await writer.writeFile(name, bytes);
          return;
        }
        let size: number;
        try {
          size = (await fs.stat(to)).size;
        } catch (error) {
          throw writeFailed(`record ${to}`, error);
        }
        // The earlier generation's file was verified when it was read; a different size means it was changed since.
        if (size !== recorded.bytes) {
          throw new AppError('INDEX_WRITE_FAILED', `${from} has ${size} bytes, ${recorded.bytes} when it was verified; run "sourcier index --rebuild". The live index is unchanged.`);
        }
        files.set(name, { bytes: recorded.bytes, sha256: recorded.sha256 });
        readBacks.set(name, Promise.resolve());
      },
      async commit(fields) {
        checkOpen();
        state = 'committing';
        try {
          const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
          const manifest = { ...fields, files: sorted };
          const problem = manifestProblem(manifest);
          if (problem) throw new AppError('INTERNAL', `The manifest of ${id} ${problem}.`);
          const text = `${JSON.stringify(manifest, null, 2)}\n`;
          try {
            await fsyncDir(dir); // the renames of the data files
            await writeDurable(join(dir, MANIFEST_FILE), text);
            await fsyncDir(dir);
          } catch (error) {
            throw writeFailed(`write ${join(dir, MANIFEST_FILE)}`, error);
          }
          // Every file read back as written (each check started as soon as its file was durable).
          for (const check of readBacks.values()) await check;
          let reread: string;
          try {
            reread = (await fs.readFile(join(dir, MANIFEST_FILE))).toString('utf8');
          } catch (error) {
            throw writeFailed(`read back ${join(dir, MANIFEST_FILE)}`, error);
          }
          if (reread !== text) throw new AppError('INDEX_WRITE_FAILED', `${join(dir, MANIFEST_FILE)} does not read back as written; check the disk and run "sourcier index" again.`);

          const previous = await readPointer();
          try {
            await writeDurable(pointerPath, `${id}\n`);
          } catch (error) {
            throw writeFailed(`switch ${pointerPath} to the new generation`, error);
          }
          state = 'committed';
          writing.delete(id);
          // From here on the new generation is live: nothing may throw, or a caller's abort() would undo a success.
          try {
            await fsyncDir(indexDir);
          } catch (error) {
            logger.warn('could not fsync the index folder after switching generations', { dir: indexDir, error });
          }
          await prune(id, typeof previous === 'string' ? previous : undefined).catch((error: unknown) =>
            logger.warn('could not delete old index generations', { dir: indexDir, error }),
          );
          logger.info('index generation committed', { generation: id, files: files.size });
          return id;
        } catch (error) {
          if (state === 'committing') state = 'open';
          throw error;
        } finally {
          if (state === 'committed') closeHasher();
        }
      },
      async abort() {
        if (state === 'committed' || state === 'aborted') return;
        state = 'aborted';
        writing.delete(id);
        await Promise.allSettled(readBacks.values());
        closeHasher();
        if ((await readPointer()) === id) return; // never remove what CURRENT names
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
    return writer;
  };

  /** Keeps `live` and `previous` (or, if that is not complete, the newest complete one before `live`); removes older complete ones. */
  const prune = async (live: string, previous: string | undefined): Promise<void> => {
    const gens = (await listGenerations()) ?? [];
    const complete: string[] = [];
    for (const g of gens) if (g < live && (await hasManifest(g))) complete.push(g);
    const keep = previous && complete.includes(previous) ? previous : complete.at(-1);
    for (const g of complete) {
      if (g === keep || writing.has(g)) continue;
      await removeGeneration(g);
      logger.debug('old index generation deleted', { generation: g });
    }
  };

  const cleanup = async (): Promise<void> => {
    const lockState = await readLock(fs, join(indexDir, LOCK_FILE));
    if (lockState !== 'absent' && lockState?.token !== heldToken && !staleReason(lockState, lockDeps)) {
      logger.info('index cleanup skipped: another process is writing', { pid: lockState?.pid ?? null });
      return;
    }
    let names: string[];
    try {
      names = await fs.readdir(indexDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw writeFailed(`list ${indexDir}`, error);
    }
    const gens = names.filter((n) => GEN_RE.test(n)).sort();
    const pointer = await readPointer();
    const live = pointer && gens.includes(pointer) ? pointer : undefined;
    const complete: string[] = [];
    for (const g of gens) if (await hasManifest(g)) complete.push(g);
    const previous = live ? complete.filter((g) => g < live).at(-1) : undefined;
    const removed: string[] = [];
    const remove = async (name: string, how: () => Promise<void>) => {
      try {
        await how();
        removed.push(name);
      } catch (error) {
        logger.warn('could not remove an index leftover', { path: join(indexDir, name), error });
      }
    };
    for (const g of gens) {
      if (g === live || g === previous || writing.has(g)) continue;
      if (!complete.includes(g)) await remove(g, () => fs.rm(join(indexDir, g), { recursive: true, force: true }));
      // Complete but not live: uncommitted (newer than live) or surplus (older than previous). Without a valid
      // pointer every complete generation is a candidate for readLive's fallback, so none is removed.
      else if (live) await remove(g, () => removeGeneration(g));
    }
    for (const n of names) {
      if (n.startsWith(`${POINTER_FILE}${TEMP_MARK}`) || isLockTemp(n)) {
        await remove(n, () => fs.rm(join(indexDir, n), { recursive: false, force: true }));
      }
    }
    if (removed.length > 0) logger.info('leftovers of interrupted index builds removed', { removed });
  };

  const lock = async (): Promise<Release> => {
    const { release, info } = await acquireIndexLock(indexDir, lockDeps);
    heldToken = info.token;
    return async () => {
      if (heldToken === info.token) heldToken = undefined;
      await release();
    };
  };

  return { dir: indexDir, beginGeneration, readLive, loadLive, cleanup, lock };
}

/** Hashes on the calling thread: with an injected file system (whose faults a worker would not see). */
function inThreadHasher(hashFile: (path: string) => Promise<ManifestFile>): FileHasher {
  return {
    hash: hashFile,
    hashBytes: async (bytes) => ({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }),
    threaded: false,
    close() {},
  };
}

/** An error a loader threw on a generation whose files all matched: passed through, never a reason to fall back. */
class LoaderFailure extends Error {
  constructor(readonly error: unknown) {
    super('index loader failed');
  }
}

/** What is wrong with a parsed manifest, or undefined when its shape is sound. */
export function manifestProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return 'is not a JSON object';
  const m = raw as Record<string, unknown>;
  if (!Number.isInteger(m.formatVersion) || (m.formatVersion as number) < 1) return 'has no valid formatVersion';
  if (typeof m.createdAt !== 'string' || !Number.isFinite(Date.parse(m.createdAt))) return 'has no valid createdAt';
  if (m.mode !== 'hybrid' && m.mode !== 'lexical') return `has an unknown mode ${JSON.stringify(m.mode)}`;
  if (m.modelId !== undefined && typeof m.modelId !== 'string') return 'has an invalid modelId';
  if (m.dimensions !== undefined && !(Number.isInteger(m.dimensions) && (m.dimensions as number) > 0)) return 'has invalid dimensions';
  if (m.mode === 'hybrid' && (typeof m.modelId !== 'string' || m.dimensions === undefined)) return 'is hybrid without modelId and dimensions';
  if (!isObject(m.chunking)) return 'has no chunking object';
  if (!isObject(m.counts)) return 'has no counts object';
  if (m.extra !== undefined && !isObject(m.extra)) return 'has an invalid extra field';
  if (!isObject(m.files)) return 'has no files table';
  for (const [name, f] of Object.entries(m.files as Record<string, unknown>)) {
    if (!FILE_NAME_RE.test(name) || name === MANIFEST_FILE || name.includes(TEMP_MARK)) return `lists an invalid file name ${JSON.stringify(name)}`;
    if (!isObject(f)) return `has no size and checksum for ${name}`;
    const e = f as Record<string, unknown>;
    if (!Number.isSafeInteger(e.bytes) || (e.bytes as number) < 0) return `has an invalid size for ${name}`;
    if (typeof e.sha256 !== 'string' || !SHA256_RE.test(e.sha256)) return `has an invalid sha256 for ${name}`;
  }
  return undefined;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `20250101T120000123Z` <-> epoch milliseconds (UTC), sortable as text. */
function msToStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function stampToMs(stamp: string): number {
  const m = stamp.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) : 0;
}
