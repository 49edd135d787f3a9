import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../src/core/app-error.js';
import { openStore, type GenerationReader, type IndexStore, type StoreDeps } from '../../src/store/index-store.js';
import { nodeStoreFs } from '../../src/store/store-fs.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';
import { faultyFs, named, type Fault } from './faulty-fs.js';
import { commitBuild, fileContent, manifestFields, recordingLogger } from './helpers.js';
import { codeOf } from '../helpers/error-code.js';

let root: string;
let indexDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sourcier-store-'));
  indexDir = join(root, 'index');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const store = (deps: StoreDeps = {}): IndexStore => openStore(indexDir, deps);
const generations = async () => (await readdir(indexDir)).filter((n) => n.startsWith('gen-')).sort();

async function flipBit(path: string, bit: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[(bit >> 3) % bytes.length]! ^= 1 << (bit & 7);
  await writeFile(path, bytes);
}

describe('openStore: generations', () => {
  it('has no live generation before the first build, even without an index folder', async () => {
    expect(await store().readLive()).toBeUndefined();
    await mkdir(indexDir);
    expect(await store().readLive()).toBeUndefined();
  });

  it('returns a committed generation with its manifest, sizes and checksums', async () => {
    const id = await commitBuild(store(), 1);
    expect(id).toMatch(/^gen-\d{8}T\d{9}Z-[0-9a-f]{6}$/);
    expect((await readFile(join(indexDir, 'CURRENT'), 'utf8')).trim()).toBe(id);
    const live = await store().readLive();
    expect(live?.id).toBe(id);
    expect(live?.dir).toBe(join(indexDir, id));
    expect(live?.manifest).toMatchObject({ formatVersion: 1, mode: 'lexical', counts: { articles: 1, chunks: 3 }, extra: { build: 1 } });
    const chunks = fileContent(1, 'chunks.bin', 5001);
    expect(live?.manifest.files['chunks.bin']).toEqual({ bytes: 5001, sha256: createHash('sha256').update(chunks).digest('hex') });
    expect(Object.keys(live!.manifest.files).sort()).toEqual(['articles.json', 'chunks.bin', 'lexical.bin']);
  });

  it('keeps the live and the previous generation, deleting the oldest when a third is committed', async () => {
    const s = store();
    const first = await commitBuild(s, 1);
    const second = await commitBuild(s, 2);
    expect(await generations()).toEqual([first, second]);
    const third = await commitBuild(s, 3);
    expect(await generations()).toEqual([second, third]);
    expect((await s.readLive())?.id).toBe(third);
  });

  it('names generations in commit order even when the clock goes backwards', async () => {
    let t = Date.UTC(2025, 0, 1, 12);
    const s = store({ now: () => new Date((t -= 60_000)) });
    const ids = [await commitBuild(s, 1), await commitBuild(s, 2), await commitBuild(s, 3)];
    expect([...ids].sort()).toEqual(ids);
    expect((await s.readLive())?.id).toBe(ids[2]);
  });

  it('records a file written by hnswlib and serves it back', async () => {
    const s = store();
    const writer = await s.beginGeneration();
    const index = HnswVectorIndex.create(8, 10);
    for (let i = 0; i < 10; i++) index.add(i, Float32Array.from({ length: 8 }, (_, d) => Math.sin(i * 8 + d)));
    await index.writeTo(writer.path('vectors.hnsw'));
    await writer.addExternalFile('vectors.hnsw');
    await writer.commit({ ...manifestFields(1), mode: 'hybrid', modelId: 'test/tiny', dimensions: 8 });
    const live = await s.readLive();
    expect(live?.manifest.files['vectors.hnsw']?.bytes).toBeGreaterThan(96);
    const loaded = await HnswVectorIndex.readFrom(join(live!.dir, 'vectors.hnsw'), 8, 10);
    expect(loaded.search(Float32Array.from({ length: 8 }, (_, d) => Math.sin(3 * 8 + d)), 1)[0]!.key).toBe(3);
  });

  it('refuses file names that could escape the generation folder', async () => {
    const writer = await store().beginGeneration();
    for (const name of ['../CURRENT', 'a/b', 'manifest.json', '.hidden', 'x.tmp-1', '']) {
      expect(await codeOf(writer.writeFile(name, 'x')), name).toBe('INTERNAL');
    }
    await writer.abort();
  });

  it('removes an aborted generation and never the live one', async () => {
    const s = store();
    const live = await commitBuild(s, 1);
    const writer = await s.beginGeneration();
    await writer.writeFile('chunks.bin', 'partial');
    await writer.abort();
    expect(await generations()).toEqual([live]);

    const committed = await s.beginGeneration();
    await committed.writeFile('a.bin', 'a');
    const id = await committed.commit(manifestFields(2));
    await committed.abort();
    expect((await s.readLive())?.id).toBe(id);
  });
});

