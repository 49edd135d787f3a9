/**
 * One index build in its own process, so its wall time, CPU time and peak RSS are its own. Prints one JSON line.
 *   node --import tsx bench/perf/profile-build.ts <corpusDir> <indexDir> [lexical|tiny]     (FRESH=0 keeps the index; THREADED=0/1 forces the HNSW worker off/on)
 * Add `--cpu-prof --cpu-prof-dir=/tmp/prof` after `node` to profile a build.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTransformersEmbedder } from '../../src/embed/transformers-embedder.js';
import { buildIndex } from '../../src/indexing/build-index.js';

const [corpusDir, indexDir, mode = 'lexical'] = process.argv.slice(2);
if (!corpusDir || !indexDir) throw new Error('usage: profile-build.ts <corpusDir> <indexDir> [lexical|tiny]');
const embedder =
  mode === 'tiny'
    ? await loadTransformersEmbedder({ model: resolve(import.meta.dirname, '../../tests/fixtures/tiny-model'), cacheDir: join(tmpdir(), 'sourcier-models'), allowRemote: false })
    : undefined;
if (process.env.FRESH !== '0') await rm(indexDir, { recursive: true, force: true });
const cpu0 = process.cpuUsage();
const summary = await buildIndex({ corpusDir, indexDir, embedder, ...(process.env.THREADED ? { threadedHnsw: process.env.THREADED === '1' } : {}) });
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    ...summary,
    skipped: summary.skipped.length,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
