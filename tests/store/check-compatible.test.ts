import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/app-error.js';
import { checkCompatible } from '../../src/store/check-compatible.js';

const hybrid = { formatVersion: 1, mode: 'hybrid' as const, modelId: 'Xenova/multilingual-e5-small', dimensions: 384 };

function messageOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INDEX_INCOMPATIBLE');
    return (error as AppError).message;
  }
  throw new Error('expected INDEX_INCOMPATIBLE');
}

describe('checkCompatible', () => {
  it('accepts a manifest that matches', () => {
    expect(() => checkCompatible(hybrid, { formatVersion: 1, modelId: hybrid.modelId, dimensions: 384 })).not.toThrow();
  });

  it('names the other format version and how to rebuild', () => {
    const message = messageOf(() => checkCompatible(hybrid, { formatVersion: 2 }, 'data/index'));
    expect(message).toContain('format version 1 (this Sourcier reads 2)');
    expect(message).toContain('sourcier index --rebuild');
    expect(message).toContain('delete data/index');
  });

  it('names every difference of model and dimensions at once', () => {
    const message = messageOf(() => checkCompatible(hybrid, { formatVersion: 1, modelId: 'Xenova/bge-m3', dimensions: 1024 }));
    expect(message).toContain('model Xenova/multilingual-e5-small (configured: Xenova/bge-m3)');
    expect(message).toContain('384-dimensional vectors (the model gives 1024)');
  });

  it('does not refuse a lexical-only index for its (absent) model', () => {
    expect(() => checkCompatible({ formatVersion: 1, mode: 'lexical' }, { formatVersion: 1, modelId: 'x', dimensions: 8 })).not.toThrow();
  });
});
