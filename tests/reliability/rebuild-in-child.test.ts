import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndexFromConfig, openSourcier } from '../../src/app/open-sourcier.js';
import { createLogger } from '../../src/core/logger.js';
import type { IndexSummary, Sourcier } from '../../src/core/types.js';
import { configFor, makeWorkspace } from '../helpers/test-corpus.js';

/**
 * Opened from its settings as `npm start` does (no embedder handed in), Sourcier rebuilds in a child process that
 * loads the model itself, while this process keeps embedding questions with its own session. On a worker thread
 * instead, a reindex loop next to live questions crashed the process (corrupted native heap) within a few cycles.
 */
const CYCLES = 3;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;
const logs: string[] = [];

beforeAll(async () => {
  ws = await makeWorkspace();
  await buildIndexFromConfig(configFor(ws), {});
  sourcier = await openSourcier(configFor(ws), { logger: createLogger('debug', (line) => logs.push(line)) });
}, 120_000);

afterAll(async () => {
  await sourcier?.close();
  await ws?.cleanup();
});

describe('live reindex in a child process', () => {
  it(`answers hybrid questions during ${CYCLES} rebuilds made by the child, which reuses the previous generation`, async () => {
    expect(sourcier.stats().mode).toBe('hybrid');
    const summaries: IndexSummary[] = [];
    let asking = true;
    let answered = 0;
    const asker = (async () => {
      while (asking) {
        const answer = await sourcier.ask(answered % 2 === 0 ? 'Qui préside la réunion de Marrakech ?' : 'Combien de conteneurs le port de Marseille a-t-il traités ?');
        expect(answer.mode).toBe('hybrid');
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await appendFile(join(ws.corpusDir, 'news', 'depeches.jsonl'), `${JSON.stringify({ id: `suite-${cycle}`, title: `Suite ${cycle}`, text: `Le conseil municipal a siégé pour la ${cycle + 1}e fois.` })}\n`);
      summaries.push(await sourcier.reindex());
    }
    asking = false;
    await asker;
    expect(answered).toBeGreaterThan(CYCLES);
    for (const [cycle, summary] of summaries.entries()) {
      expect(summary).toMatchObject({ mode: 'hybrid', added: 1, changed: 0, embedded: 1 });
      expect(summary.reused).toMatchObject({ lexical: true, vectors: true });
      expect(summary.reused!.articles).toBeGreaterThanOrEqual(2 + cycle);
    }
    expect(sourcier.stats().articles).toBe(summaries[0]!.articles + CYCLES - 1);
    // It did run in the child: the build's own log lines came over, and nothing fell back to this process.
    expect(logs.some((line) => line.includes('index built'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/reindex worker unavailable/);
  }, 180_000);
});
