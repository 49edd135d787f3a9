import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = path.join(ROOT, 'scripts', 'make-tiny-model.mjs');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'tiny-model');

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('scripts/make-tiny-model.mjs', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-tiny-model-'));
    await promisify(execFile)(process.execPath, [SCRIPT, outDir], { cwd: ROOT });
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('regenerates files byte-identical to the committed fixture', async () => {
    const files = await listFiles(outDir);
    expect(files).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await listFiles(FIXTURE)).toEqual(files);
    for (const file of files) {
      const fresh = await readFile(path.join(outDir, file));
      const committed = await readFile(path.join(FIXTURE, file));
      expect(fresh.equals(committed), `${file} differs from the committed fixture; run "node scripts/make-tiny-model.mjs"`).toBe(true);
    }
  });

  it('writes a WordPiece vocabulary that splits French text into known pieces, not [UNK]', async () => {
    const tokenizer = JSON.parse(await readFile(path.join(outDir, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    const vocab = tokenizer.model.vocab;
    const size = Object.keys(vocab).length;
    expect(size).toBeGreaterThan(1000);
    for (const piece of ['[CLS]', '[SEP]', '[PAD]', '[UNK]', 'coalition', 'été', '’', '##s', '##ment', '0', '##9']) {
      expect(vocab[piece], piece).toBeTypeOf('number');
    }
    const config = JSON.parse(await readFile(path.join(outDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.vocab_size).toBe(size);
    expect(config.model_type).toBe('bert');
  });
});
