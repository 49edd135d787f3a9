import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Embedder } from '../../src/core/types.js';
import { isLocalModelPath, loadTransformersEmbedder } from '../../src/embed/transformers-embedder.js';

const TINY_MODEL = fileURLToPath(new URL('../fixtures/tiny-model', import.meta.url));

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(cosine(a, a));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('loadTransformersEmbedder on the tiny model', () => {
  let cacheDir: string;
  let embedder: Embedder;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-embed-'));
    embedder = await loadTransformersEmbedder({ model: TINY_MODEL, cacheDir, allowRemote: false });
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('reports the dimensions and position limit of the model config, and the model id as given', async () => {
    const config = JSON.parse(await readFile(path.join(TINY_MODEL, 'config.json'), 'utf8')) as Record<string, number>;
    expect(embedder.dimensions).toBe(config.hidden_size);
    expect(embedder.maxTokens).toBe(Math.min(512, config.max_position_embeddings!));
    expect(embedder.modelId).toBe(TINY_MODEL);
  });

  it('returns one unit-length vector of the model dimensions per passage', async () => {
    const vectors = await embedder.embedPassages(['La coalition se réunit à Marrakech.', 'Le prix de l’essence augmente.']);
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(embedder.dimensions);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(norm(await embedder.embedQuery('coalition'))).toBeCloseTo(1, 5);
  });

  it('gives the same vector for the same text every time', async () => {
    const text = 'Plus de 80 pays vont participer à ce forum.';
    const [a] = await embedder.embedPassages([text]);
    const [b] = await embedder.embedPassages([text]);
    expect(Array.from(b!)).toEqual(Array.from(a!));
  });

  it('embeds a query differently from a passage of the same text, because of the prefixes', async () => {
    const text = 'la réunion de la coalition à Marrakech';
    const [passage] = await embedder.embedPassages([text]);
    const query = await embedder.embedQuery(text);
    expect(cosine(query, passage!)).toBeLessThan(0.999);
  });

  it('embeds a batch exactly as it embeds each text alone, across batch boundaries and padding', async () => {
    const small = await loadTransformersEmbedder({ model: TINY_MODEL, cacheDir, allowRemote: false, batchSize: 2 });
    const texts = [
      'Un mot.',
      'La Coalition mondiale contre Daesh tiendra une réunion le 11 mai prochain à Marrakech.',
      'Nasser Bourita et Antony Blinken présideront la réunion.',
      'Fin.',
      'Les Daeshistes essayent de regagner du terrain en Afrique.',
    ];
    const batched = await small.embedPassages(texts);
    expect(batched).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) {
      const [single] = await embedder.embedPassages([text]);
      for (let d = 0; d < single!.length; d++) expect(Math.abs(batched[i]![d]! - single![d]!)).toBeLessThan(1e-5);
    }
  });

  it('returns no vectors for no passages', async () => {
    expect(await embedder.embedPassages([])).toEqual([]);
  });

  it.each([
    [
      'Où se réunit la coalition contre Daech ?',
      'La Coalition mondiale contre Daesh tiendra une réunion le 11 mai prochain à Marrakech.',
      'Le prix de l’essence a encore augmenté ce mois-ci dans les stations-service.',
    ],
    [
      'réforme des retraites',
      'Le gouvernement a présenté sa réforme des retraites en conseil des ministres.',
      'Météo : de la pluie et du vent sont attendus demain à Paris et en Île-de-France.',
    ],
    [
      'élection présidentielle candidats sondage',
      'Un nouveau sondage place les candidats à l’élection présidentielle au coude-à-coude.',
      'Le club de football a remporté le match grâce à un but à la dernière minute.',
    ],
  ])('ranks a passage sharing words with the query "%s" above an unrelated one', async (query, related, unrelated) => {
    const q = await embedder.embedQuery(query);
    const [near, far] = await embedder.embedPassages([related, unrelated]);
    expect(cosine(q, near!)).toBeGreaterThan(cosine(q, far!));
  });

  it('counts tokens with the passage prefix and special tokens, growing with the text', () => {
    const { countTokens } = embedder.tokenCounter;
    // "passage: " is at least two pieces ("passage", ":"), plus [CLS] and [SEP].
    expect(countTokens('')).toBeGreaterThanOrEqual(4);
    const one = countTokens('coalition');
    expect(one).toBe(countTokens('') + 1);
    const sentence = countTokens('La coalition mondiale contre Daesh se réunit à Marrakech.');
    expect(sentence).toBeGreaterThan(one);
    expect(countTokens('La coalition mondiale contre Daesh se réunit à Marrakech. '.repeat(3))).toBeGreaterThan(2 * sentence);
  });

  it('embeds a 5,000-word text by truncating it to maxTokens', async () => {
    const words = 'la coalition mondiale contre daesh se réunit à marrakech pour renforcer la mobilisation'.split(' ');
    const long = Array.from({ length: 5000 }, (_, i) => words[i % words.length]).join(' ');
    expect(embedder.tokenCounter.countTokens(long)).toBeGreaterThan(embedder.maxTokens);
    const [vector] = await embedder.embedPassages([long]);
    expect(vector).toHaveLength(embedder.dimensions);
    expect(norm(vector!)).toBeCloseTo(1, 5);
  });

  it('truncates at a smaller maxTokens when asked: texts equal up to that length embed the same', async () => {
    // [CLS] passage : la coalition mondiale contre daesh | ... : the first 8 tokens are shared.
    const short = await loadTransformersEmbedder({ model: TINY_MODEL, cacheDir, allowRemote: false, maxTokens: 8 });
    expect(short.maxTokens).toBe(8);
    const [a, b] = await short.embedPassages([
      'la coalition mondiale contre daesh se réunit à marrakech',
      'la coalition mondiale contre daesh et le prix de l’essence',
    ]);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    const [c, d] = await embedder.embedPassages([
      'la coalition mondiale contre daesh se réunit à marrakech',
      'la coalition mondiale contre daesh et le prix de l’essence',
    ]);
    expect(Array.from(c!)).not.toEqual(Array.from(d!));
  });

  it('loads the unquantized graph too, with vectors close to the quantized ones', async () => {
    const full = await loadTransformersEmbedder({ model: TINY_MODEL, cacheDir, allowRemote: false, quantized: false });
    const text = 'La Coalition mondiale contre Daesh tiendra une réunion à Marrakech.';
    const [q] = await embedder.embedPassages([text]);
    const [f] = await full.embedPassages([text]);
    expect(cosine(q!, f!)).toBeGreaterThan(0.99);
  });
});

