/**
 * OrangeSum (../shared/data/orangesum/orangesum.jsonl.gz, 36,152 French news articles) as Sourcier articles, the lead
 * paragraph first as ingestion does; for the quality benchmark and the opt-in quality regression test.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Article } from '../src/core/types.js';

/** Articles of one section (`null`: all), empty bodies skipped. */
export async function loadOrangeSum(file: string, section: string | null = 'monde'): Promise<Article[]> {
  const text = gunzipSync(await readFile(file)).toString('utf8');
  const articles: Article[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (section && !line.includes(`"section": "${section}"`) && !line.includes(`"section":"${section}"`)) continue;
    const o = JSON.parse(line) as { id: number; section: string; title: string; heading: string; article: string; date: string; url: string };
    if ((section && o.section !== section) || !o.article?.trim()) continue;
    const body = `${o.heading.trim()}\n\n${o.article.trim()}`.normalize('NFC');
    articles.push({ id: String(o.id), title: o.title, text: body, date: o.date, url: o.url, source: 'Orange Actu', path: `orangesum:${o.id}`, hash: String(o.id) });
  }
  return articles;
}
