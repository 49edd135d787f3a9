import { createHash } from 'node:crypto';
import type { Logger } from '../../src/core/logger.js';
import type { IndexStore, ManifestFields } from '../../src/store/index-store.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps what it is told, so tests can assert on warnings. */
export function recordingLogger(): Logger & { entries: LogEntry[]; warnings: () => string[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, fields?: Record<string, unknown>) => void entries.push({ level, message, fields });
  return {
    entries,
    warnings: () => entries.filter((e) => e.level === 'warn').map((e) => e.message),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

export function manifestFields(build: number): ManifestFields {
  return {
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    mode: 'lexical',
    chunking: { targetTokens: 160, tokenizer: 'estimate' },
    counts: { articles: build, chunks: build * 3 },
    extra: { build },
  };
}

/** Deterministic content of file `name` of build number `build`, `size` bytes. */
export function fileContent(build: number, name: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(`${build}/${name}`).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Writes and commits a generation of three files for build number `build`. */
export async function commitBuild(store: IndexStore, build: number): Promise<string> {
  const writer = await store.beginGeneration();
  await writer.writeFile('articles.json', JSON.stringify({ build }));
  await writer.writeFile('chunks.bin', fileContent(build, 'chunks.bin', 5000 + build));
  await writer.writeFile('lexical.bin', fileContent(build, 'lexical.bin', 1234));
  return writer.commit(manifestFields(build));
}
