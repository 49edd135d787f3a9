import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/core/types.js';
import { estimateTokenCounter } from '../../src/chunk/estimate-token-counter.js';
import { decodeArticleTable, encodeArticleTable } from '../../src/indexing/article-table.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { loadTinyEmbedder, makeWorkspace } from '../helpers/test-corpus.js';
import { ROOT } from './french-corpus.js';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, 'open-index-child.ts');

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
/** Pristine hybrid index with two generations (older, live). */
let pristine: string;
let older: string;
let newer: string;
/** A hybrid index built with another model (16 dimensions). */
let otherModel: string;

/** A deterministic embedder standing in for another model: hashed words, 16 dimensions. */
const otherEmbedder: Embedder = {
  modelId: 'other/model-16',
  dimensions: 16,
  maxTokens: 512,
  tokenCounter: estimateTokenCounter,
  embedPassages: async (texts) => texts.map(hashVector),
  embedQuery: async (text) => hashVector(text),
};
function hashVector(text: string): Float32Array {
  const v = new Float32Array(16);
  for (const w of text.toLowerCase().split(/\s+/)) v[createHash('md5').update(w).digest()[0]! % 16]! += 1;
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

const gens = async (indexDir: string) => (await readdir(indexDir)).filter((n) => n.startsWith('gen-')).sort();

/** Rewrites a file of a generation and records its new size and sha256 in the manifest: a damage the checksums cannot see. */
async function rewriteWithChecksum(genDir: string, name: string, bytes: Uint8Array): Promise<void> {
  await writeFile(join(genDir, name), bytes);
  const manifest = JSON.parse(await readFile(join(genDir, 'manifest.json'), 'utf8'));
  manifest.files[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  await writeFile(join(genDir, 'manifest.json'), JSON.stringify(manifest));
}
async function editManifest(genDir: string, edit: (m: any) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(join(genDir, 'manifest.json'), 'utf8'));
  edit(manifest);
  await writeFile(join(genDir, 'manifest.json'), JSON.stringify(manifest));
}
async function flipBit(file: string, at: (size: number) => number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at(bytes.length)]! ^= 0x10;
  await writeFile(file, bytes);
}

interface Case {
  name: string;
  /** Damages the copy; `live` and `previous` are generation folders. */
  damage(dirs: { indexDir: string; live: string; previous: string }): Promise<void>;
  /** Only the live generation is kept (no fallback possible). */
  single?: boolean;
  /** 'previous': served from the older generation; 'live': still served from the live one; else the error code(s). */
  expect: 'previous' | 'live' | Array<'INDEX_CORRUPT' | 'INDEX_INCOMPATIBLE'>;
}

