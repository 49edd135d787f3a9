import { Parser } from 'htmlparser2';
import { cleanParagraph, normalizeCharacters } from './clean-text.js';
import { findFrenchDate, normalizeDate, parseLeadingFrenchDate } from './normalize-date.js';
import type { ParsedDocument, PartialMeta } from './parse-markdown.js';

/** Elements whose whole content is page furniture, not article text. */
const DROPPED = new Set(['script', 'style', 'nav', 'header', 'footer', 'aside', 'form', 'noscript', 'template', 'svg', 'iframe', 'button', 'select', 'textarea', 'object', 'canvas', 'dialog']);
/** Elements that end a paragraph; the text between two of them is one block. */
const BLOCKS = new Set([
  'p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'td', 'th', 'dt', 'dd', 'figcaption',
  'caption', 'section', 'article', 'main', 'ul', 'ol', 'dl', 'table', 'tr', 'thead', 'tbody', 'body', 'address',
  'summary', 'details', 'figure', 'hr', 'br', 'center', 'legend', 'fieldset',
]);
/** Class names that mark a lead paragraph ("chapô" in French newsrooms). */
const LEAD_CLASSES = /(?:^|\s)(?:lead|chapo|chapeau|standfirst|article-lead|article__lead)(?:\s|$)/i;

interface Block {
  tag: string;
  text: string;
  lead: boolean;
  inArticle: boolean;
}

interface OpenElement {
  name: string;
  lead: boolean;
  dropped: boolean;
}

/**
 * Reads an HTML article with htmlparser2 (entities decoded exactly once, by the parser). Title: first `<h1>`, else
 * `og:title`, else `<title>`. Body: paragraphs, list items and headings, inside `<article>`/`<main>` when the page has
 * one; `script`, `style`, `nav`, `header` (outside the article), `footer`, `aside`, `form`, `noscript` are dropped.
 * Lead: an `<h2>` right after the `<h1>`, else an element of class `lead`/`chapo`, else `og:description`; it becomes
 * the first paragraph. Date: `article:published_time`, other date metas, `<time datetime>`, a French dateline at the
 * start of the first paragraphs ("22 mai 2012. - ..."), else the first full French date of the text.
 * Source: `og:site_name`, else `<meta name="author">`.
 */
export function parseHtml(source: string): ParsedDocument {
  const metas = new Map<string, string>();
  const blocks: Block[] = [];
  const stack: OpenElement[] = [];
  let titleTag = '';
  let inTitle = false;
  let buffer = '';
  let dropDepth = 0;
  let articleDepth = 0;
  let timeDatetime: string | undefined;

  const flush = () => {
    if (buffer.trim() !== '' && dropDepth === 0) {
      const owner = [...stack].reverse().find((e) => BLOCKS.has(e.name));
      blocks.push({
        tag: owner?.name ?? 'body',
        text: buffer,
        lead: stack.some((e) => e.lead),
        inArticle: articleDepth > 0,
      });
    }
    buffer = '';
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'meta') {
          const key = (attribs.property ?? attribs.name ?? attribs.itemprop ?? '').toLowerCase();
          if (key && attribs.content !== undefined && !metas.has(key)) metas.set(key, attribs.content);
          return;
        }
        if (name === 'title' && stack.every((e) => e.name !== 'body' && e.name !== 'svg')) inTitle = true;
        if (name === 'time' && attribs.datetime && timeDatetime === undefined && dropDepth === 0) timeDatetime = attribs.datetime;
        if (BLOCKS.has(name)) flush();
        // A <header> inside the article holds its title and lead; the page header is furniture.
        const dropped = DROPPED.has(name) && !(name === 'header' && articleDepth > 0);
        if (dropped) dropDepth++;
        if (name === 'article' || name === 'main') articleDepth++;
        if (name === 'br' || name === 'hr') return;
        stack.push({ name, lead: LEAD_CLASSES.test(attribs.class ?? ''), dropped });
      },
      ontext(text) {
        if (inTitle) titleTag += text;
        else if (dropDepth === 0) buffer += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (BLOCKS.has(name)) flush();
        // htmlparser2 closes implied elements in order, so the top of the stack is the element being closed.
        const index = stack.map((e) => e.name).lastIndexOf(name);
        if (index === -1) return;
        for (const element of stack.splice(index)) {
          if (element.dropped) dropDepth--;
          if (element.name === 'article' || element.name === 'main') articleDepth--;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(source);
  parser.end();
  flush();

  const clean = (s: string) => cleanParagraph(normalizeCharacters(s).replace(/[\t\n\r\f ]+/g, ' '));
  let body = blocks.map((b) => ({ ...b, text: clean(b.text) })).filter((b) => b.text !== '');
  if (body.some((b) => b.inArticle)) body = body.filter((b) => b.inArticle);

  const meta: PartialMeta = {};
  const h1Index = body.findIndex((b) => b.tag === 'h1');
  const title = (h1Index >= 0 ? body[h1Index]!.text : '') || clean(metas.get('og:title') ?? '') || clean(titleTag);
  if (title) meta.title = title;

  // Lead: the <h2> right after the <h1>, else a .lead element; moved first.
  let leadIndex = -1;
  if (h1Index >= 0 && body[h1Index + 1]?.tag === 'h2') leadIndex = h1Index + 1;
  else leadIndex = body.findIndex((b) => b.lead && b.tag !== 'h1');
  const paragraphs = body.filter((b, i) => i !== h1Index && b.tag !== 'h1' && i !== leadIndex).map((b) => b.text);
  const firstParagraphs = paragraphs.slice(0, 2);
  if (leadIndex >= 0) paragraphs.unshift(body[leadIndex]!.text);
  else {
    const description = clean(metas.get('og:description') ?? metas.get('description') ?? '');
    const first = paragraphs[0] ?? '';
    if (description && !first.startsWith(description.replace(/(\.\.\.|…)$/u, ''))) paragraphs.unshift(description);
  }

  const date =
    normalizeDate(metas.get('article:published_time')) ??
    normalizeDate(metas.get('datepublished')) ??
    normalizeDate(metas.get('date')) ??
    normalizeDate(metas.get('dc.date')) ??
    normalizeDate(metas.get('dc.date.issued')) ??
    normalizeDate(metas.get('pubdate')) ??
    normalizeDate(timeDatetime) ??
    firstParagraphs.map(parseLeadingFrenchDate).find(Boolean) ??
    findFrenchDate(paragraphs.join('\n\n').slice(0, 3000));
  if (date) meta.date = date;
  const siteName = clean(metas.get('og:site_name') ?? '') || clean(metas.get('author') ?? '');
  if (siteName) meta.source = siteName;
  const author = clean(metas.get('author') ?? metas.get('article:author') ?? '');
  if (author && !/^https?:/.test(author)) meta.author = author;
  const url = metas.get('og:url')?.trim();
  if (url) meta.url = url;

  return { meta, text: paragraphs.join('\n\n') };
}
