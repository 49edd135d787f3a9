/**
 * A small Sourcier double for the Discord tests: it reads the seed articles in corpus/maroc and answers with
 * sentences whose words overlap the question, quoted verbatim (`article.text.slice(start, end)`). Knobs let tests
 * make it slow, hang, fail, or hold a huge hostile article; `calls` counts what reached the "core".
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer, Article, AskOptions, Chunk, Citation, IndexStats, IndexSummary, Sourcier } from '../../src/core/types.js';

export interface SourcierDouble extends Sourcier {
  calls: { ask: number; quote: number; reindex: number; passage: number };
  articles: Article[];
  /** Milliseconds each ask/quote waits before answering. */
  delayMs: number;
  /** Error thrown by ask/quote. */
  failWith?: Error;
  /** Never answer (until released). */
  hang: boolean;
  release(): void;
}

const CORPUS = join(import.meta.dirname, '..', '..', 'corpus', 'maroc');

export function readSeedArticles(): Article[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const raw = readFileSync(join(CORPUS, file), 'utf8');
      const fm = /^---\n([\s\S]*?)\n---\n/.exec(raw);
      const meta: Record<string, string> = {};
      for (const line of (fm?.[1] ?? '').split('\n')) {
        const m = /^(\w+):\s*"?(.*?)"?\s*$/.exec(line);
        if (m) meta[m[1]!] = m[2]!;
      }
      const text = raw.slice(fm ? fm[0].length : 0).trim().normalize('NFC');
      const id = `maroc/${file.replace(/\.md$/, '')}`;
      return {
        id,
        title: meta.title ?? text.split('\n')[0]!.trim(),
        date: meta.date ?? /(\d{4}-\d{2})/.exec(file)?.[1],
        source: meta.source,
        url: `https://example.org/${id}`,
        text,
        path: `${id}.md`,
        hash: id,
      };
    });
}

/** Sentence spans of a text (simple: ., !, ? or line break). */
function sentences(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const re = /[^.!?\n]+[.!?]*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lead = m[0].length - m[0].trimStart().length;
    const s = m.index + lead;
    const e = m.index + m[0].trimEnd().length;
    if (e - s > 20) out.push({ start: s, end: e });
  }
  return out;
}

const words = (s: string) =>
  new Set(
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 3),
  );

export function createSourcierDouble(extra: Article[] = []): SourcierDouble {
  const articles = [...readSeedArticles(), ...extra];
  let releaseHang: () => void = () => {};
  const double: SourcierDouble = {
    calls: { ask: 0, quote: 0, reindex: 0, passage: 0 },
    articles,
    delayMs: 0,
    hang: false,
    release: () => releaseHang(),

    async ask(question: string, options: AskOptions = {}): Promise<Answer> {
      double.calls.ask += 1;
      return answer(question, options);
    },
    async quote(text: string, options: AskOptions = {}): Promise<Answer> {
      double.calls.quote += 1;
      return answer(text, options);
    },
    stats(): IndexStats {
      return {
        articles: articles.length,
        chunks: articles.length,
        mode: 'lexical',
        bytes: 1234,
        builtAt: '2026-01-01T00:00:00.000Z',
        generation: 'g1',
        dateRange: { from: '2016-07', to: '2022-04' },
        sources: [{ name: 'Presse marocaine', articles: 2 }, { name: 'Le Monde', articles: 0 }],
        modeReason: 'no model in tests',
      };
    },
    passage(chunkId: string) {
      double.calls.passage += 1;
      const [articleId] = chunkId.split('#');
      const article = articles.find((a) => a.id === articleId);
      if (!article) return undefined;
      const chunk: Chunk = { id: chunkId, articleId: article.id, ordinal: 0, start: 0, end: article.text.length, text: article.text, sentences: [], tokens: 0 };
      return { chunk, article };
    },
    async reindex(onProgress): Promise<IndexSummary> {
      double.calls.reindex += 1;
      for (let i = 1; i <= 5; i += 1) {
        onProgress?.({ stage: 'embed', done: i, total: 5 });
        await new Promise((r) => setTimeout(r, 30));
      }
      return { articles: articles.length, chunks: 9, added: 0, changed: 1, removed: 0, unchanged: 1, embedded: 0, skipped: [], mode: 'lexical', seconds: 0.2, generation: 'g2' };
    },
    async close() {},
  };

  async function answer(question: string, options: AskOptions): Promise<Answer> {
    if (double.hang) await new Promise<void>((resolve) => (releaseHang = resolve));
    if (double.delayMs > 0) await new Promise((r) => setTimeout(r, double.delayMs));
    if (double.failWith) throw double.failWith;
    const q = words(question);
    const scored: Citation[] = [];
    for (const article of articles) {
      if (options.source && article.source?.toLowerCase() !== options.source.toLowerCase()) continue;
      sentences(article.text).forEach((span, i) => {
        const excerpt = article.text.slice(span.start, span.end);
        let score = 0;
        for (const w of words(excerpt)) if (q.has(w)) score += 1;
        if (score > 0) {
          scored.push({ articleId: article.id, chunkId: `${article.id}#${i}`, title: article.title, date: article.date, source: article.source, url: article.url, excerpt, start: span.start, end: span.end, score });
        }
      });
    }
    scored.sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId));
    const offset = options.offset ?? 0;
    const citations = scored.slice(offset, offset + (options.limit ?? 3));
    return {
      question,
      abstained: citations.length === 0,
      citations,
      nearest: citations.length === 0 ? articles.slice(0, 3).map((a) => ({ articleId: a.id, title: a.title, date: a.date, source: a.source, score: 0.1 })) : [],
      mode: 'lexical',
      latencyMs: 3,
    };
  }
  return double;
}
