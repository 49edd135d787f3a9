import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFileHasher, type FileDigest } from '../../src/store/file-hasher.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-hasher-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const digestOf = (bytes: Buffer): FileDigest => ({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
const unused = async (): Promise<FileDigest> => {
  throw new Error('the fallback was used');
};

describe('startFileHasher', () => {
  it('hashes files on its thread: sizes and sha256 of empty, small and multi-block files', async () => {
    const files = { empty: Buffer.alloc(0), small: Buffer.from('Sourcier'), big: Buffer.alloc((3 << 20) + 17, 'ab') };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const hasher = startFileHasher(unused);
    try {
      const digests = await Promise.all(Object.keys(files).map((name) => hasher.hash(join(dir, name))));
      expect(digests).toEqual(Object.values(files).map(digestOf));
    } finally {
      hasher.close();
    }
  });

  it('hashes bytes in shared memory on its thread, and other bytes on the calling thread', async () => {
    const text = Buffer.from('Les militaires ont pris le pouvoir à Bamako.');
    const shared = Buffer.from(new SharedArrayBuffer(text.length));
    text.copy(shared);
    const hasher = startFileHasher(unused);
    try {
      expect(hasher.threaded).toBe(true);
      expect(await hasher.hashBytes(shared)).toEqual(digestOf(text));
      expect(await hasher.hashBytes(text)).toEqual(digestOf(text));
    } finally {
      hasher.close();
    }
    expect(hasher.threaded).toBe(false);
    expect(await hasher.hashBytes(shared)).toEqual(digestOf(text));
  });

  it('rejects with the errno code of a file it cannot read', async () => {
    const hasher = startFileHasher(unused);
    try {
      const error = await hasher.hash(join(dir, 'missing')).catch((e: unknown) => e);
      expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    } finally {
      hasher.close();
    }
  });

  it('hashes on the calling thread through the fallback once closed', async () => {
    const hasher = startFileHasher(async (path) => ({ bytes: -1, sha256: path }));
    hasher.close();
    expect(await hasher.hash('x')).toEqual({ bytes: -1, sha256: 'x' });
  });
});
