import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, isAppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Article, IngestOutcome } from '../core/types.js';
import { cleanText } from './clean-text.js';
import { binarySignature, decodeText, tryUtf8 } from './decode-text.js';
import { hashArticle } from './hash-article.js';
import { parseHtml } from './parse-html.js';
import { parseJsonlLine } from './parse-jsonl-line.js';
import { parseMarkdown, type ParsedDocument, type PartialMeta } from './parse-markdown.js';
import { refinePlainText } from './refine-plain-text.js';

export interface ReadCorpusOptions {
  /** Receives a debug summary line. Default: silent. */
  logger?: Logger;
  /** Called with (files done, files total) after the walk and after each file. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Largest file read, in bytes (default 50 MB), checked with stat before reading so memory stays bounded.
   * JSONL files are streamed line by line, so for them the limit applies to each line, not to the file.
   */
  maxFileBytes?: number;
  /** Files read at the same time (default 8). */
  concurrency?: number;
  /**
   * Articles read before, by the fingerprint of the JSONL line they came from ({@link CorpusContents.fingerprints}):
   * a line with the same bytes gives the same article (its path updated), without being parsed and cleaned again.
   */
  reuse?: ReadonlyMap<string, Article>;
}

export interface CorpusContents {
  /** In the order of the sorted walk (JSONL: line order); ids are unique. */
  articles: Article[];
  /** One per file found (and per skipped JSONL line, as `file.jsonl:LINE`), in walk order. */
  outcomes: IngestOutcome[];
  /**
   * Article id -> fingerprint of its JSONL line, for lines that carry their own id and are UTF-8 (what `reuse` takes
   * back next time). The fingerprint covers the line's bytes and the version of parsing and cleaning.
   */
  fingerprints: Map<string, string>;
  /** Articles taken from `reuse` instead of being parsed and cleaned. */
  reused: number;
}

/**
 * Part of every line fingerprint: bump it whenever parsing or cleaning changes what a line gives, so that articles
 * read by an older version are read again.
 */
const LINE_FINGERPRINT_VERSION = 1;

/** Fingerprint of a JSONL line's bytes (see {@link CorpusContents.fingerprints}). */
export function lineFingerprint(bytes: Uint8Array): string {
  return `${LINE_FINGERPRINT_VERSION}:${createHash('sha1').update(bytes).digest('base64')}`;
}

type FileKind = 'txt' | 'md' | 'html' | 'jsonl';

const KINDS: Record<string, FileKind> = {
  '.txt': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};
/** Project files that may sit in a corpus folder without being articles. */
const IGNORED_NAMES = /^(?:readme|licen[cs]e|copying|changelog)(?:[.-].*)?$/i;
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
const DEFAULT_CONCURRENCY = 8;

type WalkEntry = { file: CorpusFile } | { skipped: IngestOutcome };

interface CorpusFile {
  abs: string;
  /** Path under the corpus folder with "/" separators. */
  rel: string;
  kind: FileKind;
}

interface FileResult {
  outcomes: IngestOutcome[];
  articles: Article[];
  /** JSONL: fingerprint of the line each article came from (see CorpusContents.fingerprints). */
  fingerprints?: Map<Article, string>;
  /** Articles taken from `reuse`. */
  reused?: number;
}

/**
 * corpus/ -> articles. Walks the folder recursively in sorted order, reads every .txt, .md, .html/.htm and .jsonl
 * file and gives each one an outcome. Per-file problems (unreadable, empty, binary, too large, not text, symlink
 * leaving the corpus, duplicate id, bad JSONL line) are `skipped` outcomes with a reason and never stop the run.
 * Throws CORPUS_MISSING when the folder does not exist.
 */
