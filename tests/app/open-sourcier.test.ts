import { createHash } from 'node:crypto';
import { readFile, rm, unlink, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIndexFromConfig, openSourcier } from '../../src/app/open-sourcier.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Answer, Embedder, Sourcier } from '../../src/core/types.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { INDEX_FILES } from '../../src/indexing/index-format.js';
import { loadGeneration } from '../../src/indexing/load-generation.js';
import { openStore } from '../../src/store/index-store.js';
import { configFor, loadTinyEmbedder, makeWorkspace } from '../helpers/test-corpus.js';
import { recordingLogger } from '../store/helpers.js';

let embedder: Embedder;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  embedder = await loadTinyEmbedder();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function workspace() {
  const ws = await makeWorkspace();
  cleanups.push(ws.cleanup);
  return ws;
}

async function open(ws: { corpusDir: string; indexDir: string }, deps: Parameters<typeof openSourcier>[1] = {}): Promise<Sourcier> {
  const s = await openSourcier(configFor(ws), { embedder, ...deps });
  cleanups.push(() => s.close());
  return s;
}

function expectVerbatim(answer: Answer, sourcier: Sourcier): void {
  for (const c of answer.citations) {
    const passage = sourcier.passage(c.chunkId);
    expect(passage, c.chunkId).toBeDefined();
    expect(passage!.article.text.slice(c.start, c.end)).toBe(c.excerpt);
    expect(passage!.article.id).toBe(c.articleId);
  }
}

describe('openSourcier on the bundled corpus with the tiny model', () => {
  it('builds a hybrid index when none exists and answers with verbatim excerpts, title, date and source', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    expect(s.stats()).toMatchObject({ articles: 7, mode: 'hybrid', modelId: embedder.modelId, dimensions: embedder.dimensions });
    const answer = await s.ask('Qui a remporté le marathon olympique à Versailles ?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ articleId: 'news/sport/2024-08-marathon-paris', source: 'Gazette des Sports', date: '2024-08-10' });
    expect(answer.citations.map((c) => c.excerpt).join(' ')).toContain('Tamirat Tola');
    expectVerbatim(answer, s);
  });

  it('answers the same after the index is reopened from disk', async () => {
    const ws = await workspace();
    await buildIndexFromConfig(configFor(ws), { embedder });
    const questions = ['Combien de conteneurs le port de Marseille a-t-il traités ?', "Où s'ouvre la COP27 ?", 'Qui préside la réunion de Marrakech ?'];
    const first = await open(ws);
    const before = await Promise.all(questions.map((q) => first.ask(q)));
    const second = await open(ws);
    const after = await Promise.all(questions.map((q) => second.ask(q)));
    const strip = (a: Answer) => a.citations.map((c) => [c.chunkId, c.start, c.end, c.excerpt]);
    expect(after.map(strip)).toEqual(before.map(strip));
    expect(before[0]!.citations[0]!.excerpt).toContain('1,6 million de conteneurs');
  });

  it('says so and lists the nearest articles when nothing relevant is found', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const answer = await s.ask('Quelle est la recette de la tarte Tatin aux pommes caramélisées ?');
    expect(answer.abstained).toBe(true);
    expect(answer.citations).toEqual([]);
    expect(answer.nearest.length).toBeGreaterThan(0);
  });

  it('abstains at the ABSTENTION_THRESHOLD setting: never at 0, on every question at 1', async () => {
    const ws = await workspace();
    await open(ws, { buildIfMissing: true });
    const never = await openSourcier({ ...configFor(ws), abstentionThreshold: 0 }, { embedder });
    cleanups.push(() => never.close());
    const always = await openSourcier({ ...configFor(ws), abstentionThreshold: 1 }, { embedder });
    cleanups.push(() => always.close());
    const offTopic = await never.ask('Quelle est la recette de la tarte Tatin aux pommes caramélisées ?');
    expect(offTopic.abstained).toBe(false);
    expect(offTopic.citations.length).toBeGreaterThan(0);
    const onTopic = await always.ask("Où s'ouvre la COP27 ?");
    expect(onTopic.abstained).toBe(true);
    expect(onTopic.nearest.length).toBeGreaterThan(0);
  });

  it('ranks first the passages published in the period the question names, and reports the period', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const answer = await s.ask('Que dit le Maroc sur la coalition anti-Daech en juillet 2016 ?', { limit: 10 });
    expect(answer.period).toEqual({ since: '2016-07-01', until: '2016-07-31', label: 'en juillet 2016' });
    const dates = answer.citations.map((c) => c.date);
    expect(dates[0]).toBe('2016-07');
    // Every passage of the period comes before any other (the 2022 meeting is about the same coalition).
    expect(dates.slice(0, dates.lastIndexOf('2016-07') + 1).every((d) => d === '2016-07')).toBe(true);
  });

  it('looks across all dates when the period named in the question matches no article, and says so', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const answer = await s.ask('Combien de conteneurs le port de Marseille a-t-il traités en 2022 ?');
    expect(answer.period).toMatchObject({ since: '2022-01-01', until: '2022-12-31', applied: false });
    expect(answer.citations[0]).toMatchObject({ articleId: 'news/economie/2023-03-port-de-marseille' });
  });

  it('keeps an explicit --since/--until as a strict filter', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const answer = await s.ask('Combien de conteneurs le port de Marseille a-t-il traités ?', { since: '2024-01-01' });
    for (const c of answer.citations) expect((c.date ?? '') >= '2024').toBe(true);
    expect(answer.citations.some((c) => c.articleId === 'news/economie/2023-03-port-de-marseille')).toBe(false);
  });

  it('finds where a phrase appears, verbatim, with its source', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const answer = await s.quote('ferme volonté du Maroc de coordonner ses actions');
    expect(answer.citations[0]).toMatchObject({ articleId: 'maroc/2022-04-coalition-daesh-marrakech', excerpt: expect.stringContaining('ferme volonté du Maroc de coordonner ses actions') });
    expectVerbatim(answer, s);
  });
});