describe('openStore: damaged generations', () => {
  it('falls back to the previous generation when any bit of a live file flips, with a warning', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    const original = await readFile(join(indexDir, live, 'chunks.bin'));
    for (const bit of [0, 7, 8 * 2500 + 3, 8 * 5001 - 1]) {
      await flipBit(join(indexDir, live, 'chunks.bin'), bit);
      const logger = recordingLogger();
      const served = await store({ logger }).readLive();
      expect(served?.id, `bit ${bit}`).toBe(previous);
      expect(served?.manifest.extra).toEqual({ build: 1 });
      expect(logger.warnings().some((w) => w.includes('damaged'))).toBe(true);
      await writeFile(join(indexDir, live, 'chunks.bin'), original);
    }
    expect((await s.readLive())?.id).toBe(live);
  });

  it('falls back when a live file is missing, truncated or its manifest is not JSON', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    const dir = join(indexDir, live);
    const manifest = await readFile(join(dir, 'manifest.json'));
    const lexical = await readFile(join(dir, 'lexical.bin'));

    await rm(join(dir, 'lexical.bin'));
    expect((await s.readLive())?.id).toBe(previous);
    await writeFile(join(dir, 'lexical.bin'), lexical.subarray(0, 100));
    expect((await s.readLive())?.id).toBe(previous);
    await writeFile(join(dir, 'lexical.bin'), lexical);
    expect((await s.readLive())?.id).toBe(live);
    await writeFile(join(dir, 'manifest.json'), manifest.subarray(0, 50));
    expect((await s.readLive())?.id).toBe(previous);
    await writeFile(join(dir, 'manifest.json'), manifest.toString().replace('"formatVersion": 1', '"formatVersion": "1"'));
    expect((await s.readLive())?.id).toBe(previous);
  });

  it('throws INDEX_CORRUPT saying how to rebuild when no generation is intact', async () => {
    const s = store();
    const first = await commitBuild(s, 1);
    const second = await commitBuild(s, 2);
    await flipBit(join(indexDir, first, 'articles.json'), 3);
    await flipBit(join(indexDir, second, 'lexical.bin'), 100);
    const error = await s.readLive().catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain('sourcier index');
    expect((error as Error).message).toContain('lexical.bin');
  });

  it('reads again when a writer switches generations and deletes the one being verified', async () => {
    await commitBuild(store(), 1);
    await commitBuild(store(), 2);
    let raced = false;
    const racingFs: StoreDeps['fs'] = {
      ...nodeStoreFs,
      readFile: async (path) => {
        if (!raced && path.endsWith('manifest.json')) {
          raced = true; // two builds land while this reader is between the pointer and the manifest
          await commitBuild(store(), 3);
          await commitBuild(store(), 4);
        }
        return nodeStoreFs.readFile(path);
      },
    };
    const live = await store({ fs: racingFs }).readLive();
    expect(raced).toBe(true);
    expect(live?.manifest.extra).toEqual({ build: 4 });
  });

  it('serves the newest complete generation when the pointer is damaged or missing', async () => {
    const s = store();
    await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    await writeFile(join(indexDir, 'CURRENT'), 'gen-garbage/../../etc');
    const logger = recordingLogger();
    expect((await store({ logger }).readLive())?.id).toBe(live);
    expect(logger.warnings().length).toBeGreaterThan(0);
    await rm(join(indexDir, 'CURRENT'));
    expect((await s.readLive())?.id).toBe(live);
  });
});

