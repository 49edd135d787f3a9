import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index-store.js';
import { rng } from '../helpers/seeded-random.js';
import { fileContent, recordingLogger } from './helpers.js';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const KILLS = 20;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sourcier-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves when the child has printed a line starting with `prefix`. */
  waitFor(prefix: string): Promise<void>;
  exited: Promise<void>;
}

function start(indexDir: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, indexDir], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<{ prefix: string; resolve: () => void }> = [];
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => line.startsWith(w.prefix))) w.resolve();
    }
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  // 'close', not 'exit': only then has every line the child printed been read.
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    process: child,
    lines,
    exited,
    waitFor: (prefix) =>
      lines.some((l) => l.startsWith(prefix))
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ prefix, resolve })),
            exited.then(() => {
              if (!lines.some((l) => l.startsWith(prefix))) throw new Error(`child exited before "${prefix}": ${stderr}`);
            }),
          ]),
  };
}

describe('index store under kill -9', () => {
  it(`always leaves the previous or the new complete generation live across ${KILLS} kills at random moments`, async () => {
    const indexDir = join(root, 'index');
    const random = rng(2024);
    let committed: number | undefined; // last build known to be live
    let nextBuild = 1;
    let commitMs = 100;
    // Children load their modules (most of a second) while earlier ones run; each is told its first build at "go".
    const pool = [start(indexDir), start(indexDir), start(indexDir)];
    const outcomes = { previous: 0, next: 0, none: 0, midBuild: 0 };

    for (let round = 0; round < KILLS; round++) {
      const child = pool.shift()!;
      pool.push(start(indexDir));
      await child.waitFor('loaded');
      child.process.stdin!.write(`go ${nextBuild}\n`);
      // A quarter of the kills land during start-up (lock recovery, cleanup), the rest during the commit loop, at a
      // random point of a commit (its duration is measured, as fsync can be slow on a busy disk).
      if (random() < 0.25) await sleep(random() * 20);
      else {
        await child.waitFor('ready');
        if (random() < 0.6) {
          const t = performance.now();
          await child.waitFor('committed');
          commitMs = performance.now() - t;
        }
        await sleep(random() * commitMs);
      }
      child.process.kill('SIGKILL');
      await child.exited;
      const reported = child.lines.filter((l) => l.startsWith('committed')).map((l) => Number(l.split(' ')[1]));
      const lastReported = reported.at(-1) ?? committed;
      // The build being written when the kill landed: the one after the last reported, or the child's first.
      const inFlight = reported.length > 0 ? reported.at(-1)! + 1 : nextBuild;

      const logger = recordingLogger();
      const leftovers = (await readdir(indexDir).catch(() => [] as string[])).filter((n) => n.startsWith('gen-')).sort();
      const live = await openStore(indexDir, { logger }).readLive();
      expect(logger.entries.filter((e) => e.level === "warn"), `round ${round}`).toEqual([]);
      if (live === undefined) {
        expect(lastReported, `round ${round}: a committed generation vanished`).toBeUndefined();
        outcomes.none++;
      } else {
        const build = (live.manifest.extra as { build: number }).build;
        expect([lastReported, inFlight], `round ${round}`).toContain(build);
        if (build === lastReported) outcomes.previous++;
        else outcomes.next++;
        // Independent of the store's own checksums: the content is exactly what that build wrote.
        expect(JSON.parse(await readFile(join(live.dir, 'articles.json'), 'utf8'))).toEqual({ build });
        expect((await readFile(join(live.dir, 'chunks.bin'))).equals(fileContent(build, 'chunks.bin', 20_000 + build))).toBe(true);
        expect((await readFile(join(live.dir, 'vectors.f32'))).equals(fileContent(build, 'vectors.f32', 200_000))).toBe(true);
        committed = build;
      }
      if (leftovers.some((g) => g > (live?.id ?? ''))) outcomes.midBuild++;
      nextBuild = inFlight + 1;
    }
    for (const idle of pool) idle.process.kill('SIGKILL');
    await Promise.all(pool.map((idle) => idle.exited));

    // For the test to mean something, most kills must have landed inside a build (a newer folder than the live one).
    expect(outcomes.midBuild, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(KILLS / 2);
    // The next start cleans every leftover: the live and at most one previous generation remain.
    const store = openStore(indexDir);
    await (await store.lock())();
    await store.cleanup();
    const names = await readdir(indexDir);
    expect(names.filter((n) => n.startsWith('gen-')).length).toBeLessThanOrEqual(2);
    expect(names.filter((n) => n.includes('.tmp-') || n.startsWith('.lock'))).toEqual([]);
    expect(committed).toBeDefined();
    expect((await store.readLive())?.manifest.extra).toEqual({ build: committed });
  }, 60_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
