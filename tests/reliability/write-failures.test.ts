import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import type { Embedder } from '../../src/core/types.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { openStore } from '../../src/store/index-store.js';
import { configFor, loadTinyEmbedder, makeWorkspace } from '../helpers/test-corpus.js';
import { faultyFs, named, type Fault } from '../store/faulty-fs.js';
import { writeFrenchCorpus } from './french-corpus.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let embedder: Embedder;
let liveId: string;

const entries = async (dir: string) => (await readdir(dir)).sort();

/** The live generation is still the one built first, and the service answers from it verbatim. */
async function expectLiveUntouched(indexDir: string, id: string): Promise<void> {
  expect((await openStore(indexDir).readLive())?.id).toBe(id);
  const sourcier = await openSourcier(configFor({ corpusDir: ws.corpusDir, indexDir }), { embedder });
  try {
    expect(sourcier.stats().generation).toBe(id);
    const answer = await sourcier.ask('Où se réunit la coalition contre Daesh ?');
    expect(answer.citations.length).toBeGreaterThan(0);
    for (const c of answer.citations) expect(sourcier.passage(c.chunkId)!.article.text.slice(c.start, c.end)).toBe(c.excerpt);
  } finally {
    await sourcier.close();
  }
}

beforeAll(async () => {
  ws = await makeWorkspace();
  embedder = await loadTinyEmbedder();
  liveId = (await buildIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir, embedder })).generation;
  // The corpus changes, so every build below has a new generation to write.
  await writeFile(join(ws.corpusDir, 'nouveau.md'), '---\ntitle: Nouvel article\n---\nLe port de Tanger a rouvert lundi après une semaine de grève.\n');
}, 120_000);

afterAll(async () => {
  await ws?.cleanup();
});

const inGeneration = (name: string) => (p: string) => named(name)(p) && basename(join(p, '..')).startsWith('gen-');
const FAULTS: Array<{ name: string; fault: Fault }> = [
  { name: 'no space left while writing the vectors', fault: { op: 'writeFile', path: named('vectors.f32'), code: 'ENOSPC' } },
  // The build below changes one article in 32: the lexical index and the article table are written as deltas beside
  // the previous generation's files, which are linked.
  { name: 'a full disk that silently writes half of the lexical index', fault: { op: 'writeFile', path: named('lexical-delta.bin'), code: 'short' } },
  { name: 'a read-only folder when creating the article table', fault: { op: 'open', path: inGeneration('articles-delta.bin'), code: 'EROFS' } },
  { name: 'no space left when linking the previous lexical index', fault: { op: 'link', path: inGeneration('lexical.bin'), code: 'ENOSPC' } },
  { name: 'a read-only folder when linking the previous article table', fault: { op: 'link', path: inGeneration('articles.bin'), code: 'EROFS' } },
  { name: 'a read-only index folder when creating the generation folder', fault: { op: 'mkdir', path: (p) => basename(p).startsWith('gen-'), code: 'EROFS' } },
  { name: 'no space left when syncing the manifest', fault: { op: 'sync', path: named('manifest.json'), code: 'ENOSPC' } },
  { name: 'the index folder vanishing before the pointer switch', fault: { op: 'rename', path: (p) => basename(p) === 'CURRENT', code: 'ENOENT' } },
  { name: 'permission denied on the lock file', fault: { op: 'open', path: (p) => basename(p).startsWith('.lock.'), code: 'EACCES' } },
];

describe('write failures during a build', () => {
  for (const { name, fault } of FAULTS) {
    it(`fails with INDEX_WRITE_FAILED on ${name}, and the live generation keeps serving`, async () => {
      const before = await entries(ws.indexDir);
      const fs = faultyFs([fault]);
      const error = await buildIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir, embedder, storeFs: fs }).catch((e: unknown) => e);
      expect(fs.hits).toBeGreaterThan(0);
      expect(error).toMatchObject({ code: 'INDEX_WRITE_FAILED' });
      expect((error as Error).message).toMatch(/live index is unchanged|writable/);
      expect(await entries(ws.indexDir)).toEqual(before); // the unfinished generation and temporary files are gone
      await expectLiveUntouched(ws.indexDir, liveId);
    });
  }

  it('fails with INDEX_WRITE_FAILED when the index folder cannot exist (its parent is a file)', async () => {
    const file = join(ws.dir, 'not-a-folder');
    await writeFile(file, 'x');
    const error = await buildIndex({ corpusDir: ws.corpusDir, indexDir: join(file, 'index'), embedder }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_WRITE_FAILED' });
  });
});

/**
 * A real full disk: a 3 MB tmpfs holds the first index; the next build of a much larger corpus cannot fit. Needs root
 * and mount (opt-in with SOURCIER_LONG_TESTS=1; skipped when mounting is not permitted).
 */
describe.skipIf(process.env.SOURCIER_LONG_TESTS !== '1')('a real full disk (tmpfs)', () => {
  it('fails the build with INDEX_WRITE_FAILED and keeps serving the live generation', async () => {
    const mountPoint = join(ws.dir, 'small-disk');
    await mkdir(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      console.info('full-disk test skipped: mounting a tmpfs is not permitted here');
      return;
    }
    try {
      const indexDir = join(mountPoint, 'index');
      const corpusDir = join(ws.dir, 'big-corpus');
      await writeFrenchCorpus(corpusDir, { count: 40, variant: 0 });
      const first = (await buildIndex({ corpusDir, indexDir, embedder })).generation;
      await writeFrenchCorpus(corpusDir, { count: 1500, variant: 1 });
      const error = await buildIndex({ corpusDir, indexDir, embedder }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INDEX_WRITE_FAILED' });
      console.info(`full disk: ${(error as Error).message}`);
      expect((await openStore(indexDir).readLive())?.id).toBe(first);
      const sourcier = await openSourcier(configFor({ corpusDir, indexDir }), { embedder });
      expect(sourcier.stats().generation).toBe(first);
      expect(sourcier.stats().articles).toBe(40);
      await sourcier.close();
    } finally {
      execFileSync('umount', [mountPoint]);
      await rm(mountPoint, { recursive: true, force: true });
    }
  }, 120_000);
});