describe('openStore: loadLive (checksums verified while the loader parses)', () => {
  /** A loader that reads chunks.bin and records which generations it was handed. */
  const chunkLoader = (seen: string[]) => async (g: GenerationReader) => {
    seen.push(g.id);
    return { id: g.id, chunks: await g.readFile('chunks.bin') };
  };

  it('returns what the loader made of the live generation once every file matched its checksum', async () => {
    const s = store();
    await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    const seen: string[] = [];
    const loaded = await s.loadLive(chunkLoader(seen));
    expect(loaded?.id).toBe(live);
    expect(loaded?.chunks.equals(fileContent(2, 'chunks.bin', 5002))).toBe(true);
    expect(seen).toEqual([live]);
  });

  it('has nothing to load before the first build', async () => {
    expect(await store().loadLive(async () => 'loaded')).toBeUndefined();
  });

  it('drops the result of a generation with a damaged file, read by the loader or not, and loads the previous one', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    for (const name of ['chunks.bin', 'lexical.bin']) {
      const original = await readFile(join(indexDir, live, name));
      await flipBit(join(indexDir, live, name), 8 * 700 + 5);
      const seen: string[] = [];
      const logger = recordingLogger();
      const loaded = await store({ logger }).loadLive(chunkLoader(seen));
      expect(loaded?.id, name).toBe(previous);
      expect(loaded?.chunks.equals(fileContent(1, 'chunks.bin', 5001))).toBe(true);
      expect(seen).toEqual([live, previous]);
      expect(logger.warnings().some((w) => w.includes('damaged'))).toBe(true);
      await writeFile(join(indexDir, live, name), original);
    }
  });

  it('lets the loader wait for a file to be verified; a damaged one rejects with INDEX_CORRUPT', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    await flipBit(join(indexDir, live, 'lexical.bin'), 3);
    const outcomes: Array<string> = [];
    const loaded = await s.loadLive(async (g) => {
      outcomes.push(`${g.id}: ${await codeOf(g.verified('lexical.bin'))}`);
      return g.id;
    });
    expect(outcomes).toEqual([`${live}: INDEX_CORRUPT`, `${previous}: resolved`]);
    expect(loaded).toBe(previous);
  });

  it('throws the loader\'s own error on an intact generation, without falling back', async () => {
    const s = store();
    await commitBuild(s, 1);
    await commitBuild(s, 2);
    let calls = 0;
    const refusal = new AppError('INDEX_CORRUPT', 'the content makes no sense');
    const error = await s
      .loadLive(async () => {
        calls++;
        throw refusal;
      })
      .catch((e: unknown) => e);
    expect(error).toBe(refusal);
    expect(calls).toBe(1);
  });

  it('falls back when the loader cannot read a file, even if the loader turns the error into another', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    // The file is intact; the reader's open of it fails (the hash comes from the bytes the reader reads).
    const target = join(indexDir, live, 'chunks.bin');
    let opens = 0;
    const fs: StoreDeps['fs'] = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        if (path === target && ++opens === 1) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        return nodeStoreFs.open(path, flags);
      },
    };
    const loaded = await store({ fs }).loadLive(async (g) => {
      try {
        await g.readFile('chunks.bin');
      } catch {
        throw new Error('the loader gave up');
      }
      return g.id;
    });
    expect(opens).toBe(1);
    expect(loaded).toBe(previous);
  });

  it('treats a file the manifest does not list as damage', async () => {
    const s = store();
    await commitBuild(s, 1);
    const error = await s.loadLive((g) => g.readFile('vectors.hnsw')).catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain('vectors.hnsw');
    expect((error as Error).message).toContain('sourcier index');
  });

  it('hashes through an injected file system, so that its read faults count as damage', async () => {
    await commitBuild(store(), 1);
    const previous = (await generations())[0]!;
    await commitBuild(store(), 2);
    const live = (await generations())[1]!;
    const fs = faultyFs([{ op: 'read', path: (p) => p === join(indexDir, live, 'lexical.bin'), code: 'EIO' }]);
    const loaded = await store({ fs }).loadLive(async (g) => g.id);
    expect(loaded).toBe(previous);
    expect(fs.hits).toBe(1);
  });
});

describe('openStore: cleanup of interrupted builds', () => {
  it('removes unfinished and uncommitted generations and temp files, keeping the live and previous ones intact', async () => {
    const s = store();
    const previous = await commitBuild(s, 1);
    const live = await commitBuild(s, 2);
    // A build killed while writing files (no manifest), one killed after its manifest but before the pointer,
    // and a pointer temp file from a kill during the switch.
    const unfinished = (await s.beginGeneration()).id;
    await writeFile(join(indexDir, unfinished, 'chunks.bin.tmp-1234abcd'), 'half');
    const uncommitted = await s.beginGeneration();
    await uncommitted.writeFile('a.bin', 'a');
    await writeFile(join(indexDir, uncommitted.id, 'manifest.json'), JSON.stringify({ ...manifestFields(9), files: {} }));
    await writeFile(join(indexDir, 'CURRENT.tmp-0badf00d'), `${uncommitted.id}\n`);

    const logger = recordingLogger();
    await store({ logger }).cleanup();
    expect(await generations()).toEqual([previous, live]);
    expect((await readdir(indexDir)).sort()).toEqual(['CURRENT', previous, live].sort());
    expect((await s.readLive())?.id).toBe(live);
    expect(logger.entries.some((e) => e.message.includes('leftovers'))).toBe(true);
  });

  it('treats a build without a pointer or manifest as no index at all, and cleans it', async () => {
    const s = store();
    const writer = await s.beginGeneration();
    await writer.writeFile('a.bin', 'a');
    expect(await store().readLive()).toBeUndefined();
    await store().cleanup();
    expect(await generations()).toEqual([]);
  });

  it('leaves another writer\'s generation alone while that writer holds the lock', async () => {
    const writerStore = store();
    const release = await writerStore.lock();
    const inProgress = await writerStore.beginGeneration();
    await inProgress.writeFile('a.bin', 'a');
    await store().cleanup(); // another process starting up
    expect(await generations()).toEqual([inProgress.id]);
    await writerStore.cleanup(); // the lock holder itself never removes what it is writing
    expect(await generations()).toEqual([inProgress.id]);
    await release();
    await store().cleanup();
    expect(await generations()).toEqual([]);
  });
});

