import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import type { Article, IngestOutcome } from '../../src/core/types.js';
import { readCorpus } from '../../src/ingest/read-corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const temps: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-ingest-'));
  temps.push(dir);
  return dir;
}

/** A corpus folder with the given files (relative path -> content). */
async function corpus(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await tempDir();
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

function outcome(outcomes: IngestOutcome[], where: string): IngestOutcome {
  const found = outcomes.find((o) => o.path === where);
  if (!found) throw new Error(`no outcome for ${where}: ${JSON.stringify(outcomes)}`);
  return found;
}

function reasonOf(outcomes: IngestOutcome[], where: string): string {
  const o = outcome(outcomes, where);
  if (o.status !== 'skipped') throw new Error(`${where} was read`);
  return o.reason;
}

function byId(articles: Article[], id: string): Article {
  const a = articles.find((x) => x.id === id);
  if (!a) throw new Error(`no article ${id}: ${articles.map((x) => x.id).join(', ')}`);
  return a;
}

afterEach(async () => {
  for (const dir of temps.splice(0)) {
    await chmod(dir, 0o755).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

describe('readCorpus on the bundled seed articles', () => {
  it('reads the 2016 article with its first line as title, the repeated title and "Commentaires" dropped', async () => {
    const { articles, outcomes } = await readCorpus(path.join(root, 'corpus'));
    expect(outcomes.every((o) => o.status === 'read')).toBe(true);
    const a = byId(articles, 'maroc/2016-07-coalition-anti-daech-washington');
    expect(a.title).toBe('Le Maroc participe à la réunion des pays membres de la coalition anti-Daech');
    expect(a.date).toBe('2016-07');
    expect(a.source).toBe('Presse marocaine');
    expect(a.path).toBe('maroc/2016-07-coalition-anti-daech-washington.md');
    expect(a.text.startsWith('La réunion des ministres des Affaires étrangères')).toBe(true);
    expect(a.text).not.toContain('Le Maroc participe à la réunion des pays membres');
    expect(a.text.endsWith('depuis le début de ces frappes.')).toBe(true);
    expect(a.text).not.toMatch(/Commentaires/);
    expect(a.text).not.toMatch(/ {2}/);
    // The paragraph holding only a no-break space is gone; paragraphs are separated by exactly one blank line.
    expect(a.text.split('\n\n').every((p) => p.trim() !== '' && p.replace(/[\s\u00A0]/g, '') !== '')).toBe(true);
    expect(a.text).not.toMatch(/\n{3}/);
    // French typography stays: no-break spaces inside « ».
    expect(a.text).toContain('« Etat\u00A0islamique\u00A0»');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the 2022 article with the date marker removed and the front-matter title', async () => {
    const { articles } = await readCorpus(path.join(root, 'corpus'));
    const a = byId(articles, 'maroc/2022-04-coalition-daesh-marrakech');
    expect(a.title).toBe('La Coalition mondiale contre Daesh se réunit le 11 mai à Marrakech');
    expect(a.date).toBe('2022-04');
    expect(a.text.startsWith('La Coalition mondiale contre Daesh tiendra une réunion')).toBe(true);
    expect(a.text).not.toMatch(/date 2022/);
    // Glued sentences stay glued in the text; the sentence splitter separates them.
    expect(a.text).toContain('organisation terroriste.Au cours de');
  });

  it('gives the seed text without front matter a title from its first sentence and the date from the marker', async () => {
    const seed = await readFile(path.join(root, 'corpus/maroc/2022-04-coalition-daesh-marrakech.md'), 'utf8');
    const body = seed.replace(/^---[\s\S]*?---\n/, '');
    const dir = await corpus({ '002.txt': body });
    const { articles } = await readCorpus(dir);
    const a = byId(articles, '002');
    expect(a.date).toBe('2022-04');
    expect(a.text.startsWith('La Coalition mondiale contre Daesh tiendra une réunion')).toBe(true);
    expect(a.title.startsWith('La Coalition mondiale contre Daesh tiendra une réunion')).toBe(true);
    expect(a.title.length).toBeLessThanOrEqual(91);
    expect(a.title.endsWith('…')).toBe(true);
  });
});

describe('readCorpus formats', () => {
  it('reads plain text: title line, date marker, boilerplate and space runs', async () => {
    const dir = await corpus({
      'monde/2020/mali-coup.txt': 'Coup d’État au Mali\n\n  date 2020-08-19  Les militaires ont  pris le pouvoir.\n\nLa junte promet des élections.\n\nPartager\n',
    });
    const { articles, outcomes } = await readCorpus(dir);
    const a = byId(articles, 'monde/2020/mali-coup');
    expect(a.title).toBe('Coup d’État au Mali');
    expect(a.date).toBe('2020-08-19');
    expect(a.text).toBe('Les militaires ont pris le pouvoir.\n\nLa junte promet des élections.');
    expect(outcome(outcomes, 'monde/2020/mali-coup.txt')).toEqual({
      path: 'monde/2020/mali-coup.txt',
      status: 'read',
      articleIds: ['monde/2020/mali-coup'],
      encoding: 'utf-8',
    });
  });

  it('reads Markdown with YAML front matter, normalising Date and number dates', async () => {
    const dir = await corpus({
      'a.md': '---\ntitle: Le sommet\ndate: 2021-05-03\nsource: AFP\nurl: https://exemple.test/a\nauthor: [Jeanne, Paul]\n---\n# Le sommet\n\nLe **sommet** s’ouvre, voir [le site](https://x.test).\n\n- premier point\n- second point\n',
      'b.md': '---\ntitle: 2024\ndate: 20210504\n---\nCorps du texte.',
      'c.md': '---\ntitle: [unclosed\n---\nCorps.',
    });
    const { articles, outcomes } = await readCorpus(dir);
    const a = byId(articles, 'a');
    expect(a).toMatchObject({ title: 'Le sommet', date: '2021-05-03', source: 'AFP', url: 'https://exemple.test/a', author: 'Jeanne, Paul' });
    expect(a.text).toBe('Le sommet s’ouvre, voir le site.\n\npremier point\n\nsecond point');
    expect(byId(articles, 'b')).toMatchObject({ title: '2024', date: '2021-05-04', text: 'Corps du texte.' });
    expect(reasonOf(outcomes, 'c.md')).toMatch(/front matter/);
  });

  it('reads HTML: title, lead first, article paragraphs, furniture dropped, entities decoded once', async () => {
    const html = await readFile(path.join(root, 'tests/fixtures/ingest/page-article.html'));
    const dir = await corpus({ 'quotidien/sommet.html': html });
    const { articles } = await readCorpus(dir);
    const a = byId(articles, 'quotidien/sommet');
    expect(a.title).toBe('Sommet à Rabat\u00A0: les ministres d\'accord');
    expect(a.date).toBe('2021-03-04');
    expect(a.source).toBe('Le Quotidien');
    expect(a.author).toBe('Amina Benali');
    expect(a.url).toBe('https://exemple.test/sommet-rabat');
    const paragraphs = a.text.split('\n\n');
    expect(paragraphs[0]).toBe('Les ministres se sont entendus sur un texte commun, a annoncé le porte\u2011parole.');
    expect(paragraphs).toContain('Le texte, qualifié d’«\u00A0historique\u00A0», a été signé jeudi. Il prévoit 3\u00A0milliards d\'euros & plus.');
    expect(paragraphs).toContain('On écrit &lt; pour un chevron\u00A0; l\'entité n\'est décodée qu\'une fois.');
    expect(paragraphs).toContain('Les prochaines étapes');
    expect(paragraphs).toContain('Une réunion en juin.');
    expect(a.text).not.toMatch(/Accueil|Lire aussi|Chercher|JavaScript|Tags|©|notText|color|Résumé venant/);
    expect(a.text).not.toContain('Sommet à Rabat');
  });

  it('reads JSONL: ids from the id field or the line, lead first, bad lines skipped on their own', async () => {
    const lines = [
      JSON.stringify({ id: 42, title: 'Premier', date: '2020-07-02T19:09:00+02:00', source: 'AFP', lead: 'Le chapô.', text: 'Le corps.' }),
      '{not json',
      JSON.stringify({ id: 'x-1', title: 'Sans texte', text: '   ' }),
      '',
      JSON.stringify({ title: 'Sans id', text: 'Un texte sans identifiant.' }),
      JSON.stringify({ id: 'orangesum', heading: 'Chapô OrangeSum.', article: 'Corps OrangeSum.', published_time: '2019-01-02T10:00:00+01:00' }),
    ];
    const dir = await corpus({ 'dep/fil.jsonl': `${lines.join('\n')}\n` });
    const { articles, outcomes } = await readCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['42', 'dep/fil:5', 'orangesum']);
    expect(byId(articles, '42')).toMatchObject({ title: 'Premier', date: '2020-07-02', source: 'AFP', text: 'Le chapô.\n\nLe corps.', path: 'dep/fil.jsonl:1' });
    expect(byId(articles, 'orangesum')).toMatchObject({ text: 'Chapô OrangeSum.\n\nCorps OrangeSum.', date: '2019-01-02' });
    expect(outcome(outcomes, 'dep/fil.jsonl')).toMatchObject({ status: 'read', articleIds: ['42', 'dep/fil:5', 'orangesum'] });
    expect(reasonOf(outcomes, 'dep/fil.jsonl:2')).toMatch(/invalid JSON/);
    expect(reasonOf(outcomes, 'dep/fil.jsonl:3')).toMatch(/no text/);
    expect(outcomes.some((o) => o.path === 'dep/fil.jsonl:4')).toBe(false);
  });

  it('walks folders in sorted order, ignores other extensions, hidden files, README and LICENSE', async () => {
    const dir = await corpus({
      'b/z.txt': 'Texte z.',
      'b/a.txt': 'Texte a.',
      'a.htm': '<p>Texte htm.</p>',
      'README.md': '# Ce dossier',
      'LICENSE.txt': 'Licence.',
      'image.jpg': 'pas un article',
      '.cache/x.txt': 'caché',
      'notes.TXT': 'Majuscules.',
    });
    const { articles, outcomes } = await readCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['a', 'b/a', 'b/z', 'notes']);
    expect(outcomes.map((o) => o.path)).toEqual(['a.htm', 'b/a.txt', 'b/z.txt', 'notes.TXT']);
  });

  it('is deterministic: the same corpus gives the same articles and hashes; a change of text changes the hash', async () => {
    const dir = await corpus({ 'a.txt': 'Un texte.', 'b.txt': 'Un autre texte.' });
    const first = await readCorpus(dir, { concurrency: 1 });
    const second = await readCorpus(dir, { concurrency: 8 });
    expect(second).toEqual(first);
    await writeFile(path.join(dir, 'a.txt'), 'Un texte modifié.');
    const third = await readCorpus(dir);
    expect(byId(third.articles, 'a').hash).not.toBe(byId(first.articles, 'a').hash);
    expect(byId(third.articles, 'b').hash).toBe(byId(first.articles, 'b').hash);
  });

  it('reports progress over the files', async () => {
    const dir = await corpus({ 'a.txt': 'A.', 'b.txt': 'B.', 'c.txt': 'C.' });
    const calls: Array<[number, number]> = [];
    await readCorpus(dir, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls[0]).toEqual([0, 3]);
    expect(calls[calls.length - 1]).toEqual([3, 3]);
  });
});

describe('readCorpus problems', () => {
  it('throws CORPUS_MISSING naming the folder when it does not exist', async () => {
    const missing = path.join(await tempDir(), 'nope');
    const error = await readCorpus(missing).catch((e: unknown) => e);
    expect(isAppError(error, 'CORPUS_MISSING')).toBe(true);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toMatch(/CORPUS_DIR/);
  });

  it('skips empty, whitespace-only and binary files with a reason and reads the rest', async () => {
    const random = new Uint8Array(4096);
    let seed = 12345;
    for (let i = 0; i < random.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      random[i] = seed >>> 24;
    }
    const dir = await corpus({
      'empty.txt': '',
      'blank.txt': ' \n\u00A0\n\t\n\u200B',
      'png.txt': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
      'pdf.md': '%PDF-1.7\n%âãÏÓ\n1 0 obj',
      'zip.html': Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]),
      'gz.jsonl': Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]),
      'nul.txt': Uint8Array.from([65, 66, 0, 67, 68, 69, 70, 71, 72, 73, 74]),
      'random.txt': random,
      'ok.txt': 'Le seul article lisible.',
    });
    const { articles, outcomes } = await readCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['ok']);
    expect(reasonOf(outcomes, 'empty.txt')).toMatch(/empty/);
    expect(reasonOf(outcomes, 'blank.txt')).toMatch(/no text/);
    expect(reasonOf(outcomes, 'png.txt')).toMatch(/binary.*PNG/);
    expect(reasonOf(outcomes, 'pdf.md')).toMatch(/binary.*PDF/);
    expect(reasonOf(outcomes, 'zip.html')).toMatch(/binary.*ZIP/);
    expect(reasonOf(outcomes, 'gz.jsonl')).toMatch(/binary.*GZIP/);
    expect(reasonOf(outcomes, 'nul.txt')).toMatch(/binary.*NUL/);
    expect(reasonOf(outcomes, 'random.txt')).toMatch(/binary|not text/);
  });

  it('skips a file over maxFileBytes without reading it, and a JSONL line over the limit', async () => {
    const dir = await corpus({
      'big.txt': 'Une phrase assez longue. '.repeat(100),
      'small.txt': 'Court.',
      'lines.jsonl': `${JSON.stringify({ id: 'long', text: 'x'.repeat(3000) })}\n${JSON.stringify({ id: 'short', text: 'Bref.' })}\n`,
    });
    const { articles, outcomes } = await readCorpus(dir, { maxFileBytes: 1000 });
    expect(articles.map((a) => a.id).sort()).toEqual(['short', 'small']);
    expect(reasonOf(outcomes, 'big.txt')).toMatch(/over the 1000 bytes limit/);
    expect(reasonOf(outcomes, 'lines.jsonl:1')).toMatch(/over .*maxFileBytes/);
  });

  it('skips a symlink that points outside the corpus folder, and follows one that stays inside', async () => {
    const outside = await corpus({ 'secret.txt': 'Hors du corpus.', 'dir/x.txt': 'Hors aussi.' });
    const dir = await corpus({ 'real/inside.txt': 'Dans le corpus.' });
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    await symlink(path.join(outside, 'dir'), path.join(dir, 'leakdir'));
    await symlink(path.join(dir, 'real/inside.txt'), path.join(dir, 'alias.txt'));
    await symlink(path.join(dir, 'missing.txt'), path.join(dir, 'broken.txt'));
    const { articles, outcomes } = await readCorpus(dir);
    expect(reasonOf(outcomes, 'leak.txt')).toMatch(/outside the corpus/);
    expect(reasonOf(outcomes, 'leakdir')).toMatch(/outside the corpus/);
    expect(reasonOf(outcomes, 'broken.txt')).toMatch(/broken/);
    expect(articles.map((a) => a.id)).toEqual(['alias', 'real/inside']);
    expect(articles.some((a) => a.text.includes('Hors'))).toBe(false);
  });

  it('skips an unreadable file with a reason (when permissions apply to this user) and reads the rest', async () => {
    const dir = await corpus({ 'locked.txt': 'Secret.', 'open.txt': 'Ouvert.' });
    await chmod(path.join(dir, 'locked.txt'), 0o000);
    // root reads anything whatever the mode: then the file is simply read.
    const { articles, outcomes } = await readCorpus(dir);
    const locked = outcome(outcomes, 'locked.txt');
    let readable = true;
    try {
      await readFile(path.join(dir, 'locked.txt'));
    } catch {
      readable = false;
    }
    if (readable) expect(locked.status).toBe('read');
    else expect(locked).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/EACCES|permission/) });
    expect(byId(articles, 'open').text).toBe('Ouvert.');
  });

  it('skips the second article with a duplicate id, naming where the first came from', async () => {
    const dir = await corpus({
      'a.md': 'Version Markdown.',
      'a.txt': 'Version texte.',
      'lot.jsonl': `${JSON.stringify({ id: 'same', text: 'Un.' })}\n${JSON.stringify({ id: 'same', text: 'Deux.' })}\n`,
    });
    const { articles, outcomes } = await readCorpus(dir);
    expect(byId(articles, 'a').text).toBe('Version Markdown.');
    expect(reasonOf(outcomes, 'a.txt')).toMatch(/duplicate article id "a".*a\.md/);
    expect(byId(articles, 'same').text).toBe('Un.');
    expect(reasonOf(outcomes, 'lot.jsonl:2')).toMatch(/duplicate article id "same"/);
    expect(articles).toHaveLength(2);
  });
});

