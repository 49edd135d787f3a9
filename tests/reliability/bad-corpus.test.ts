import { chmod, mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import type { IndexSummary, Sourcier } from '../../src/core/types.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { configFor, loadTinyEmbedder } from '../helpers/test-corpus.js';
import { rng } from '../helpers/seeded-random.js';

/** Characters of French text that every one of the five encodings can hold (ISO-8859-15 has no curly apostrophe). */
const SAME = "L'été dernier, à Noël, l'œuvre « Cœur de fête » coûtait 12 € à Françoise ; où est-il ? Ça dépend.\n\nÀ Besançon, les élèves ont reçu leur diplôme le même jour.";

let dir: string;
let corpusDir: string;
let summary: IndexSummary;
let sourcier: Sourcier;
let rssGrowthMb: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sourcier-bad-corpus-'));
  corpusDir = join(dir, 'corpus');
  await mkdir(join(corpusDir, 'enc'), { recursive: true });
  await mkdir(join(corpusDir, 'bad'), { recursive: true });
  await mkdir(join(corpusDir, 'chars'), { recursive: true });
  const w = (rel: string, data: string | Uint8Array) => writeFile(join(corpusDir, rel), data);

  await w('enc/utf8.txt', Buffer.from(SAME, 'utf8'));
  await w('enc/utf8-bom.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAME, 'utf8')]));
  await w('enc/utf16le-bom.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(SAME, 'utf-16le')]));
  await w('enc/windows-1252.txt', iconv.encode(SAME, 'windows-1252'));
  await w('enc/iso-8859-15.txt', iconv.encode(SAME, 'iso-8859-15'));

  await w('bad/empty.txt', '');
  await w('bad/whitespace.md', ' \n\t\n\u00a0 \r\n   ');
  await w('bad/image.txt', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  await w('bad/document.md', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'));
  await w('bad/archive.html', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]));
  const random = rng(11);
  await w('bad/random.txt', Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
  // Valid French UTF-8 with two stray bytes: read (as a single-byte encoding) or skipped, never with U+FFFD.
  await w('bad/invalid-utf8.txt', Buffer.concat([Buffer.from('Le conseil a voté la réforme. ', 'utf8'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' Fin du débat.', 'utf8')]));
  // 200 MB, sparse: created in no time, and must be skipped from its size without being read.
  const big = await open(join(corpusDir, 'bad/huge.txt'), 'w');
  await big.truncate(200 * 1024 * 1024);
  await big.close();
  await writeFile(join(dir, 'outside.txt'), 'Un secret hors du corpus.');
  await symlink(join(dir, 'outside.txt'), join(corpusDir, 'bad/escape.txt'));
  await w('bad/unreadable.txt', 'Un article que personne ne peut lire.');
  await chmod(join(corpusDir, 'bad/unreadable.txt'), 0o000);

  await w(
    'chars/page.html',
    '<html><head><title>Page avec scripts</title><style>body { color: red; }</style><script>alert("pirate")</script></head><body><article><h1>Page avec scripts</h1><p>Le festival de Carcassonne ouvre ses portes vendredi.</p><script>document.write("injecté")</script><noscript>activez JS</noscript></article></body></html>',
  );
  await w('chars/nfd.txt', 'Le conseil re\u0301gional de Gene\u0300ve a vote\u0301 le budget.');
  await w('chars/spaces.txt', 'Le prix\u00a0: 12\u202f000 euros « hors\u00a0taxes » pour la sai\u00adson.');
  await w('chars/invisible.txt', 'La mai\u200brie de Per\u200dpignan a \u202epublié\u202c un \u2066communiqué\u2069 sur la canicule\ufeff.');
  await w('chars/apostrophe.txt', 'Perpignan a connu l’été le plus chaud de son histoire, avec 44 degrés en juillet.');

  const embedder = await loadTinyEmbedder();
  const rssBefore = process.memoryUsage().rss;
  summary = await buildIndex({ corpusDir, indexDir: join(dir, 'index'), embedder });
  rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  sourcier = await openSourcier(configFor({ corpusDir, indexDir: join(dir, 'index') }), { embedder });
}, 120_000);

afterAll(async () => {
  await sourcier?.close();
  await rm(dir, { recursive: true, force: true });
});

const text = (id: string) => sourcier.passage(`${id}#0`)?.article.text;
const reason = (path: string) => summary.skipped.find((s) => s.path === path)?.reason;

describe('a messy corpus folder, end to end', () => {
  it('stores the same article identically from UTF-8, UTF-8 with BOM, UTF-16LE with BOM, Windows-1252 and ISO-8859-15', () => {
    const ids = ['enc/utf8', 'enc/utf8-bom', 'enc/utf16le-bom', 'enc/windows-1252', 'enc/iso-8859-15'];
    const texts = ids.map(text);
    expect(texts[0]).toContain('Cœur de fête');
    for (const t of texts) {
      expect(t).toBe(texts[0]);
      expect(t).not.toMatch(/[\uFFFD\u0080-\u009F]/);
    }
  });

  it('skips empty, whitespace-only, binary, huge, escaping and unreadable files with a reason each, and completes the run', () => {
    expect(reason('bad/empty.txt')).toMatch(/empty/);
    expect(reason('bad/whitespace.md')).toMatch(/no text|empty/);
    expect(reason('bad/image.txt')).toMatch(/PNG/);
    expect(reason('bad/document.md')).toMatch(/PDF/);
    expect(reason('bad/archive.html')).toMatch(/ZIP/);
    expect(reason('bad/random.txt')).toMatch(/binary|not text/);
    expect(reason('bad/huge.txt')).toMatch(/too large|MB/);
    expect(reason('bad/escape.txt')).toMatch(/outside the corpus/);
    // Root reads a chmod 000 file; anyone else gets a skip with the errno.
    if (process.getuid?.() === 0) expect(text('bad/unreadable')).toContain('personne');
    else expect(reason('bad/unreadable.txt')).toMatch(/EACCES/);
    // Mostly valid UTF-8 with stray bytes: the stray bytes are dropped, the accents are not turned into mojibake.
    expect(text('bad/invalid-utf8')).toBe('Le conseil a voté la réforme. ( Fin du débat.');
    for (const s of summary.skipped) expect(s.reason.length).toBeGreaterThan(5);
    expect(summary.articles).toBeGreaterThanOrEqual(10);
  });

  it('reads the 200 MB file from its size only: memory stays bounded', () => {
    expect(rssGrowthMb).toBeLessThan(150);
  });

  it('keeps the text of HTML without scripts or styles, and normalises NFD, invisible and bidi characters', () => {
    const page = text('chars/page')!;
    expect(page).toContain('Le festival de Carcassonne ouvre ses portes vendredi.');
    expect(page).not.toMatch(/alert|color|injecté/);
    expect(text('chars/nfd')).toBe('Le conseil régional de Genève a voté le budget.');
    expect(text('chars/spaces')).toBe('Le prix\u00a0: 12\u202f000 euros « hors\u00a0taxes » pour la saison.');
    expect(text('chars/invisible')).toBe('La mairie de Perpignan a publié un communiqué sur la canicule.');
  });

  it('matches "l\'été" in a question with "l’été" in an article', async () => {
    const answer = await sourcier.ask("Quand Perpignan a-t-elle connu l'été le plus chaud ?");
    expect(answer.citations.map((c) => c.articleId)).toContain('chars/apostrophe');
    const quoted = await sourcier.quote("l'été le plus chaud de son histoire");
    expect(quoted.citations[0]?.articleId).toBe('chars/apostrophe');
    expect(text('chars/apostrophe')).toContain(quoted.citations[0]!.excerpt);
    expect(quoted.citations[0]?.excerpt).toContain('été le plus chaud de son histoire');
  });
});
