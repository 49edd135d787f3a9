import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import type { Sourcier } from '../../src/core/types.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { INDEX_FILES } from '../../src/indexing/index-format.js';
import { loadGeneration, type LoadedGeneration } from '../../src/indexing/load-generation.js';
import { openStore } from '../../src/store/index-store.js';
import { codeOf } from '../helpers/error-code.js';
import { configFor } from '../helpers/test-corpus.js';

const CITIES = ['Lyon', 'Marseille', 'Lille', 'Nantes', 'Rennes', 'Brest', 'Nice', 'Dijon', 'Metz', 'Caen', 'Tours', 'Pau'];
const TOPICS = ['tramway', 'budget', 'grève', 'hôpital', 'stade', 'école', 'port', 'festival', 'usine', 'forêt', 'musée', 'marché'];
const VERBS = ['a voté', 'a annoncé', 'a refusé', 'prépare', 'inaugure', 'finance'];

/** A deterministic news article `n` (`version` changes its text): a title and three paragraphs. */
function articleText(n: number, version = 0): string {
  const city = CITIES[n % CITIES.length]!;
  const topic = TOPICS[(n * 7) % TOPICS.length]!;
  const paragraphs = [0, 1, 2].map((p) =>
    [0, 1, 2, 3]
      .map((s) => `Le conseil de ${city} ${VERBS[(n + p + s) % VERBS.length]} ${1000 + n * 13 + p * 5 + s + version} euros pour le ${topic} du quartier ${TOPICS[(n + s) % TOPICS.length]}.`)
      .join(' '),
  );
  return `${city} : le ${topic} en question (${n})\n\n${paragraphs.join('\n\n')}${version ? `\n\nMise à jour ${version} : le vote est reporté.` : ''}`;
}

let root: string;
let corpusDir: string;
const opened: Sourcier[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sourcier-build-'));
  corpusDir = join(root, 'corpus');
  await rm(corpusDir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(corpusDir));
  for (let n = 0; n < 60; n++) await writeFile(join(corpusDir, `a${String(n).padStart(3, '0')}.txt`), articleText(n));
});
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  await rm(root, { recursive: true, force: true });
});

/** One round of edits: article `round` changed, `round + 20` deleted, a new one added (about 3% of the corpus each). */
async function editCorpus(round: number): Promise<void> {
  await writeFile(join(corpusDir, `a${String(round).padStart(3, '0')}.txt`), articleText(round, round + 1));
  await unlink(join(corpusDir, `a${String(round + 20).padStart(3, '0')}.txt`)).catch(() => {});
  await writeFile(join(corpusDir, `b${String(round).padStart(3, '0')}.txt`), articleText(100 + round));
}

const live = async (indexDir: string) => (await openStore(indexDir).readLive())!;
const served = async (indexDir: string): Promise<LoadedGeneration> => loadGeneration(await live(indexDir), { serving: true });

const QUESTIONS = ['Combien Lyon a-t-il voté pour le tramway ?', 'le budget du port de Marseille', 'grève à l’hôpital de Lille', 'vote reporté', 'festival 1300 euros', 'musée Caen'];

/** The incremental index serves what a full build of the same corpus serves: tables, search hits and scores, answers. */
async function expectServedAsFullBuild(indexDir: string): Promise<void> {
  const fullDir = join(root, `full-${Date.now()}`);
  await buildIndex({ corpusDir, indexDir: fullDir });
  const [a, b] = await Promise.all([served(indexDir), served(fullDir)]);
  expect(a.articles).toEqual(b.articles);
  expect(a.chunks.map((c) => [c.id, c.text])).toEqual(b.chunks.map((c) => [c.id, c.text]));
  expect(a.lexical!.size).toBe(b.lexical!.size);
  expect(a.lexical!.vocabularySize).toBe(b.lexical!.vocabularySize);
  for (const q of [...QUESTIONS, ...CITIES, ...TOPICS]) {
    expect(a.lexical!.search(q, 20)).toEqual(b.lexical!.search(q, 20));
    expect(a.lexical!.idf(q.toLowerCase())).toBe(b.lexical!.idf(q.toLowerCase()));
  }
  const [sa, sb] = await Promise.all([openSourcier(configFor({ corpusDir, indexDir }), { embedder: null }), openSourcier(configFor({ corpusDir, indexDir: fullDir }), { embedder: null })]);
  opened.push(sa, sb);
  for (const q of QUESTIONS) {
    const [x, y] = [await sa.ask(q), await sb.ask(q)];
    expect({ ...x, latencyMs: 0 }).toEqual({ ...y, latencyMs: 0 });
  }
  await rm(fullDir, { recursive: true, force: true });
}

