import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index-store.js';
import { spawnCli } from './cli-process.js';
import { writeFrenchCorpus } from './french-corpus.js';

let dir: string;
let corpusDir: string;
const cli = (indexDir: string) => spawnCli(['index', '--corpus', corpusDir, '--index', indexDir], { cacheDir: join(dir, 'models') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-writer-'));
  corpusDir = join(dir, 'corpus');
  await writeFrenchCorpus(corpusDir, { count: 150, variant: 0 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('only one writer at a time, through the real CLI', () => {
  it('refuses "sourcier index" with INDEX_LOCKED naming the holder while another live process holds the lock', async () => {
    const indexDir = join(dir, 'held');
    const release = await openStore(indexDir).lock(); // this test process is the live holder
    try {
      const run = cli(indexDir);
      const { code } = await run.closed;
      expect(code).toBe(1);
      expect(run.stderr()).toContain('Error [INDEX_LOCKED]');
      expect(run.stderr()).toContain(`process ${process.pid}`);
      expect(await openStore(indexDir).readLive()).toBeUndefined();
    } finally {
      await release();
    }
  });

  it('lets two "sourcier index" started together end with one index: the second waits its turn or gets INDEX_LOCKED', async () => {
    const indexDir = join(dir, 'two');
    const [a, b] = [cli(indexDir), cli(indexDir)];
    const results = await Promise.all([a.closed, b.closed]);
    const codes = results.map((r) => r.code).sort();
    const locked = [a, b].filter((r) => r.stderr().includes('Error [INDEX_LOCKED]')).length;
    console.info(`two writers: exit codes ${codes.join(', ')}, INDEX_LOCKED ${locked}`);
    // Either they overlapped (one refused with a clear message) or one finished before the other took the lock.
    expect(codes[0]).toBe(0);
    if (codes[1] !== 0) {
      expect(codes[1]).toBe(1);
      expect(locked).toBe(1);
    }
    const live = await openStore(indexDir).readLive();
    expect(live?.manifest.counts).toMatchObject({ articles: 150 });
    await expect(stat(join(indexDir, '.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('recovers the stale lock of a writer killed with SIGKILL and builds', async () => {
    const indexDir = join(dir, 'stale');
    const first = cli(indexDir);
    await first.waitForStderr('read: 0/'); // the lock is taken before the corpus is read
    first.child.kill('SIGKILL');
    await first.closed;
    const lock = JSON.parse(await readFile(join(indexDir, '.lock'), 'utf8'));
    expect(lock.pid).toBe(first.child.pid);

    const second = cli(indexDir);
    const { code } = await second.closed;
    expect(code, second.stderr()).toBe(0);
    expect(second.stderr()).toContain('stale index lock recovered');
    expect((await openStore(indexDir).readLive())?.manifest.counts).toMatchObject({ articles: 150 });
  });
});
