import type { Embedder } from '../../src/core/types.js';

/** An embedder that adds the time of each question's embedding to `modelMs`, so latency can be given without the model. */
export function timedEmbedder(inner: Embedder): Embedder & { readonly modelMs: number } {
  let modelMs = 0;
  return {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    maxTokens: inner.maxTokens,
    tokenCounter: inner.tokenCounter,
    embedPassages: (texts) => inner.embedPassages(texts),
    async embedQuery(text) {
      const t0 = performance.now();
      try {
        return await inner.embedQuery(text);
      } finally {
        modelMs += performance.now() - t0;
      }
    },
    get modelMs() {
      return modelMs;
    },
  };
}
