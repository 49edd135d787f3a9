import { AppError } from '../core/app-error.js';
import type { ManifestFields } from './index-store.js';

/** What the running Sourcier can read. */
export interface ExpectedIndex {
  formatVersion: number;
  /** Embedding model the vectors must come from; compared only when the index holds vectors (mode hybrid). */
  modelId?: string;
  /** Vector dimensions; compared only when the index holds vectors. */
  dimensions?: number;
}

/**
 * Throws INDEX_INCOMPATIBLE naming every difference between a generation's manifest and what this Sourcier expects,
 * and how to rebuild. A lexical-only index is never refused for its model (it has none).
 */
export function checkCompatible(manifest: Pick<ManifestFields, 'formatVersion' | 'mode' | 'modelId' | 'dimensions'>, expected: ExpectedIndex, indexDir = 'the index folder'): void {
  const differences: string[] = [];
  if (manifest.formatVersion !== expected.formatVersion) {
    differences.push(`format version ${manifest.formatVersion} (this Sourcier reads ${expected.formatVersion})`);
  }
  if (manifest.mode === 'hybrid') {
    if (expected.modelId !== undefined && manifest.modelId !== expected.modelId) {
      differences.push(`model ${manifest.modelId ?? '(none)'} (configured: ${expected.modelId})`);
    }
    if (expected.dimensions !== undefined && manifest.dimensions !== expected.dimensions) {
      differences.push(`${manifest.dimensions ?? '?'}-dimensional vectors (the model gives ${expected.dimensions})`);
    }
  }
  if (differences.length === 0) return;
  throw new AppError(
    'INDEX_INCOMPATIBLE',
    `The index in ${indexDir} was built with ${differences.join(', ')}; run "sourcier index --rebuild" to rebuild it, or delete ${indexDir}.`,
  );
}