export async function readCorpus(corpusDir: string, options: ReadCorpusOptions = {}): Promise<CorpusContents> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);

  let root: string;
  try {
    const info = await stat(corpusDir);
    if (!info.isDirectory()) throw new Error('not a folder');
    root = await realpath(corpusDir);
  } catch (error) {
    throw new AppError(
      'CORPUS_MISSING',
      `Corpus folder not found or not a folder: ${corpusDir}. Create it and put .txt, .md, .html or .jsonl articles in it, or set CORPUS_DIR (or --corpus) to your articles folder.`,
      { cause: error },
    );
  }

  const entries: WalkEntry[] = [];
  await walk(root, '', root, new Set([root]), entries);
  const files = entries.flatMap((e) => ('file' in e ? [e.file] : []));
  const results = new Map<CorpusFile, FileResult>();
  let done = 0;
  options.onProgress?.(0, files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      results.set(file, await readFileSafely(file, maxFileBytes, options.reuse));
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

  // Assemble in walk order so ids, duplicates and outcomes do not depend on which read finished first.
  const articles: Article[] = [];
  const outcomes: IngestOutcome[] = [];
  const fingerprints = new Map<string, string>();
  let reused = 0;
  const seen = new Map<string, string>();
  for (const entry of entries) {
    if ('skipped' in entry) {
      outcomes.push(entry.skipped);
      continue;
    }
    const result = results.get(entry.file)!;
    reused += result.reused ?? 0;
    const duplicates: IngestOutcome[] = [];
    const kept = new Set<string>();
    for (const article of result.articles) {
      const first = seen.get(article.id);
      if (first !== undefined) {
        duplicates.push({ path: article.path, status: 'skipped', reason: `duplicate article id "${article.id}" (already read from ${first})` });
        continue;
      }
      seen.set(article.id, article.path);
      kept.add(article.id);
      articles.push(article);
      const fingerprint = result.fingerprints?.get(article);
      if (fingerprint !== undefined) fingerprints.set(article.id, fingerprint);
    }
    for (const outcome of result.outcomes) {
      if (outcome.status === 'read' && duplicates.length > 0) {
        const articleIds = outcome.articleIds.filter((id) => kept.has(id));
        if (articleIds.length === 0 && entry.file.kind !== 'jsonl') outcomes.push(duplicates.shift()!);
        else outcomes.push({ ...outcome, articleIds });
      } else outcomes.push(outcome);
    }
    outcomes.push(...duplicates);
  }

  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  logger.debug('corpus read', {
    corpusDir,
    files: files.length,
    articles: articles.length,
    skipped,
    seconds: Math.round(performance.now() - started) / 1000,
  });
  return { articles, outcomes, fingerprints, reused };
}

async function walk(absDir: string, relDir: string, root: string, visited: Set<string>, entries: WalkEntry[]): Promise<void> {
  let dirents;
  try {
    dirents = await readdir(absDir, { withFileTypes: true });
  } catch (error) {
    entries.push({ skipped: skip(relDir || '.', `cannot read folder (${errorCode(error)})`) });
    return;
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of dirents) {
    const name = dirent.name;
    if (name.startsWith('.')) continue;
    const abs = path.join(absDir, name);
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    const kind = kindOf(name);

    if (dirent.isSymbolicLink()) {
      let target: string;
      let info;
      try {
        target = await realpath(abs);
        info = await stat(target);
      } catch {
        if (kind) entries.push({ skipped: skip(rel, 'broken symbolic link') });
        continue;
      }
      if (target !== root && !target.startsWith(root + path.sep)) {
        if (kind || info.isDirectory()) entries.push({ skipped: skip(rel, `symbolic link points outside the corpus folder (to ${target})`) });
        continue;
      }
      if (info.isDirectory()) {
        if (visited.has(target)) continue;
        visited.add(target);
        await walk(abs, rel, root, visited, entries);
      } else if (kind) {
        entries.push(info.isFile() ? { file: { abs, rel, kind } } : { skipped: skip(rel, 'not a regular file') });
      }
      continue;
    }
    if (dirent.isDirectory()) {
      const real = await realpath(abs).catch(() => abs);
      if (visited.has(real)) continue;
      visited.add(real);
      await walk(abs, rel, root, visited, entries);
    } else if (kind) {
      entries.push(dirent.isFile() ? { file: { abs, rel, kind } } : { skipped: skip(rel, 'not a regular file') });
    }
  }
}

function kindOf(name: string): FileKind | undefined {
  if (IGNORED_NAMES.test(name)) return undefined;
  return KINDS[path.extname(name).toLowerCase()];
}

/** Article id: the path under the corpus folder without its extension. */
function idOf(rel: string): string {
  return rel.slice(0, rel.length - path.extname(rel).length);
}

