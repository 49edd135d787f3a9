import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type LiveGeneration, type StoreDeps } from '../../src/store/index-store.js';
import { codeOf } from '../helpers/error-code.js';
import { faultyFs } from './faulty-fs.js';
import { commitBuild, fileContent, manifestFields } from './helpers.js';

let root: string;
let indexDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sourcier-link-'));
  indexDir = join(root, 'index');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Commits a build that links lexical.bin from `from` and writes its other files. */
async function commitLinked(from: LiveGeneration, build: number, deps: StoreDeps = {}): Promise<string> {
  const writer = await openStore(indexDir, deps).beginGeneration();
  await writer.writeFile('articles.json', JSON.stringify({ build }));
  await writer.writeFile('chunks.bin', fileContent(build, 'chunks.bin', 5000 + build));
  await writer.linkFile('lexical.bin', from.dir, from.manifest.files['lexical.bin']!);
  return writer.commit(manifestFields(build));
}

describe('GenerationWriter.linkFile', () => {
  it('shares the earlier generation’s file instead of writing it, with the checksum recorded there', async () => {
    await commitBuild(openStore(indexDir), 1);
    const first = (await openStore(indexDir).readLive())!;
    await commitLinked(first, 2);
    const second = (await openStore(indexDir).readLive())!;
    expect(second.id).not.toBe(first.id);
    expect(second.manifest.files['lexical.bin']).toEqual(first.manifest.files['lexical.bin']);
    expect((await stat(join(second.dir, 'lexical.bin'))).ino).toBe((await stat(join(first.dir, 'lexical.bin'))).ino);
  });

  it('keeps the linked file whole when the generation it came from is deleted by the store', async () => {
    await commitBuild(openStore(indexDir), 1);
    const first = (await openStore(indexDir).readLive())!;
    const bytes = await readFile(join(first.dir, 'lexical.bin'));
    await commitLinked(first, 2);
    await commitLinked((await openStore(indexDir).readLive())!, 3);
    await commitLinked((await openStore(indexDir).readLive())!, 4);
    // The store keeps the live generation and the one before: the first is gone, its file lives on.
    expect((await readdir(indexDir)).filter((n) => n.startsWith('gen-'))).not.toContain(first.id);
    const live = (await openStore(indexDir).readLive())!;
    expect(live.manifest.extra).toEqual({ build: 4 });
    expect((await readFile(join(live.dir, 'lexical.bin'))).equals(bytes)).toBe(true);
  });

  it('copies the file, checked against its checksum, where the file system cannot hard-link', async () => {
    await commitBuild(openStore(indexDir), 1);
    const first = (await openStore(indexDir).readLive())!;
    const fs = faultyFs([{ op: 'link', path: (p) => p.endsWith('lexical.bin'), code: 'EPERM' }]);
    await commitLinked(first, 2, { fs });
    expect(fs.hits).toBe(1);
    const second = (await openStore(indexDir).readLive())!;
    expect((await stat(join(second.dir, 'lexical.bin'))).ino).not.toBe((await stat(join(first.dir, 'lexical.bin'))).ino);
    expect(second.manifest.files['lexical.bin']).toEqual(first.manifest.files['lexical.bin']);
  });

  it('refuses with INDEX_WRITE_FAILED a file changed since its generation was verified, and the live generation stays', async () => {
    await commitBuild(openStore(indexDir), 1);
    const first = (await openStore(indexDir).readLive())!;
    await writeFile(join(first.dir, 'lexical.bin'), 'shorter');
    expect(await codeOf(commitLinked(first, 2))).toBe('INDEX_WRITE_FAILED');
    const fs = faultyFs([{ op: 'link', path: () => true, code: 'EPERM' }]);
    expect(await codeOf(commitLinked(first, 3, { fs }))).toBe('INDEX_WRITE_FAILED');
    expect((await readFile(join(indexDir, 'CURRENT'), 'utf8')).trim()).toBe(first.id);
  });

  it('fails with INDEX_WRITE_FAILED when the link cannot be made on a full disk', async () => {
    await commitBuild(openStore(indexDir), 1);
    const first = (await openStore(indexDir).readLive())!;
    const fs = faultyFs([{ op: 'link', path: () => true, code: 'ENOSPC' }]);
    expect(await codeOf(commitLinked(first, 2, { fs }))).toBe('INDEX_WRITE_FAILED');
    expect((await openStore(indexDir).readLive())!.id).toBe(first.id);
  });
});
