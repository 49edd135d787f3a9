import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTransformersEmbedder } from '../../src/embed/transformers-embedder.js';
import type { CoreConfig } from '../../src/core/config.js';
import type { Embedder } from '../../src/core/types.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const TINY_MODEL = join(ROOT, 'tests', 'fixtures', 'tiny-model');

/** A temp folder holding a corpus (the bundled seed articles plus tests/fixtures/news-fr) and an empty index folder. */
export async function makeWorkspace(): Promise<{ dir: string; corpusDir: string; indexDir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sourcier-app-'));
  const corpusDir = join(dir, 'corpus');
  await cp(join(ROOT, 'corpus'), corpusDir, { recursive: true });
  await cp(join(ROOT, 'tests', 'fixtures', 'news-fr'), join(corpusDir, 'news'), { recursive: true });
  return { dir, corpusDir, indexDir: join(dir, 'index'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function configFor(ws: { corpusDir: string; indexDir: string }, model = TINY_MODEL): CoreConfig {
  return {
    corpusDir: ws.corpusDir,
    indexDir: ws.indexDir,
    embeddingModel: model,
    modelCacheDir: join(ws.indexDir, '..', 'models'),
    allowRemoteModels: false,
    logLevel: 'silent',
  };
}

export function loadTinyEmbedder(): Promise<Embedder> {
  return loadTransformersEmbedder({ model: TINY_MODEL, cacheDir: join(tmpdir(), 'sourcier-models'), allowRemote: false });
}
