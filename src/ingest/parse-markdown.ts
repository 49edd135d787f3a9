import { parse as parseYaml } from 'yaml';
import { AppError } from '../core/app-error.js';
import type { ArticleMeta } from '../core/types.js';
import { cleanText } from './clean-text.js';
import { normalizeDate } from './normalize-date.js';

/** Metadata read from a document itself, before the heuristics; `title` may be missing. */
export type PartialMeta = Partial<ArticleMeta>;

export interface ParsedDocument {
  meta: PartialMeta;
  /** Cleaned text (paragraphs separated by "\n\n"), before the plain-text heuristics. */
  text: string;
  /** The first block was a Markdown heading: a strong title candidate. */
  headingTitle?: string;
}

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n?(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/**
 * Reads a Markdown article: optional YAML front matter (`title`, `date`, `source`, `url`, `author`), then the body as
 * text. Markdown syntax is reduced predictably: heading marks, bullets, block quotes, emphasis (`*`, `**`, `__`),
 * inline code ticks and link targets are removed (link text kept, images dropped); every heading and list item is
 * its own paragraph. Throws ARTICLE_INVALID when the front matter is not valid YAML.
 */
export function parseMarkdown(source: string): ParsedDocument {
  const normalized = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const fm = FRONT_MATTER.exec(normalized);
  let meta: PartialMeta = {};
  let body = normalized;
  if (fm) {
    meta = readFrontMatter(fm[1]!);
    body = normalized.slice(fm[0].length);
  }
  const { text, headingTitle } = markdownToText(body);
  return { meta, text, ...(headingTitle ? { headingTitle } : {}) };
}

function readFrontMatter(yamlText: string): PartialMeta {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AppError('ARTICLE_INVALID', `Invalid YAML front matter (${message}); fix the block between the "---" lines.`, { cause: error });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new AppError('ARTICLE_INVALID', 'The front matter is not a YAML mapping; write one "key: value" a line (title, date, source, url, author).');
  }
  return metaFromRecord(data as Record<string, unknown>);
}

/** Picks the known metadata fields from a record (front matter or JSON line); other fields are ignored. */
export function metaFromRecord(record: Record<string, unknown>, dateFields: readonly string[] = ['date']): PartialMeta {
  const meta: PartialMeta = {};
  const title = metaString(record.title);
  if (title) meta.title = title;
  for (const field of dateFields) {
    const date = normalizeDate(record[field]);
    if (date) {
      meta.date = date;
      break;
    }
  }
  const sourceName = metaString(record.source);
  if (sourceName) meta.source = sourceName;
  const url = metaString(record.url);
  if (url) meta.url = url;
  const author = Array.isArray(record.author) ? record.author.map(metaString).filter(Boolean).join(', ') : metaString(record.author);
  if (author) meta.author = author;
  return meta;
}

/** Strings and numbers become a one-line cleaned string; anything else is ignored. */
function metaString(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = cleanText(String(value)).replace(/\n\n/g, ' ');
  return s === '' ? undefined : s;
}

function markdownToText(body: string): { text: string; headingTitle?: string } {
  const blocks: string[] = [];
  let current: string[] = [];
  let inFence = false;
  let headingTitle: string | undefined;
  const flush = () => {
    if (current.length > 0) blocks.push(current.join('\n'));
    current = [];
  };
  const lines = body.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      flush();
      continue;
    }
    if (inFence) {
      current.push(line);
      continue;
    }
    line = line.replace(/^(\s*>)+\s?/, '');
    const heading = /^\s{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line) ?? /^\s{0,3}#{1,6}$/.exec(line);
    const setext = current.length === 1 && /^\s{0,3}(=+|-+)\s*$/.test(line);
    if (heading || setext) {
      const text = heading ? (heading[1] ?? '') : current.pop()!;
      flush();
      if (blocks.length === 0 && headingTitle === undefined && text.trim() !== '') headingTitle = inline(text).trim();
      blocks.push(text);
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      continue;
    }
    const bullet = /^\s*[-*+][ \t]+(.*)$/.exec(line);
    if (bullet) {
      flush();
      current.push(bullet[1]!);
      continue;
    }
    if (/^\s*\d{1,3}[.)][ \t]+/.test(line)) flush();
    if (line.trim() === '') flush();
    else current.push(line);
  }
  flush();
  const text = blocks
    .map((b) => cleanText(inline(b)).replace(/\n\n/g, ' '))
    .filter((b) => b !== '')
    .join('\n\n');
  return { text, ...(headingTitle ? { headingTitle } : {}) };
}

/** Inline Markdown reduced to its text. */
function inline(s: string): string {
  return s
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2')
    .replace(/(^|[^\p{L}\d*\\])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\d*])/gu, '$1$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!>])/g, '$1');
}
