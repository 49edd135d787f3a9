/**
 * Text cleaning shared by every format. The result is what every quote and offset refers to, so it is predictable:
 * NFC, no invisible characters, paragraphs separated by exactly "\n\n", no line break inside a paragraph, no leading or
 * trailing space on a paragraph, no run of two spaces. No-break spaces (U+00A0, U+202F) are French typography and stay.
 */

/**
 * Zero-width characters (U+200B-U+200D, U+2060, U+FEFF), bidi controls (U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069), the soft hyphen U+00AD, C0/C1 controls (not tab/newline), U+FFFD and non-characters.
 */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u200E\u200F\u202A-\u202E\u2066-\u2069\u00AD\u0000-\u0008\u000E-\u001F\u007F-\u009F\uFFFD\uFFFE\uFFFF]/g;
/** Half of a surrogate pair without its other half (broken UTF-16): dropped rather than shown as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Spaces that are neither no-break nor line breaks become a plain space. */
const OTHER_SPACES = /[\t\u1680\u2000-\u200A\u205F\u3000]/g;
/** Runs of horizontal spaces collapse to their first character (keeps "\u00A0" in "«\u00A0 la"). */
const SPACE_RUN = /([ \u00A0\u202F])[ \u00A0\u202F]+/g;

/** Normalises line breaks and removes invisible characters, then NFC. Keeps line structure. */
export function normalizeCharacters(raw: string): string {
  return raw
    .replace(LONE_SURROGATE, '')
    .replace(/\r\n?|\u2028|\u000B|\u000C|\u0085/g, '\n')
    .replace(/\u2029/g, '\n\n')
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .replace(OTHER_SPACES, ' ');
}

/** Collapses space runs and trims one paragraph; line breaks inside become spaces. */
export function cleanParagraph(paragraph: string): string {
  return trimSpaces(paragraph.replace(/\n/g, ' ').replace(SPACE_RUN, '$1'));
}

/** Cleans already-delimited paragraphs (HTML blocks, list items) and joins them with "\n\n", dropping empty ones. */
export function joinParagraphs(paragraphs: readonly string[]): string {
  const kept: string[] = [];
  for (const p of paragraphs) {
    const c = cleanParagraph(normalizeCharacters(p));
    if (c !== '') kept.push(c);
  }
  return kept.join('\n\n');
}

/**
 * Cleans plain text. Paragraphs are separated by blank lines; when the text has no blank line at all, each line is a
 * paragraph (one-paragraph-a-line dumps), otherwise the lines of a paragraph are joined with a space (hard wrapping).
 * Paragraphs holding only spaces or no-break spaces are dropped.
 */
export function cleanText(raw: string): string {
  const text = normalizeCharacters(raw);
  const lines = text.split('\n').map(trimSpaces);
  const hasBlankLine = lines.some((line, i) => line === '' && i > 0 && i < lines.length - 1);
  const paragraphs: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) paragraphs.push(cleanParagraph(current.join(' ')));
    current = [];
  };
  for (const line of lines) {
    if (line === '') flush();
    else if (!hasBlankLine) {
      current.push(line);
      flush();
    } else current.push(line);
  }
  flush();
  return paragraphs.filter((p) => p !== '').join('\n\n');
}

/** Trims spaces and no-break spaces (a `^\s+|\s+$` regex rescans the whole string for the second branch). */
function trimSpaces(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0xa0 || c === 0x202f;
}