const CASES: Case[] = [
  { name: 'truncated HNSW graph', damage: ({ live }) => truncate(join(live, 'vectors.hnsw'), 100), expect: 'previous' },
  { name: 'empty chunk table', damage: ({ live }) => truncate(join(live, 'chunks.bin'), 0), expect: 'previous' },
  { name: 'zeroed article table', damage: async ({ live }) => writeFile(join(live, 'articles.bin'), Buffer.alloc((await readFile(join(live, 'articles.bin'))).length)), expect: 'previous' },
  { name: 'one bit flipped in an article text', damage: ({ live }) => flipBit(join(live, 'articles.bin'), (n) => n - 5), expect: 'previous' },
  { name: 'one bit flipped in the HNSW graph', damage: ({ live }) => flipBit(join(live, 'vectors.hnsw'), (n) => Math.floor(n / 2)), expect: 'previous' },
  { name: 'one bit flipped at the end of the HNSW graph (upper-level links)', damage: ({ live }) => flipBit(join(live, 'vectors.hnsw'), (n) => n - 3), expect: 'previous' },
  {
    name: 'one bit flipped in the last HNSW link list size (hnswlib reads the file while its checksum is computed)',
    damage: async ({ live }) => {
      // Walk the per-element link lists that follow level 0 to the last element's size field.
      const bytes = await readFile(join(live, 'vectors.hnsw'));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const count = Number(view.getBigUint64(16, true));
      let at = 96 + count * Number(view.getBigUint64(24, true));
      let last = at;
      for (let i = 0; i < count; i++) {
        last = at;
        at += 4 + view.getUint32(at, true);
      }
      bytes[last + 1]! ^= 0x01;
      await writeFile(join(live, 'vectors.hnsw'), bytes);
    },
    expect: 'previous',
  },
  { name: 'one bit flipped in the lexical index', damage: ({ live }) => flipBit(join(live, 'lexical.bin'), (n) => n - 3), expect: 'previous' },
  { name: 'one bit flipped in the dedup sketches', damage: ({ live }) => flipBit(join(live, 'dedup.bin'), (n) => n - 3), expect: 'previous' },
  { name: 'one bit flipped in the line fingerprints', damage: ({ live }) => flipBit(join(live, 'lines.json'), (n) => Math.floor(n / 2)), expect: 'previous' },
  {
    // Only builds read them (to reuse work), and they fall back to computing it: serving is not concerned.
    name: 'garbage dedup sketches and line fingerprints (checksums updated)',
    damage: async ({ live }) => {
      await rewriteWithChecksum(live, 'dedup.bin', Buffer.from('not sketches'));
      await rewriteWithChecksum(live, 'lines.json', Buffer.from('{"a": 1, '));
    },
    expect: 'live',
  },
  { name: 'one bit flipped in the vectors', damage: ({ live }) => flipBit(join(live, 'vectors.f32'), () => 7), expect: 'previous' },
  { name: 'truncated manifest', damage: ({ live }) => truncate(join(live, 'manifest.json'), 40), expect: 'previous' },
  { name: 'manifest lying about a checksum', damage: ({ live }) => editManifest(live, (m) => (m.files['chunks.bin'].sha256 = '0'.repeat(64))), expect: 'previous' },
  { name: 'garbage CURRENT pointer', damage: ({ indexDir }) => writeFile(join(indexDir, 'CURRENT'), '\u0000\u0000garbage'), expect: 'live' },
  { name: 'truncated HNSW graph, no previous generation', single: true, damage: ({ live }) => truncate(join(live, 'vectors.hnsw'), 100), expect: ['INDEX_CORRUPT'] },
  { name: 'zeroed HNSW graph, no previous generation', single: true, damage: async ({ live }) => writeFile(join(live, 'vectors.hnsw'), Buffer.alloc((await readFile(join(live, 'vectors.hnsw'))).length)), expect: ['INDEX_CORRUPT'] },
  {
    name: 'crafted HNSW header with absurd sizes (checksum updated)',
    damage: async ({ live }) => {
      const bytes = await readFile(join(live, 'vectors.hnsw'));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      view.setBigUint64(8, 1n << 40n, true); // max_elements
      view.setBigUint64(16, 1n << 40n, true); // cur_element_count
      view.setBigUint64(24, 1n << 20n, true); // size_data_per_element
      await rewriteWithChecksum(live, 'vectors.hnsw', bytes);
    },
    expect: ['INDEX_CORRUPT'],
  },
  {
    name: 'HNSW graph of another model (checksum updated)',
    damage: async ({ live }) => {
      const other = (await gens(otherModel)).at(-1)!;
      await rewriteWithChecksum(live, 'vectors.hnsw', await readFile(join(otherModel, other, 'vectors.hnsw')));
    },
    expect: ['INDEX_CORRUPT'],
  },
  { name: 'manifest with a wrong dimension', damage: ({ live }) => editManifest(live, (m) => (m.dimensions = 384)), expect: ['INDEX_CORRUPT', 'INDEX_INCOMPATIBLE'] },
  { name: 'manifest lying about the chunk count', damage: ({ live }) => editManifest(live, (m) => (m.counts.chunks += 1)), expect: ['INDEX_CORRUPT'] },
  { name: 'manifest of a future format', damage: ({ live }) => editManifest(live, (m) => (m.formatVersion = 99)), expect: ['INDEX_INCOMPATIBLE'] },
  {
    name: 'an index of format 1 (articles.json)',
    damage: async ({ live }) => {
      const articles = decodeArticleTable(await readFile(join(live, 'articles.bin')));
      await rm(join(live, 'articles.bin'));
      const json = Buffer.from(JSON.stringify(articles));
      await writeFile(join(live, 'articles.json'), json);
      await editManifest(live, (m) => {
        m.formatVersion = 1;
        delete m.files['articles.bin'];
        m.files['articles.json'] = { bytes: json.length, sha256: createHash('sha256').update(json).digest('hex') };
      });
    },
    expect: ['INDEX_INCOMPATIBLE'],
  },
  { name: 'manifest naming another model', damage: ({ live }) => editManifest(live, (m) => (m.modelId = 'Xenova/other-model')), expect: ['INDEX_INCOMPATIBLE'] },
  {
    name: 'article table shortened under its chunks (checksum updated)',
    damage: async ({ live }) => {
      const articles = decodeArticleTable(await readFile(join(live, 'articles.bin')));
      for (const a of articles) a.text = a.text.slice(0, 10);
      await rewriteWithChecksum(live, 'articles.bin', encodeArticleTable(articles));
    },
    expect: ['INDEX_CORRUPT'],
  },
  {
    name: 'article table in the JSON layout of format 1 (checksum updated)',
    damage: async ({ live }) => {
      const articles = decodeArticleTable(await readFile(join(live, 'articles.bin')));
      await rewriteWithChecksum(live, 'articles.bin', Buffer.from(JSON.stringify(articles)));
    },
    expect: ['INDEX_CORRUPT'],
  },
  {
    name: 'article table whose text reference points past its segment (checksum updated)',
    damage: async ({ live }) => {
      const bytes = await readFile(join(live, 'articles.bin'));
      const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const segments = ints[3]!;
      ints[4 + segments * 2 + 2 * 3 + 2] = 0x7fffffff; // first article's text (field 2): end
      await rewriteWithChecksum(live, 'articles.bin', bytes);
    },
    expect: ['INDEX_CORRUPT'],
  },
  {
    name: 'article table missing a title (checksum updated)',
    damage: async ({ live }) => {
      const bytes = await readFile(join(live, 'articles.bin'));
      const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const segments = ints[3]!;
      ints[4 + segments * 2 + 1 * 3] = -1; // first article's title (field 1): absent
      await rewriteWithChecksum(live, 'articles.bin', bytes);
    },
    expect: ['INDEX_CORRUPT'],
  },
  {
    name: 'chunk table with negative sentence counts (checksum updated)',
    damage: async ({ live }) => {
      const bytes = await readFile(join(live, 'chunks.bin'));
      const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      ints[4 + 6] = -5; // first chunk's sentence count
      await rewriteWithChecksum(live, 'chunks.bin', bytes);
    },
    expect: ['INDEX_CORRUPT'],
  },
  { name: 'a whole index built with another model', damage: async ({ indexDir }) => {
      await rm(indexDir, { recursive: true, force: true });
      await cp(otherModel, indexDir, { recursive: true });
    }, expect: ['INDEX_INCOMPATIBLE'] },
];

