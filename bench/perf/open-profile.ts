/**
 * Where opening an index goes, in a process of its own: first what the service does (`loadLive` + `loadGeneration`:
 * checksums on a worker thread overlapping the decoding, the HNSW graph read on the thread pool once its checksum
 * matched), then step by step: the checksum pass alone (readLive, sha256 of every file on this thread), each file read
 * and decoded (article table, chunk table, lexical index, vectors, HNSW graph with and without the link walk).
 *   node --import tsx bench/perf/open-profile.ts <indexDir>      prints one JSON line (milliseconds)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeArticleTable } from '../../src/indexing/article-table.js';
import { decodeChunkTable, decodeVectors } from '../../src/indexing/chunk-table.js';
import { INDEX_FILES, type SourcierManifest } from '../../src/indexing/index-format.js';
import { loadGeneration } from '../../src/indexing/load-generation.js';
import { deserializeLexicalIndex } from '../../src/lexical/bm25-index.js';
import { openStore } from '../../src/store/index-store.js';
import { HnswVectorIndex } from '../../src/vector-index/hnsw-vector-index.js';

const indexDir = process.argv[2];
if (!indexDir) throw new Error('usage: open-profile.ts <indexDir>');
const ms: Record<string, number> = {};
async function time<T>(name: string, f: () => Promise<T> | T): Promise<T> {
  const s = performance.now();
  const out = await f();
  ms[name] = Math.round(performance.now() - s);
  return out;
}
// First, in a fresh heap: what the service does (later steps would run it with everything above still in memory).
await time('loadLive + loadGeneration serving (checksums overlapped with decoding: what opening costs)', async () => {
  await openStore(indexDir).loadLive((generation) => loadGeneration(generation, { serving: true }));
});
const live = (await time('readLive (sha256 of every file, one thread)', () => openStore(indexDir).readLive()))!;
const m = live.manifest as unknown as SourcierManifest;
const read = (name: string) => readFile(join(live.dir, name));
const articleBytes = await time(`read ${INDEX_FILES.articles}`, () => read(INDEX_FILES.articles));
const articles = await time('decode articles', () => decodeArticleTable(articleBytes));
const chunkBytes = await time(`read ${INDEX_FILES.chunks}`, () => read(INDEX_FILES.chunks));
await time('decode chunks', () => decodeChunkTable(chunkBytes, articles));
const lexicalBytes = await time(`read ${INDEX_FILES.lexical}`, () => read(INDEX_FILES.lexical));
await time('decode lexical (checksum verified by the store)', () => deserializeLexicalIndex(lexicalBytes, { checksumVerified: true }));
if (m.mode === 'hybrid') {
  const dims = m.dimensions!;
  const flat = await time('read + decode vectors', async () => decodeVectors(await read(INDEX_FILES.vectors), dims, m.counts.chunks));
  const vectorOf = (key: number) => flat.subarray(key * dims, (key + 1) * dims);
  const file = join(live.dir, INDEX_FILES.hnsw);
  await time('hnsw readFrom, full link walk', () => HnswVectorIndex.readFrom(file, dims, m.counts.chunks, { vectorOf }));
  await time('hnsw readFrom, header only', () => HnswVectorIndex.readFrom(file, dims, m.counts.chunks, { vectorOf, checksumVerified: true }));
}
console.log(JSON.stringify(ms));