describe('readCorpus reusing the articles of unchanged JSONL lines', () => {
  const line = (id: string | undefined, title: string, text: string) => JSON.stringify({ ...(id ? { id } : {}), title, text, date: '2022-05-11' });
  const lines = [
    line('a', 'Coalition à Marrakech', 'La réunion de la coalition se tient à Marrakech.'),
    line('b', 'Port de Marseille', 'Le port a traité 1,6 million de conteneurs.'),
    line(undefined, 'Sans identifiant', "Cet article n'a pas d'identifiant propre."),
    line('c', 'Marathon', 'Tamirat Tola remporte le marathon olympique.'),
  ];

  it('gives the articles a fresh read gives, moved lines with their new path, and only fingerprints lines with an id', async () => {
    const dir = await corpus({ 'fil.jsonl': lines.join('\n') + '\n' });
    const first = await readCorpus(dir);
    expect([...first.fingerprints.keys()].sort()).toEqual(['a', 'b', 'c']);
    const reuse = new Map([...first.fingerprints].map(([id, fp]) => [fp, first.articles.find((a) => a.id === id)!]));

    // Line b changed, a new line first (everything moves down one line), c unchanged.
    const changed = [line('z', 'Nouveau', 'Un article ajouté en tête du fichier.'), lines[0], line('b', 'Port de Marseille', 'Le port a traité 1,7 million de conteneurs.'), lines[2], lines[3]];
    await writeFile(path.join(dir, 'fil.jsonl'), changed.join('\n') + '\n');
    const fresh = await readCorpus(dir);
    const reused = await readCorpus(dir, { reuse });
    expect(reused.articles).toEqual(fresh.articles);
    expect(reused.outcomes).toEqual(fresh.outcomes);
    expect(reused.fingerprints).toEqual(fresh.fingerprints);
    expect([fresh.reused, reused.reused]).toEqual([0, 2]); // a and c; b changed, z is new, the id-less line is read
    expect(reused.articles.find((a) => a.id === 'c')!.path).toBe('fil.jsonl:5');
    // The reused ones really came from the map (the same text objects), the changed one did not.
    expect(reused.articles.find((a) => a.id === 'a')!.hash).toBe(first.articles.find((a) => a.id === 'a')!.hash);
    expect(reused.articles.find((a) => a.id === 'b')!.text).toContain('1,7 million');
  });

  it('takes an entry of the map for its line without parsing it again', async () => {
    const dir = await corpus({ 'fil.jsonl': lines[0] + '\n' });
    const first = await readCorpus(dir);
    const [fingerprint] = first.fingerprints.values();
    const planted: Article = { ...first.articles[0]!, title: 'Titre venu de la génération précédente' };
    const read = await readCorpus(dir, { reuse: new Map([[fingerprint!, planted]]) });
    expect(read.articles[0]!.title).toBe('Titre venu de la génération précédente');
  });
});