describe('index lifecycle', () => {
  it('re-indexes only new and changed articles and drops deleted ones', async () => {
    const ws = await workspace();
    // Enough articles that one changed and one deleted leave the vector graph worth updating rather than rebuilding.
    // They come as one JSONL file, whose unchanged lines the next build takes back without reading them again.
    const breves = Array.from({ length: 24 }, (_, i) => {
      const town = ['Lille', 'Nantes', 'Rennes', 'Dijon', 'Metz', 'Brest'][i % 6]!;
      const text =
        `Le conseil municipal de ${town} a adopté le budget ${2000 + i} après ${i + 3} heures de débat. ` +
        `Les élus ont aussi voté ${i + 1} subventions pour les associations sportives et culturelles de la ville.`;
      return JSON.stringify({ id: `breve-${i}`, title: `Brève ${i} de ${town}`, date: `2023-0${1 + (i % 9)}-1${i % 10}`, text });
    });
    const jsonl = join(ws.corpusDir, 'news', 'breves.jsonl');
    await writeFile(jsonl, breves.join('\n') + '\n');
    const full = await buildIndexFromConfig(configFor(ws), { embedder });
    expect(full).toMatchObject({ articles: 31, added: 31, changed: 0, removed: 0, unchanged: 0 });
    expect(full.embedded).toBe(full.chunks);

    const md = join(ws.corpusDir, 'news', 'economie', '2023-03-port-de-marseille.md');
    await writeFile(md, (await readFile(md, 'utf8')).replace('1,6 million', '1,7 million'));
    await unlink(join(ws.corpusDir, 'news', 'sport', '2024-08-marathon-paris.html'));
    await writeFile(join(ws.corpusDir, 'news', 'nouveau.txt'), 'Un nouvel article\n\nLe conseil municipal de Lyon a voté jeudi la gratuité des transports pour les moins de 18 ans.');
    // The JSONL lines move down by one (a line dropped at the top, appended at the end): same articles, new paths.
    await writeFile(jsonl, [...breves.slice(1), breves[0]].join('\n') + '\n');
    const incremental = await buildIndexFromConfig(configFor(ws), { embedder });
    expect(incremental).toMatchObject({ articles: 31, added: 1, changed: 1, removed: 1, unchanged: 29 });

    const s = await open(ws);
    const changedChunks = (await s.ask('Combien de conteneurs le port de Marseille a-t-il traités ?')).citations;
    expect(changedChunks[0]!.excerpt).toContain('1,7 million');
    // Exactly the chunks of the changed and the new article were embedded again.
    const live = await openStore(ws.indexDir).readLive();
    const generation = await loadGeneration(live!);
    const fresh = generation.chunks.filter((c) => c.articleId === 'news/economie/2023-03-port-de-marseille' || c.articleId === 'news/nouveau');
    expect(incremental.embedded).toBe(fresh.length);
    expect(generation.chunks.some((c) => c.articleId === 'news/sport/2024-08-marathon-paris')).toBe(false);

    // The lexical index and dedup sketches were derived from the previous generation, and hold exactly what a full
    // build of the same corpus writes (the article table and the lexical index may be the previous ones with a delta:
    // then they serve what the full build serves).
    // 24 brèves and the 2 lines of the fixture's depeches.jsonl came back without being read again.
    expect(incremental.reused).toEqual({ articles: 26, lexical: true, vectors: true, sketches: 29 });
    const fullDir = join(ws.dir, 'index-full');
    const rebuilt = await buildIndex({ corpusDir: ws.corpusDir, indexDir: fullDir, embedder });
    expect(rebuilt.reused).toEqual({ articles: 0, lexical: false, vectors: false, sketches: 0 });
    const fullLive = await openStore(fullDir).readLive();
    for (const name of [INDEX_FILES.chunks, INDEX_FILES.duplicates, INDEX_FILES.sketches, INDEX_FILES.fingerprints, INDEX_FILES.vectors]) {
      const [a, b] = await Promise.all([readFile(join(live!.dir, name)), readFile(join(fullLive!.dir, name))]);
      expect(a.equals(b), name).toBe(true);
    }
    // The lines moved: every JSONL article has a new path, recorded in the article delta beside the previous table.
    expect(live!.manifest.files[INDEX_FILES.articlesDelta]).toBeDefined();
    const [servedIncremental, servedFull] = await Promise.all([loadGeneration(live!, { serving: true }), loadGeneration(fullLive!, { serving: true })]);
    expect(servedIncremental.articles).toEqual(servedFull.articles);
    for (const q of ['conteneurs port de Marseille', 'marathon de Paris', 'gratuité des transports à Lyon', 'Tour de France']) {
      expect(servedIncremental.lexical!.search(q, 20)).toEqual(servedFull.lexical!.search(q, 20));
    }
    // The updated graph finds every chunk's own vector first, like the rebuilt one.
    const updatedGraph = await loadGeneration(live!, { serving: true });
    for (let key = 0; key < updatedGraph.chunks.length; key++) {
      expect(updatedGraph.vectors!.search(updatedGraph.vectorOf(key)!, 1)[0]!.key).toBe(key);
    }
  });

  it('rebuilds what it cannot reuse when the previous generation holds garbage sketches and fingerprints', async () => {
    const ws = await workspace();
    await buildIndexFromConfig(configFor(ws), { embedder });
    const live = (await openStore(ws.indexDir).readLive())!;
    // Damage that passes the checksums (a tool rewrote the files and the manifest): the build must not trust it.
    const manifest = JSON.parse(await readFile(join(live.dir, 'manifest.json'), 'utf8'));
    for (const [name, bytes] of [[INDEX_FILES.sketches, Buffer.from('not sketches')], [INDEX_FILES.fingerprints, Buffer.from('{"a": 1, ')]] as const) {
      await writeFile(join(live.dir, name), bytes);
      manifest.files[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    await writeFile(join(live.dir, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(join(ws.corpusDir, 'news', 'ajout.txt'), 'Ajout\n\nLe conseil municipal de Lyon a voté jeudi la gratuité des transports.');
    const summary = await buildIndexFromConfig(configFor(ws), { embedder });
    expect(summary).toMatchObject({ added: 1, unchanged: 7, reused: { articles: 0, sketches: 0, lexical: true } });
    const fullDir = join(ws.dir, 'index-full');
    await buildIndex({ corpusDir: ws.corpusDir, indexDir: fullDir, embedder });
    const [a, b] = [(await openStore(ws.indexDir).readLive())!, (await openStore(fullDir).readLive())!];
    for (const name of [INDEX_FILES.duplicates, INDEX_FILES.sketches, INDEX_FILES.fingerprints]) {
      expect((await readFile(join(a.dir, name))).equals(await readFile(join(b.dir, name))), name).toBe(true);
    }
    // The article table may be the previous one and a delta: the same articles are served.
    expect((await loadGeneration(a)).articles).toEqual((await loadGeneration(b)).articles);
  });

  it('keeps serving the live generation during a reindex, then switches to the new one', async () => {
    const ws = await workspace();
    const s = await open(ws, { buildIfMissing: true });
    const before = s.stats().generation;
    await writeFile(join(ws.corpusDir, 'news', 'ajout.md'), '---\ntitle: Lyon vote la gratuité\ndate: 2024-01-05\n---\nLe conseil municipal de Lyon a voté jeudi la gratuité des transports pour les moins de 18 ans.');
    const rebuilding = s.reindex();
    const during = await s.ask('Combien de conteneurs le port de Marseille a-t-il traités ?');
    expect(during.citations.length).toBeGreaterThan(0);
    const summary = await rebuilding;
    expect(summary.added).toBe(1);
    expect(s.stats().generation).not.toBe(before);
    expect(s.stats().articles).toBe(8);
    const after = await s.ask('Quels transports Lyon rend-il gratuits ?');
    expect(after.citations[0]!.articleId).toBe('news/ajout');
  });

  it('rebuilds in a worker thread with the configured model, reporting progress, then serves the new generation', async () => {
    const ws = await workspace();
    const s = await openSourcier(configFor(ws), { buildIfMissing: true });
    cleanups.push(() => s.close());
    await writeFile(join(ws.corpusDir, 'news', 'ajout.md'), '---\ntitle: Lyon vote la gratuité\ndate: 2024-01-05\n---\nLe conseil municipal de Lyon a voté jeudi la gratuité des transports pour les moins de 18 ans.');
    const stages = new Set<string>();
    const summary = await s.reindex((p) => stages.add(p.stage));
    expect(summary).toMatchObject({ added: 1, unchanged: 7, mode: 'hybrid' });
    expect(stages).toEqual(new Set(['read', 'chunk', 'embed', 'index', 'write', 'verify']));
    expect(s.stats()).toMatchObject({ articles: 8, generation: summary.generation });
    expect((await s.ask('Quels transports Lyon rend-il gratuits ?')).citations[0]!.articleId).toBe('news/ajout');
  });

  it('refuses an index built with another model and says how to rebuild', async () => {
    const ws = await workspace();
    await buildIndexFromConfig(configFor(ws), { embedder });
    const other: Embedder = { ...embedder, modelId: 'other/model', dimensions: 16, tokenCounter: embedder.tokenCounter, embedPassages: embedder.embedPassages.bind(embedder), embedQuery: embedder.embedQuery.bind(embedder), maxTokens: embedder.maxTokens };
    const error = await openSourcier(configFor(ws), { embedder: other }).catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_INCOMPATIBLE')).toBe(true);
    expect((error as Error).message).toMatch(/sourcier index --rebuild/);
  });

  it('refuses an index of another format version', async () => {
    const ws = await workspace();
    const summary = await buildIndexFromConfig(configFor(ws), { embedder });
    const manifestPath = join(ws.indexDir, summary.generation, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.formatVersion = 999;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const error = await openSourcier(configFor(ws), { embedder }).catch((e: unknown) => e);
    expect(isAppError(error) && ['INDEX_INCOMPATIBLE', 'INDEX_CORRUPT'].includes(error.code)).toBe(true);
    expect((error as Error).message).toMatch(/sourcier index/);
  });

  it('says there is no index and what to run when the folder is empty', async () => {
    const ws = await workspace();
    const error = await openSourcier(configFor(ws), { embedder }).catch((e: unknown) => e);
    expect(isAppError(error, 'INDEX_MISSING')).toBe(true);
    expect((error as Error).message).toMatch(/sourcier index/);
  });

  it('refuses an empty corpus without touching the live index', async () => {
    const ws = await workspace();
    const first = await buildIndexFromConfig(configFor(ws), { embedder });
    for (const entry of await readdir(ws.corpusDir)) await rm(join(ws.corpusDir, entry), { recursive: true });
    const error = await buildIndexFromConfig(configFor(ws), { embedder }).catch((e: unknown) => e);
    expect(isAppError(error, 'CORPUS_EMPTY')).toBe(true);
    const s = await open(ws);
    expect(s.stats()).toMatchObject({ generation: first.generation, articles: 7 });
  });
});

describe('lexical-only fallback', () => {
  it('indexes and answers without a model, and says why', async () => {
    const ws = await workspace();
    const config = configFor(ws, join(ws.dir, 'no-such-model'));
    const s = await openSourcier(config, { buildIfMissing: true });
    cleanups.push(() => s.close());
    const stats = s.stats();
    expect(stats.mode).toBe('lexical');
    expect(stats.modeReason).toMatch(/no-such-model/);
    const answer = await s.ask("Où s'ouvre la COP27 ?");
    expect(answer.mode).toBe('lexical');
    expect(answer.citations[0]!.excerpt).toContain('Charm el-Cheikh');
    expectVerbatim(answer, s);
  });

  it('serves a lexical-only index without trying to load the configured model, and loads it for a reindex', async () => {
    const ws = await workspace();
    await buildIndexFromConfig(configFor(ws), { embedder: null });
    const logger = recordingLogger();
    const s = await openSourcier(configFor(ws, join(ws.dir, 'no-such-model')), { logger });
    cleanups.push(() => s.close());
    expect(s.stats()).toMatchObject({ mode: 'lexical', modeReason: 'lexical-only mode requested' });
    expect((await s.ask("Où s'ouvre la COP27 ?")).citations[0]!.excerpt).toContain('Charm el-Cheikh');
    const tried = () => logger.entries.filter((e) => e.message.startsWith('embedding model unavailable')).length;
    expect(tried()).toBe(0);
    await s.reindex();
    expect(tried()).toBe(1);
    expect(s.stats().mode).toBe('lexical');
  });

  it('serves a hybrid index lexical-only when the model cannot be loaded', async () => {
    const ws = await workspace();
    await buildIndexFromConfig(configFor(ws), { embedder });
    const s = await openSourcier(configFor(ws), { embedder: null });
    cleanups.push(() => s.close());
    expect(s.stats().mode).toBe('lexical');
    const answer = await s.ask("Où s'ouvre la COP27 ?");
    expect(answer.citations[0]!.excerpt).toContain('Charm el-Cheikh');
  });
});