beforeAll(async () => {
  ws = await makeWorkspace();
  const embedder = await loadTinyEmbedder();
  pristine = join(ws.dir, 'pristine');
  await buildIndex({ corpusDir: ws.corpusDir, indexDir: pristine, embedder });
  await writeFile(join(ws.corpusDir, 'ajout.md'), '---\ntitle: Un ajout\n---\nUn article ajouté pour créer une seconde génération.\n');
  await buildIndex({ corpusDir: ws.corpusDir, indexDir: pristine, embedder });
  [older, newer] = await gens(pristine);
  otherModel = join(ws.dir, 'other-model');
  await buildIndex({ corpusDir: ws.corpusDir, indexDir: otherModel, embedder: otherEmbedder });
}, 120_000);

afterAll(async () => {
  await ws?.cleanup();
});

describe('damaged index files, opened end to end in a child process', () => {
  it('falls back to the previous generation or refuses with INDEX_CORRUPT / INDEX_INCOMPATIBLE, never crashes or answers garbage', async () => {
    expect(older).toBeDefined();
    expect(newer).toBeDefined();
    const dirs: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const indexDir = join(ws.dir, `case-${i}`);
      await cp(pristine, indexDir, { recursive: true });
      if (c.single) await rm(join(indexDir, older!), { recursive: true });
      await c.damage({ indexDir, live: join(indexDir, newer!), previous: join(indexDir, older!) });
      dirs.push(indexDir);
    }
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, ws.corpusDir, ...dirs], { cwd: ROOT, maxBuffer: 1 << 24 }).catch((error) => {
      throw new Error(`child crashed (exit ${error.code}, signal ${error.signal}): ${error.stdout}\n${error.stderr}`);
    });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('done'); // exit code 0 is asserted by execFile resolving
    const results = lines.slice(0, -1).map((l) => JSON.parse(l));
    const failures: string[] = [];
    CASES.forEach((c, i) => {
      const r = results[i];
      const got = r.ok ? `served ${r.generation === older ? 'previous' : r.generation === newer ? 'live' : r.generation}` : r.code;
      const want = typeof c.expect === 'string' ? `served ${c.expect}` : c.expect;
      const pass = typeof want === 'string' ? got === want && r.verbatim && r.citations > 0 : want.includes(got);
      if (!pass) failures.push(`${c.name}: expected ${JSON.stringify(want)}, got ${got} ${r.message ?? ''}`);
      if (!r.ok && !/sourcier index|EMBEDDING_MODEL/.test(r.message)) failures.push(`${c.name}: message gives no way out: ${r.message}`);
    });
    expect(failures).toEqual([]);
  });
});