async function readFileSafely(file: CorpusFile, maxFileBytes: number, reuse: ReadonlyMap<string, Article> | undefined): Promise<FileResult> {
  try {
    return file.kind === 'jsonl' ? await readJsonlFile(file, maxFileBytes, reuse) : await readArticleFile(file, maxFileBytes);
  } catch (error) {
    // Anything unexpected (EIO, a race with a deleted file) skips this file only.
    return { outcomes: [skip(file.rel, `cannot read file (${errorCode(error)})`)], articles: [] };
  }
}

async function readArticleFile(file: CorpusFile, maxFileBytes: number): Promise<FileResult> {
  const sizeProblem = await checkSize(file.abs, maxFileBytes);
  if (sizeProblem) return skipped(file.rel, sizeProblem.reason);
  let bytes: Buffer;
  try {
    bytes = await readBounded(file.abs, maxFileBytes);
  } catch (error) {
    return skipped(file.rel, `cannot read file (${errorCode(error)})`);
  }
  if (bytes.length === 0) return skipped(file.rel, 'empty file');
  const decoded = decodeText(bytes);
  if (!decoded.ok) return skipped(file.rel, decoded.reason);

  let parsed: ParsedDocument;
  try {
    if (file.kind === 'md') parsed = parseMarkdown(decoded.text);
    else if (file.kind === 'html') parsed = parseHtml(decoded.text);
    else parsed = { meta: {}, text: cleanText(decoded.text) };
  } catch (error) {
    if (isAppError(error)) return skipped(file.rel, error.message);
    throw error;
  }
  const article = buildArticle(idOf(file.rel), file.rel, parsed.meta, parsed.text, {
    title: parsed.meta.title ?? parsed.headingTitle,
    detectTitleLine: file.kind !== 'html',
  });
  if (!article) return skipped(file.rel, 'no text (empty or only whitespace once cleaned)');
  return { outcomes: [{ path: file.rel, status: 'read', articleIds: [article.id], encoding: decoded.encoding }], articles: [article] };
}

async function readJsonlFile(file: CorpusFile, maxFileBytes: number, reuse: ReadonlyMap<string, Article> | undefined): Promise<FileResult> {
  const info = await stat(file.abs);
  if (info.size === 0) return skipped(file.rel, 'empty file');
  const fileId = idOf(file.rel);
  const articles: Article[] = [];
  const lineOutcomes: IngestOutcome[] = [];
  const fingerprints = new Map<Article, string>();
  let reused = 0;
  let encoding = 'utf-8';

  const handleLine = (text: string, lineNo: number, fingerprint?: string) => {
    if (text.trim() === '') return;
    const where = `${file.rel}:${lineNo}`;
    const line = parseJsonlLine(text);
    if (!line.ok) {
      lineOutcomes.push(skip(where, line.reason));
      return;
    }
    const article = buildArticle(line.id ?? `${fileId}:${lineNo}`, where, line.meta, line.text, { title: line.meta.title, detectTitleLine: true });
    if (article) {
      articles.push(article);
      // Only a line with its own id gives the same article wherever it sits in the file.
      if (fingerprint !== undefined && line.id !== undefined) fingerprints.set(article, fingerprint);
    } else lineOutcomes.push(skip(where, 'no text once cleaned'));
  };
  const handleBytes = (bytes: Uint8Array, lineNo: number) => {
    const fingerprint = lineFingerprint(bytes);
    const known = reuse?.get(fingerprint);
    if (known) {
      // Same bytes, same article: only where it sits may have changed (the path is not part of the hash).
      const article = { ...known, path: `${file.rel}:${lineNo}` };
      articles.push(article);
      fingerprints.set(article, fingerprint);
      reused++;
      return;
    }
    let text = tryUtf8(bytes);
    const utf8 = text !== undefined;
    if (text === undefined) {
      const decoded = decodeText(bytes);
      if (!decoded.ok) {
        lineOutcomes.push(skip(`${file.rel}:${lineNo}`, decoded.reason));
        return;
      }
      text = decoded.text;
      encoding = decoded.encoding;
    }
    handleLine(lineNo === 1 ? text.replace(/^\uFEFF/, '') : text, lineNo, utf8 ? fingerprint : undefined);
  };

  const head = await readBounded(file.abs, 4096);
  const binary = binarySignature(head);
  if (binary) return skipped(file.rel, binary);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head.includes(0)) {
    // UTF-16 cannot be split on the 0x0A byte: decode the whole file (bounded), then split.
    if (info.size > maxFileBytes) return skipped(file.rel, tooLarge(info.size, maxFileBytes));
    const decoded = decodeText(await readBounded(file.abs, maxFileBytes));
    if (!decoded.ok) return skipped(file.rel, decoded.reason);
    encoding = decoded.encoding;
    decoded.text.split(/\r?\n/).forEach((line, i) => handleLine(line, i + 1));
  } else {
    // Streamed on 0x0A so a 100 MB file never sits in memory as one string; each line is bounded by maxFileBytes.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let oversize = false;
    let lineNo = 0;
    const endLine = (last: Uint8Array) => {
      lineNo++;
      if (oversize || pendingBytes + last.length > maxFileBytes) {
        lineOutcomes.push(skip(`${file.rel}:${lineNo}`, `line is over ${formatBytes(maxFileBytes)} (maxFileBytes)`));
      } else {
        handleBytes(pending.length === 0 ? last : Buffer.concat([...pending, last]), lineNo);
      }
      pending = [];
      pendingBytes = 0;
      oversize = false;
    };
    for await (const chunk of createReadStream(file.abs, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let start = 0;
      let newline: number;
      while ((newline = chunk.indexOf(10, start)) !== -1) {
        endLine(chunk.subarray(start, newline > start && chunk[newline - 1] === 13 ? newline - 1 : newline));
        start = newline + 1;
      }
      const rest = chunk.subarray(start);
      if (rest.length > 0) {
        if (oversize || pendingBytes + rest.length > maxFileBytes) {
          oversize = true;
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(Buffer.from(rest));
          pendingBytes += rest.length;
        }
      }
    }
    if (pendingBytes > 0 || oversize) endLine(new Uint8Array(0));
  }

  const fileOutcome: IngestOutcome =
    articles.length > 0
      ? { path: file.rel, status: 'read', articleIds: articles.map((a) => a.id), encoding }
      : skip(file.rel, lineOutcomes.length > 0 ? `no valid line (${lineOutcomes.length} skipped)` : 'no text (empty or only whitespace)');
  return { outcomes: [fileOutcome, ...lineOutcomes], articles, fingerprints, reused };
}