describe('loadTransformersEmbedder failures', () => {
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-embed-empty-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('rejects a hub id with MODEL_UNAVAILABLE when remote loading is off and the cache is empty', async () => {
    // No timing assertion here: the test timeout is what catches a load that waits on the network.
    const error = await rejection(loadTransformersEmbedder({ model: 'Xenova/multilingual-e5-small', cacheDir, allowRemote: false }));
    expect(isAppError(error, 'MODEL_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('Xenova/multilingual-e5-small');
    expect((error as Error).message).toContain('MODEL_CACHE_DIR');
    expect((error as Error).cause).toBeDefined();
  }, 10_000);

  it('rejects a local folder that does not exist with MODEL_UNAVAILABLE naming it', async () => {
    const missing = path.join(cacheDir, 'no-such-model');
    const error = await rejection(loadTransformersEmbedder({ model: missing, cacheDir, allowRemote: false }));
    expect(isAppError(error, 'MODEL_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain(missing);
  });

  it('rejects a folder without the ONNX file with MODEL_UNAVAILABLE', async () => {
    const partial = await mkdtemp(path.join(cacheDir, 'partial-'));
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      await import('node:fs/promises').then((fs) => fs.copyFile(path.join(TINY_MODEL, file), path.join(partial, file)));
    }
    const error = await rejection(loadTransformersEmbedder({ model: partial, cacheDir, allowRemote: false }));
    expect(isAppError(error, 'MODEL_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('model_quantized.onnx');
  });
});

describe('isLocalModelPath', () => {
  it.each([
    ['/opt/models/e5', true],
    ['./models/e5', true],
    ['../models/e5', true],
    ['tests/fixtures/tiny-model', true],
    ['C:\\models\\e5', true],
    ['Xenova/multilingual-e5-small', false],
    ['bert-base-uncased', false],
    ['', false],
  ])('classifies %j as local: %s', (model, expected) => {
    expect(isLocalModelPath(model)).toBe(expected);
  });
});
