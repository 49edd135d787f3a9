import type { Article } from '../core/types.js';
import { dateRange, dayNumber } from './search-filters.js';
import type { SearchSnapshot } from './search-snapshot.js';

const chunkKeysBySnapshot = new WeakMap<SearchSnapshot['chunks'], Map<string, number[]>>();

/** Chunk keys of an article, in text order (one pass over the chunk table, cached for the snapshot's lifetime). */
export function chunkKeysOf(snapshot: SearchSnapshot, articleId: string): number[] {
  let map = chunkKeysBySnapshot.get(snapshot.chunks);
  if (!map) {
    map = new Map();
    snapshot.chunks.forEach((chunk, key) => {
      const list = map!.get(chunk.articleId);
      if (list) list.push(key);
      else map!.set(chunk.articleId, [key]);
    });
    chunkKeysBySnapshot.set(snapshot.chunks, map);
  }
  return map.get(articleId) ?? [];
}

/** The id of the chunk holding a text offset of the article (for citations); its first chunk when none does. */
export function chunkIdAt(snapshot: SearchSnapshot, articleId: string, offset: number): string {
  const keys = chunkKeysOf(snapshot, articleId);
  for (const key of keys) {
    const c = snapshot.chunks[key]!;
    if (c.start <= offset && offset < c.end) return c.id;
  }
  return keys.length > 0 ? snapshot.chunks[keys[0]!]!.id : `${articleId}#0`;
}

/** Articles numbered in chunk-table order, and the number of each chunk's article. */
export interface ChunkArticleTable {
  /** `ordinals[key]`: number of the article of chunk `key` in `articles`. */
  ordinals: Int32Array;
  articles: Array<Article | undefined>;
}

const tablesBySnapshot = new WeakMap<SearchSnapshot['chunks'], ChunkArticleTable>();

/** Chunk -> article numbering (one pass over the chunk table, cached for the snapshot's lifetime). */
export function chunkArticleTable(snapshot: SearchSnapshot): ChunkArticleTable {
  let table = tablesBySnapshot.get(snapshot.chunks);
  if (!table) {
    const ordinals = new Int32Array(snapshot.chunks.length);
    const numbers = new Map<string, number>();
    const articles: ChunkArticleTable['articles'] = [];
    snapshot.chunks.forEach((chunk, key) => {
      let n = numbers.get(chunk.articleId);
      if (n === undefined) {
        n = articles.length;
        numbers.set(chunk.articleId, n);
        articles.push(snapshot.articles.get(chunk.articleId));
      }
      ordinals[key] = n;
    });
    table = { ordinals, articles };
    tablesBySnapshot.set(snapshot.chunks, table);
  }
  return table;
}

const daysByTable = new WeakMap<ChunkArticleTable, { from: Int32Array; to: Int32Array }>();

/**
 * First and last day each article of {@link chunkArticleTable} covers, as day numbers (YYYYMMDD; an article dated by
 * month covers the month); 0 for undated articles. Computed once per snapshot.
 */
export function articleDays(table: ChunkArticleTable): { from: Int32Array; to: Int32Array } {
  let days = daysByTable.get(table);
  if (!days) {
    days = { from: new Int32Array(table.articles.length), to: new Int32Array(table.articles.length) };
    table.articles.forEach((article, n) => {
      const range = article?.date ? dateRange(article.date) : undefined;
      if (range) {
        days!.from[n] = dayNumber(range.from);
        days!.to[n] = dayNumber(range.to);
      }
    });
    daysByTable.set(table, days);
  }
  return days;
}

const newestBySnapshot = new WeakMap<SearchSnapshot['chunks'], number>();

/** Last day (YYYYMMDD day number) covered by the newest dated article of the snapshot; 0 when none is dated. */
export function newestArticleDay(snapshot: SearchSnapshot): number {
  let newest = newestBySnapshot.get(snapshot.chunks);
  if (newest === undefined) {
    newest = 0;
    for (const day of articleDays(chunkArticleTable(snapshot)).to) if (day > newest) newest = day;
    newestBySnapshot.set(snapshot.chunks, newest);
  }
  return newest;
}