describe('buildIndex, incremental: the article table and the lexical index in segments', () => {
  it('refuses with INDEX_CORRUPT a shared base damaged in place (every generation naming it is), and the next build writes whole files again', async () => {
    const indexDir = join(root, 'index');
    await buildIndex({ corpusDir, indexDir });
    await editCorpus(1);
    await buildIndex({ corpusDir, indexDir });
    const shared = await live(indexDir);
    // A tool writing into the file (not replacing it) changes the one inode both generations name.
    const path = join(shared.dir, INDEX_FILES.lexical);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1]! ^= 0x10;
    await writeFile(path, bytes);
    expect(await codeOf(openStore(indexDir).readLive())).toBe('INDEX_CORRUPT');
    const summary = await buildIndex({ corpusDir, indexDir });
    expect(summary.reused).toMatchObject({ lexical: false, articles: 0 });
    const rebuilt = await live(indexDir);
    expect(rebuilt.manifest.files[INDEX_FILES.lexicalDelta]).toBeUndefined();
    expect(rebuilt.manifest.files[INDEX_FILES.articlesDelta]).toBeUndefined();
    await expectServedAsFullBuild(indexDir);
  });

  it('links the previous article table and lexical index, writes only small deltas beside them, and serves what a full build serves', async () => {
    const indexDir = join(root, 'index');
    await buildIndex({ corpusDir, indexDir });
    const first = await live(indexDir);
    expect(first.manifest.files[INDEX_FILES.lexicalDelta]).toBeUndefined();
    await editCorpus(1);
    const summary = await buildIndex({ corpusDir, indexDir });
    expect(summary).toMatchObject({ added: 1, changed: 1, removed: 1, reused: { lexical: true } });
    const second = await live(indexDir);
    expect((await stat(join(second.dir, INDEX_FILES.lexical))).ino).toBe((await stat(join(first.dir, INDEX_FILES.lexical))).ino);
    expect(second.manifest.files[INDEX_FILES.lexical]).toEqual(first.manifest.files[INDEX_FILES.lexical]);
    expect(second.manifest.files[INDEX_FILES.lexicalDelta]!.bytes).toBeLessThan(first.manifest.files[INDEX_FILES.lexical]!.bytes / 4);
    // So is the article table: the previous one, and the changed and added articles beside it.
    expect((await stat(join(second.dir, INDEX_FILES.articles))).ino).toBe((await stat(join(first.dir, INDEX_FILES.articles))).ino);
    expect(second.manifest.files[INDEX_FILES.articlesDelta]!.bytes).toBeLessThan(first.manifest.files[INDEX_FILES.articles]!.bytes / 4);
    await expectServedAsFullBuild(indexDir);
  });

  it('keeps serving and verifying once the generation that wrote the base is deleted, then merges both into the full build’s bytes', async () => {
    const indexDir = join(root, 'index');
    await buildIndex({ corpusDir, indexDir });
    const first = await live(indexDir);
    let round = 1;
    for (; round <= 2; round++) {
      await editCorpus(round);
      await buildIndex({ corpusDir, indexDir });
      expect((await live(indexDir)).manifest.files[INDEX_FILES.lexicalDelta], `round ${round}`).toBeDefined();
    }
    // Two generations are kept: the one that wrote lexical.bin is gone, the file lives on in its successors.
    expect((await readdir(indexDir)).filter((n) => n.startsWith('gen-'))).not.toContain(first.id);
    await expectServedAsFullBuild(indexDir);
    // Each round adds 2 articles in 60 to the deltas and takes 2 from the bases (a changed article is both): past
    // 20%, the generation holds one whole table, and one whole index again, each the full build's bytes.
    const merged = new Set<string>();
    for (; merged.size < 2; round++) {
      expect(round).toBeLessThan(12);
      await editCorpus(round);
      await buildIndex({ corpusDir, indexDir });
      const now = await live(indexDir);
      const fullDir = join(root, `full-${round}`);
      await buildIndex({ corpusDir, indexDir: fullDir });
      const full = await live(fullDir);
      for (const [name, delta] of [[INDEX_FILES.lexical, INDEX_FILES.lexicalDelta], [INDEX_FILES.articles, INDEX_FILES.articlesDelta]] as const) {
        if (now.manifest.files[delta]) continue;
        merged.add(name);
        expect((await stat(join(now.dir, name))).ino).not.toBe((await stat(join(first.dir, name)).catch(() => ({ ino: -1 }))).ino);
        expect((await readFile(join(now.dir, name))).equals(await readFile(join(full.dir, name))), name).toBe(true);
      }
      await rm(fullDir, { recursive: true, force: true });
    }
    await expectServedAsFullBuild(indexDir);
  });
});
