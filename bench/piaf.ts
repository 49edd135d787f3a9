/**
 * PIAF (French SQuAD-format QA, ../shared/data/piaf/piaf-v1.0.json) as a retrieval benchmark: every paragraph becomes
 * an article (id = `${articleIndex}-${paragraphIndex}`, title = the Wikipedia title), every question an eval item
 * whose relevant article is its paragraph and whose answer is the first gold answer.
 */
import { readFile } from 'node:fs/promises';
import type { Article } from '../src/core/types.js';
import type { EvalItem } from '../src/eval/run-eval.js';

export interface PiafData {
  articles: Article[];
  items: EvalItem[];
  /** Paragraph id of each question. */
  paragraphOf: Map<string, string>;
}

/** FNV-1a 32-bit hash: a deterministic way to hold out paragraphs or split titles. */
export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}


/** Reads the PIAF file; questions without any word are skipped. */
export async function loadPiaf(file: string): Promise<PiafData> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as {
    data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string; answers: Array<{ text: string }> }> }> }>;
  };
  const articles: Article[] = [];
  const items: EvalItem[] = [];
  const paragraphOf = new Map<string, string>();
  raw.data.forEach((doc, ai) =>
    doc.paragraphs.forEach((p, pi) => {
      const id = `${ai}-${pi}`;
      const text = p.context.normalize('NFC');
      articles.push({ id, title: doc.title, text, path: `piaf:${id}`, hash: id });
      for (const qa of p.qas) {
        if (!/[\p{L}\p{N}]/u.test(qa.question)) continue;
        items.push({ id: qa.id, question: qa.question, relevant: [id], answer: qa.answers[0]?.text });
        paragraphOf.set(qa.id, id);
      }
    }),
  );
  return { articles, items, paragraphOf };
}

