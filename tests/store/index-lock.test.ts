import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { openStore } from '../../src/store/index-store.js';
import { faultyFs } from './faulty-fs.js';
import { recordingLogger } from './helpers.js';

let root: string;
let indexDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sourcier-lock-'));
  indexDir = join(root, 'index');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has exited (a real dead pid on this host). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

async function plantLock(content: object | string): Promise<void> {
  await mkdir(indexDir, { recursive: true });
  await writeFile(join(indexDir, '.lock'), typeof content === 'string' ? content : JSON.stringify(content));
}

describe('store.lock', () => {
  it('writes pid, host and start time, and refuses a second locker with INDEX_LOCKED naming the pid', async () => {
    const release = await openStore(indexDir).lock();
    const info = JSON.parse(await readFile(join(indexDir, '.lock'), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isFinite(Date.parse(info.startedAt as string))).toBe(true);

    const error = await openStore(indexDir).lock().catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    expect((error as Error).message).toContain('.lock');

    await release();
    await release(); // twice is harmless
    const again = await openStore(indexDir).lock();
    await again();
    expect(await readdir(indexDir)).toEqual([]);
  });

  it('recovers a lock left by a process that is gone', async () => {
    const pid = await deadPid();
    await plantLock({ pid, host: hostname(), startedAt: new Date().toISOString(), token: 'dead' });
    const logger = recordingLogger();
    const release = await openStore(indexDir, { logger }).lock();
    expect(JSON.parse(await readFile(join(indexDir, '.lock'), 'utf8')).pid).toBe(process.pid);
    expect(logger.warnings()).toContain('stale index lock recovered');
    await release();
  });

  it('recovers a lock older than the limit, even from another host, and a damaged lock file', async () => {
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    await plantLock({ pid: 1, host: 'elsewhere', startedAt: old, token: 'old' });
    await (await openStore(indexDir).lock())();
    await plantLock('{"pid": 12');
    await (await openStore(indexDir).lock())();
    expect(await readdir(indexDir)).toEqual([]);
  });

  it('respects a recent lock from another host, whose pid cannot be checked', async () => {
    await plantLock({ pid: 4242, host: 'elsewhere', startedAt: new Date().toISOString(), token: 'remote' });
    const error = await openStore(indexDir).lock().catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_LOCKED')).toBe(true);
    expect((error as Error).message).toContain('process 4242 on elsewhere');
  });

  it('still locks exclusively on a file system without hard links', async () => {
    const fs = faultyFs([{ op: 'link', path: () => true, code: 'EPERM' }]);
    const release = await openStore(indexDir, { fs }).lock();
    expect(fs.hits).toBe(1);
    expect(JSON.parse(await readFile(join(indexDir, '.lock'), 'utf8')).pid).toBe(process.pid);
    expect(isAppError(await openStore(indexDir, { fs }).lock().catch((e: unknown) => e), 'INDEX_LOCKED')).toBe(true);
    await release();
    expect(await readdir(indexDir)).toEqual([]);
  });

  it('does not remove a lock that another holder took after its own was recovered', async () => {
    const release = await openStore(indexDir).lock();
    // Someone judged this lock stale and replaced it: our release must leave theirs alone.
    const theirs = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: 'theirs' };
    await plantLock(theirs);
    await release();
    expect(JSON.parse(await readFile(join(indexDir, '.lock'), 'utf8')).token).toBe('theirs');
  });
});
