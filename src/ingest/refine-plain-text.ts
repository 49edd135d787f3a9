import { normalizeDate } from './normalize-date.js';

/** What the heuristics may take from the body of an article. */
export interface RefineOptions {
  /** Title already known (front matter, JSONL field, HTML `<h1>`). Leading paragraphs equal to it are dropped. */
  title?: string;
  /** Date already known; a leading `date YYYY-MM` marker is still removed from the body. */
  date?: string;
  /** Take a short first line without final period as the title when none is given (default true). */
  detectTitleLine?: boolean;
}

export interface RefinedText {
  /** Cleaned body without title line, date marker and trailing boilerplate; "" when nothing is left. */
  text: string;
  title: string;
  date?: string;
}

/** Longest first line taken as a title, in characters. */
const TITLE_LINE_MAX_CHARS = 160;
/** Titles made from the first sentence are cut at a word boundary near this length (characters). */
const FALLBACK_TITLE_CHARS = 90;

/** A leading "date 2022-04" / "date 2022-04-11" marker, as in the seed articles. */
const DATE_MARKER = /^date[ \u00A0]+(\d{4}-\d{2}(?:-\d{2})?)(?![\d-])[ \u00A0]*/i;
/** A lone last line of site furniture. */
const BOILERPLATE = /^(?:\d+[ \u00A0])?(?:commentaires?|commenter|réagir|partager|partagez(?: cet article)?|lire aussi|à lire aussi|voir aussi|imprimer|publicité|envoyer par e-?mail|s'abonner|newsletter)[ \u00A0]*:?$/iu;

/**
 * Applies the plain-text heuristics to cleaned text (paragraphs separated by "\n\n"), in this order:
 * a leading date marker is removed (and gives the date when none is known); leading paragraphs equal to the known
 * title are dropped; otherwise a short first line without final period becomes the title and is dropped, with its
 * repetition on the next paragraph; lone boilerplate last lines ("Commentaires", "Partager", "Lire aussi") are
 * dropped. With still no title, the first sentence, cut near 90 characters, is the title.
 */
export function refinePlainText(text: string, options: RefineOptions = {}): RefinedText {
  const paragraphs = text === '' ? [] : text.split('\n\n');
  let date = options.date;
  let title = options.title?.trim() || undefined;

  const takeDateMarker = () => {
    const first = paragraphs[0];
    const m = first === undefined ? null : DATE_MARKER.exec(first);
    if (!m) return;
    date ??= normalizeDate(m[1]);
    const rest = first!.slice(m[0].length);
    if (rest === '') paragraphs.shift();
    else paragraphs[0] = rest;
  };

  takeDateMarker();
  if (title !== undefined) {
    while (paragraphs.length > 1 && sameTitle(paragraphs[0]!, title)) paragraphs.shift();
  } else if (options.detectTitleLine !== false && paragraphs.length > 1 && isTitleLine(paragraphs[0]!)) {
    title = paragraphs.shift()!;
    while (paragraphs.length > 1 && sameTitle(paragraphs[0]!, title)) paragraphs.shift();
  }
  takeDateMarker();
  while (paragraphs.length > 1 && BOILERPLATE.test(paragraphs[paragraphs.length - 1]!)) paragraphs.pop();

  const body = paragraphs.join('\n\n');
  return { text: body, title: title ?? titleFromFirstSentence(body), ...(date ? { date } : {}) };
}

/** Short, one line, has a letter, and does not end like a sentence or a clause. */
function isTitleLine(paragraph: string): boolean {
  return (
    paragraph.length <= TITLE_LINE_MAX_CHARS &&
    /\p{L}/u.test(paragraph) &&
    !/[.,;:]$/.test(paragraph) &&
    paragraph.split(' ').length <= 25
  );
}

/** Equal once case, spacing and final punctuation are ignored. */
function sameTitle(a: string, b: string): boolean {
  // Cheap length check first: the first paragraph of a JSONL article can be the whole text.
  if (Math.abs(a.length - b.length) > 8) return false;
  return titleKey(a) === titleKey(b);
}

function titleKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s\u00A0\u202F]+/g, ' ')
    .replace(/[\s.!?…:;]+$/u, '')
    .trim();
}

/** The first sentence (up to . ! ? … followed by a space, a capital or the end), cut at a word boundary. */
export function titleFromFirstSentence(text: string): string {
  const firstParagraph = text.split('\n\n', 1)[0] ?? '';
  const end = /[.!?…](?=[\s\u00A0]|\p{Lu}|$)/u.exec(firstParagraph);
  let sentence = end ? firstParagraph.slice(0, end.index + (end[0] === '.' ? 0 : 1)) : firstParagraph;
  sentence = sentence.trim();
  if (sentence.length <= FALLBACK_TITLE_CHARS) return sentence;
  const cut = sentence.lastIndexOf(' ', FALLBACK_TITLE_CHARS);
  let at = cut > FALLBACK_TITLE_CHARS / 2 ? cut : FALLBACK_TITLE_CHARS;
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(sentence[at - 1] ?? '')) at--;
  const head = sentence.slice(0, at);
  return `${head.replace(/[\s\u00A0,;:(«"'’-]+$/u, '')}…`;
}
