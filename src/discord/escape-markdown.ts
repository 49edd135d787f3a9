/**
 * Turns article text (or a user's question) into Discord markdown that shows the same words and nothing more:
 * no live mention, link, heading, list, block quote, spoiler or code block can come out of it.
 *
 * Choices (documented for the README):
 * - Mentions: every `@` that could start a mention (`@everyone`, `@here`, `<@id>`, `<@&role>`, `<@!id>`) becomes the
 *   fullwidth `＠` (U+FF20). It reads the same, cannot ping, and survives copy-paste back into Discord. Zero-width
 *   characters are removed everywhere, so they cannot be the trick. Pings are also switched off by allowed_mentions.
 * - Markdown: each character with a markdown meaning gets a backslash; Discord renders `\*` as `*`, so the excerpt
 *   reads verbatim. A backslash and its escaped character are never separated when text is cut.
 * - Links: `scheme://` becomes `scheme\://`, which Discord does not turn into a link.
 * - Bidi controls and zero-width characters are removed (they could reorder or hide what a quote says).
 */

// Bidi embeddings/overrides/isolates, marks, and zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, MVS).
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060\u2061-\u2064\uFEFF\u180E\u00AD]/g;
// Markdown characters escaped wherever they appear.
const MARKDOWN = /[\\*_~`|<>[\]()#]/g;

/** Removes bidi control and zero-width characters. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Replaces the `@` of anything that could be read as a mention with the fullwidth `＠`. */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=everyone|here)/gi, '＠').replace(/<@/g, '<＠');
}

/**
 * Escapes text for a Discord message or embed description. `newlines: 'space'` folds line breaks (titles,
 * one-line source lines); 'keep' keeps them (callers prefix each line when quoting).
 */
export function escapeMarkdown(text: string, newlines: 'keep' | 'space' = 'keep'): string {
  let out = neutraliseMentions(stripInvisible(text)).replace(/\r\n?/g, '\n');
  if (newlines === 'space') out = out.replace(/\s*\n\s*/g, ' ');
  out = out.replace(MARKDOWN, (c) => `\\${c}`);
  // Line starts: list markers and "1." would become lists; "-#" subtext is covered by escaping "-".
  out = out.replace(/^([ \t]*)([-+])/gm, '$1\\$2').replace(/^([ \t]*\d+)\.(?=\s)/gm, '$1\\.');
  // Bare URLs would become live links.
  out = out.replace(/([a-z][a-z0-9+.-]*):(?=\/\/)/gi, '$1\\:');
  return out;
}

/** Formats an escaped multi-line text as a Discord block quote ("> " before every line). */
export function blockQuote(escaped: string): string {
  return escaped
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/**
 * The longest prefix of `text` of at most `max` characters (UTF-16 units) that ends at a safe place, with a visible
 * "…" appended when anything was cut. Prefers a sentence end in the last 40% of the budget, then a word boundary,
 * then any position that does not split a surrogate pair or a backslash escape.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const budget = max - 1; // room for "…"
  const floor = Math.floor(budget * 0.6);
  let cut = -1;
  const sentenceEnd = /[.!?…»][)"»\]]*(?=\s)/g;
  for (let m = sentenceEnd.exec(text); m && m.index + m[0].length <= budget; m = sentenceEnd.exec(text)) {
    const end = m.index + m[0].length;
    if (end >= floor && !escapesNext(text, end - 1)) cut = end;
  }
  if (cut < 0) {
    const space = text.lastIndexOf(' ', budget);
    if (space >= floor) cut = space;
  }
  if (cut < 0) cut = budget;
  cut = safeCut(text, cut);
  return `${text.slice(0, cut).replace(/\s+$/, '')}…`;
}

/** Moves `cut` left until text.slice(0, cut) ends neither inside a surrogate pair nor between "\" and its character. */
export function safeCut(text: string, cut: number): number {
  let c = Math.min(cut, text.length);
  for (;;) {
    const prev = text.charCodeAt(c - 1);
    if (c > 0 && c < text.length && prev >= 0xd800 && prev <= 0xdbff) {
      c -= 1;
      continue;
    }
    if (c > 0 && escapesNext(text, c - 1)) {
      c -= 1;
      continue;
    }
    return c;
  }
}

/** True when the character at `i` is a backslash that escapes the next one (an odd run of backslashes ends at i). */
function escapesNext(text: string, i: number): boolean {
  let n = 0;
  for (let j = i; j >= 0 && text[j] === '\\'; j -= 1) n += 1;
  return n % 2 === 1;
}
