import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import type { Answer, Sourcier } from '../../src/core/types.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { configFor, loadTinyEmbedder, makeWorkspace } from '../helpers/test-corpus.js';

const CYCLES = 5;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;

/**
 * The article that changes each cycle: a preamble whose length grows shifts every offset, and the year changes the
 * words, so an answer mixing one generation's offsets with another's text cannot equal any generation's slice.
 */
function evolving(cycle: number): string {
  const preamble = Array.from({ length: cycle + 1 }, (_, i) => `Mise à jour numéro ${i} de la rédaction.`).join(' ');
  return `---\ntitle: Le barrage de Kandadji\ndate: 2024-0${1 + cycle}-15\n---\n${preamble}\n\nLe barrage de Kandadji sur le fleuve Niger sera achevé en ${2030 + cycle}, a annoncé le ministère de l'Hydraulique. Les travaux du barrage de Kandadji reprennent après une longue pause.\n`;
}

beforeAll(async () => {
  ws = await makeWorkspace();
  const embedder = await loadTinyEmbedder();
  await writeFile(join(ws.corpusDir, 'kandadji.md'), evolving(0));
  await buildIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir, embedder });
  sourcier = await openSourcier(configFor(ws), { embedder });
}, 120_000);

afterAll(async () => {
  await sourcier?.close();
  await ws?.cleanup();
});

describe('rebuild and swap under continuous queries', () => {
  it(`answers every question during ${CYCLES} reindex cycles, each answer from one generation's text and offsets`, async () => {
    /** The evolving article's text in every generation that was live. */
    const versions = [sourcier.passage('kandadji#0')!.article.text];
    const answers: Answer[] = [];
    const errors: unknown[] = [];
    let running = true;
    const questions = [
      (s: Sourcier) => s.ask('Quand le barrage de Kandadji sera-t-il achevé ?'),
      (s: Sourcier) => s.quote('Le barrage de Kandadji sur le fleuve Niger'),
      (s: Sourcier) => s.ask('Où se réunit la coalition contre Daesh ?'),
    ];
    const client = async (offset: number) => {
      for (let i = offset; running; i++) {
        try {
          answers.push(await questions[i % questions.length]!(sourcier));
        } catch (error) {
          errors.push(error);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const clients = [client(0), client(1), client(2)];
    const generations = [sourcier.stats().generation];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await writeFile(join(ws.corpusDir, 'kandadji.md'), evolving(cycle));
      const before = answers.length;
      const summary = await sourcier.reindex();
      expect(summary.changed).toBe(1);
      expect(answers.length).toBeGreaterThan(before); // questions were answered while the rebuild ran
      generations.push(sourcier.stats().generation);
      versions.push(sourcier.passage('kandadji#0')!.article.text);
    }
    running = false;
    await Promise.all(clients);

    expect(errors).toEqual([]);
    expect(new Set(generations).size).toBe(CYCLES + 1);
    expect(new Set(versions).size).toBe(CYCLES + 1);
    let fromEvolving = 0;
    const versionsSeen = new Set<number>();
    for (const answer of answers) {
      const matched = new Set<number>();
      for (const c of answer.citations.filter((c) => c.articleId === 'kandadji')) {
        fromEvolving++;
        const v = versions.findIndex((text) => text.slice(c.start, c.end) === c.excerpt);
        expect(v, `excerpt "${c.excerpt}" at ${c.start}-${c.end} matches no generation's text`).toBeGreaterThanOrEqual(0);
        matched.add(v);
      }
      // All citations of one answer come from the same generation.
      expect(matched.size).toBeLessThanOrEqual(1);
      matched.forEach((v) => versionsSeen.add(v));
    }
    console.info(`rebuild under load: ${JSON.stringify({ cycles: CYCLES, answers: answers.length, errors: errors.length, fromEvolving, versionsSeen: versionsSeen.size })}`);
    expect(fromEvolving).toBeGreaterThan(0);
    expect(versionsSeen.size).toBeGreaterThan(1);
  }, 120_000);
});
