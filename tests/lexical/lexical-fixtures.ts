/** Small corpora and the edits of successive incremental builds, for the lexical index tests (fast-check). */
import fc from 'fast-check';
import type { Article, Chunk } from '../../src/core/types.js';
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import { hashArticle } from '../../src/ingest/hash-article.js';
import { buildLexicalIndex, type LexicalIndexOptions } from '../../src/lexical/bm25-index.js';
import type { LexicalChange } from '../../src/lexical/update-lexical-index.js';

/** Fixed in CI; FC_SEED replays another run. */
export const SEED = Number(process.env.FC_SEED ?? 20_261_124);

/** Common words (stop words, elisions, accents, compounds, numbers) and rare made-up ones that come and go. */
export const COMMON = [
  'le', 'la', 'les', "l'État", 'l’été', 'gouvernement', 'ministre', 'ministres', 'réunion', 'réunis', 'coalition',
  'président', 'présidente', 'élection', 'élections', 'Marrakech', 'Jean-Yves', 'anti-Daech', 'aujourd’hui', 'économie',
  'économique', 'croissance', 'a', 'annoncé', 'annonce', 'mardi', '12\u202f000', '2024', '14,5', 'euros', 'qu’il', 'grève',
  'œuvre', 'surnom', 'surnommé', 'Saint-Étienne', 'football', 'équipe', 'de', 'du', 'et', 'en', 'pour', 'sur',
];
export const RARE = ['zorblat', 'kwimp', 'flandrache', 'quortex', 'vélibrium', 'mussepot', 'trazine', 'oblivan', 'pragmeur', 'sélavine'];
export const WORDS = [...COMMON, ...RARE];

export const sentence = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 14 }).map((ws) => ws.join(' ') + '.');
export const paragraph = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((ss) => ss.join(' '));
export const body = fc.record({
  title: fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 5 }).map((ws) => ws.join(' ')),
  text: fc.array(paragraph, { minLength: 1, maxLength: 4 }).map((ps) => ps.join('\n\n')),
});
export type Body = { title: string; text: string };

export const options = fc.record({
  k1: fc.constantFrom(0.9, 1.2),
  b: fc.constantFrom(0, 0.75, 1),
  titleWeight: fc.constantFrom(0, 2, 3.3),
  leadWeight: fc.constantFrom(1, 1.25),
  prefixLength: fc.constantFrom(0, 3, 5),
  prefixWeight: fc.constantFrom(0.3),
  bigramWeight: fc.constantFrom(0, 0.5),
});

/** One round of edits: what happens to the i-th article (modulo), replacement bodies, and new articles. */
export const edits = fc.record({
  ops: fc.array(fc.constantFrom('keep', 'keep', 'keep', 'text', 'title', 'delete'), { minLength: 12, maxLength: 12 }),
  bodies: fc.array(body, { minLength: 12, maxLength: 12 }),
  added: fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 199 }), body }), { selector: (a) => a.id, maxLength: 5 }),
});

export type Edits = { ops: string[]; bodies: Body[]; added: Array<{ id: number; body: Body }> };

export function article(n: number, { title, text }: Body): Article {
  const id = `a${String(n).padStart(3, '0')}`;
  return { id, title, text, path: `${id}.md`, hash: hashArticle({ id, title, text }) };
}

export const byId = (a: Article, b: Article) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The new chunk table the way an incremental build makes it: unchanged articles keep their chunks, others are re-chunked. */
export function nextTable(previous: { articles: Map<string, Article>; chunks: Chunk[] }, articles: Article[], maxTokens: number) {
  const keysOf = new Map<string, number[]>();
  previous.chunks.forEach((c, key) => keysOf.set(c.articleId, [...(keysOf.get(c.articleId) ?? []), key]));
  const keyMap = new Int32Array(previous.chunks.length).fill(-1);
  const chunks: Chunk[] = [];
  const added: Array<{ key: number; chunk: Chunk }> = [];
  for (const a of [...articles].sort(byId)) {
    if (previous.articles.get(a.id)?.hash === a.hash) {
      for (const key of keysOf.get(a.id) ?? []) {
        keyMap[key] = chunks.length;
        chunks.push(previous.chunks[key]!);
      }
    } else {
      for (const chunk of chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens, targetTokens: Math.ceil(maxTokens / 2) })) {
        added.push({ key: chunks.length, chunk });
        chunks.push(chunk);
      }
    }
  }
  const change: LexicalChange = { keyMap, added, size: chunks.length };
  return { chunks, change, articles: new Map(articles.map((a) => [a.id, a])) };
}

export function applyEdits(articles: Article[], round: Edits): Article[] {
  const out: Article[] = [];
  articles.forEach((a, i) => {
    const op = round.ops[i % round.ops.length]!;
    const replacement = round.bodies[i % round.bodies.length]!;
    const n = Number(a.id.slice(1));
    if (op === 'keep') out.push(a);
    else if (op === 'text') out.push(article(n, { title: a.title, text: replacement.text }));
    else if (op === 'title') out.push(article(n, { title: replacement.title, text: a.text }));
  });
  const taken = new Set(articles.map((a) => a.id));
  for (const { id, body: b } of round.added) if (!taken.has(article(id, b).id)) out.push(article(id, b));
  return out.sort(byId);
}

export const QUERIES = [...WORDS, 'réunion des ministres de la coalition', 'Jean-Yves à Saint-Étienne', 'zorblat kwimp quortex', 'surnom', '12 000 euros'];

/** Table, index and articles of a corpus built from scratch. */
export function fullBuild(articles: Article[], maxTokens: number, opts: LexicalIndexOptions) {
  const sorted = [...articles].sort(byId);
  const chunks = sorted.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens, targetTokens: Math.ceil(maxTokens / 2) }));
  const map = new Map(sorted.map((a) => [a.id, a]));
  return { chunks, articles: map, index: buildLexicalIndex(chunks, map, opts) };
}