/** Title, date and body heuristics, then the hash. Undefined when no text is left. */
function buildArticle(
  id: string,
  where: string,
  meta: PartialMeta,
  text: string,
  options: { title?: string; detectTitleLine: boolean },
): Article | undefined {
  const refined = refinePlainText(text, { title: options.title, date: meta.date, detectTitleLine: options.detectTitleLine });
  if (refined.text === '') return undefined;
  // Fixed key order and no undefined-valued keys, so articles compare and serialise predictably.
  const fields: Omit<Article, 'hash' | 'path'> = {
    id,
    title: refined.title,
    ...(refined.date ? { date: refined.date } : {}),
    ...(meta.source ? { source: meta.source } : {}),
    ...(meta.url ? { url: meta.url } : {}),
    ...(meta.author ? { author: meta.author } : {}),
    text: refined.text,
  };
  return { ...fields, path: where, hash: hashArticle(fields) };
}

async function checkSize(abs: string, maxFileBytes: number): Promise<{ reason: string } | undefined> {
  const info = await stat(abs);
  if (!info.isFile()) return { reason: 'not a regular file' };
  if (info.size === 0) return { reason: 'empty file' };
  if (info.size > maxFileBytes) return { reason: tooLarge(info.size, maxFileBytes) };
  return undefined;
}

/** Reads at most `limit` bytes (the file may have grown since stat). */
async function readBounded(abs: string, limit: number): Promise<Buffer> {
  const handle = await open(abs, 'r');
  try {
    const size = Math.min(limit, (await handle.stat()).size);
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

function tooLarge(size: number, limit: number): string {
  return `file is ${formatBytes(size)}, over the ${formatBytes(limit)} limit (maxFileBytes); split it into smaller files`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}

function skip(where: string, reason: string): IngestOutcome {
  return { path: where, status: 'skipped', reason };
}

function skipped(where: string, reason: string): FileResult {
  return { outcomes: [skip(where, reason)], articles: [] };
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return e.code === 'EACCES' ? 'EACCES: permission denied' : e.code;
  return typeof e?.message === 'string' ? e.message : String(error);
}