describe('openStore: write failures', () => {
  const cases: Array<{ when: string; fault: Fault }> = [
    { when: 'a data file write hits a full disk', fault: { op: 'writeFile', path: named('chunks.bin'), code: 'ENOSPC' } },
    { when: 'a data file cannot be created on a read-only disk', fault: { op: 'open', path: named('lexical.bin'), code: 'EROFS' } },
    { when: 'a data file fsync fails', fault: { op: 'sync', path: named('articles.json'), code: 'EIO' } },
    { when: 'the manifest write hits a full disk', fault: { op: 'writeFile', path: named('manifest.json'), code: 'ENOSPC' } },
    { when: 'the manifest cannot be created on a read-only disk', fault: { op: 'open', path: named('manifest.json'), code: 'EROFS' } },
    { when: 'the pointer temp file cannot be written', fault: { op: 'writeFile', path: named('CURRENT'), code: 'ENOSPC' } },
    { when: 'the pointer rename is refused', fault: { op: 'rename', path: named('CURRENT'), code: 'EACCES' } },
    { when: 'the pointer rename hits a read-only disk', fault: { op: 'rename', path: named('CURRENT'), code: 'EROFS' } },
    { when: 'a data file is silently written short', fault: { op: 'writeFile', path: named('chunks.bin'), code: 'short' } },
  ];

  for (const { when, fault } of cases) {
    it(`fails with INDEX_WRITE_FAILED when ${when}, and the old generation stays live and valid`, async () => {
      const old = await commitBuild(store(), 1);
      const fs = faultyFs([fault]);
      const failing = store({ fs });
      const writer = await failing.beginGeneration();
      const error = await (async () => {
        await writer.writeFile('articles.json', JSON.stringify({ build: 2 }));
        await writer.writeFile('chunks.bin', fileContent(2, 'chunks.bin', 5002));
        await writer.writeFile('lexical.bin', fileContent(2, 'lexical.bin', 1234));
        return writer.commit(manifestFields(2));
      })().catch((e: unknown) => e);
      expect(fs.hits).toBeGreaterThan(0);
      expect(isAppError(error, 'INDEX_WRITE_FAILED'), String(error)).toBe(true);
      if (fault.code !== 'short') expect((error as Error & { cause?: NodeJS.ErrnoException }).cause?.code).toBe(fault.code);
      expect((error as Error).message).toContain('live index is unchanged');
      await writer.abort();

      const live = await store().readLive();
      expect(live?.id).toBe(old);
      expect(live?.manifest.extra).toEqual({ build: 1 });
      expect(await generations()).toEqual([old]);
      expect((await readdir(indexDir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
      // The disk recovers: the next build goes through.
      const next = await commitBuild(store(), 3);
      expect((await store().readLive())?.id).toBe(next);
    });
  }

  it('fails with INDEX_WRITE_FAILED when the generation folder disappears during a build', async () => {
    const old = await commitBuild(store(), 1);
    const writer = await store().beginGeneration();
    await rm(writer.dir, { recursive: true });
    const error = await writer.writeFile('a.bin', 'a').catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_WRITE_FAILED')).toBe(true);
    expect((error as Error & { cause?: NodeJS.ErrnoException }).cause?.code).toBe('ENOENT');
    expect((await store().readLive())?.id).toBe(old);
  });

  it('fails with INDEX_WRITE_FAILED when the index folder cannot be created', async () => {
    const fs = faultyFs([{ op: 'mkdir', path: () => true, code: 'EROFS' }]);
    expect(await codeOf(store({ fs }).beginGeneration())).toBe('INDEX_WRITE_FAILED');
  });

  it('stays committed when only the folder fsync after the switch fails', async () => {
    const fs = faultyFs([{ op: 'sync', path: (p) => p === indexDir, code: 'EIO' }]);
    const logger = recordingLogger();
    const id = await commitBuild(store({ fs, logger }), 1);
    expect(fs.hits).toBe(1);
    expect((await store().readLive())?.id).toBe(id);
    expect(logger.warnings().some((w) => w.includes('fsync'))).toBe(true);
  });
});
