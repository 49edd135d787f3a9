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
