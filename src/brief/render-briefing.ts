/**
 * A briefing as a Markdown document (French headings: "Points clés", "Chronologie", "Qui a dit quoi", "Sources") and
 * as JSON. Quotes are printed as stored, between « », so a reader can search them in the article.
 */
import type { AttributedQuote, Briefing, SourcedExcerpt } from '../core/types.js';
import { formatDayFr } from '../dates/date-range.js';
import { FRENCH_MONTH_NAMES } from '../dates/french-calendar.js';

/** "21 juillet 2016", "juillet 2016" or "2016" for a `YYYY-MM-DD`, `YYYY-MM` or `YYYY` date. */
export function frenchDate(date: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m;
  if (d) return formatDayFr({ y: Number(y), m: Number(mo), d: Number(d) });
  if (mo) return `${FRENCH_MONTH_NAMES[Number(mo) - 1]} ${y}`;
  return y!;
}

/** "Nouveau depuis le briefing du 21 juillet 2016 à 08:30" and its friends: what a "new only" briefing says first. */
export function newSinceLine(b: Briefing): string | undefined {
  if (!b.newOnly) return undefined;
  if (!b.previous) return 'Premier briefing sur ce sujet ici : tout est nouveau.';
  const when = `${frenchDate(b.previous.at.slice(0, 10))} à ${b.previous.at.slice(11, 16)} UTC`;
  if (b.nothingNew) return `Rien de nouveau depuis le briefing du ${when}.`;
  return `Nouveau depuis le briefing du ${when} (${b.sources.length} article${b.sources.length > 1 ? 's' : ''}).`;
}

function sourceLine(s: Pick<SourcedExcerpt, 'title' | 'date' | 'source' | 'url'> & { alsoIn?: string[] }): string {
  const parts = [s.url ? `[${mdText(s.title || 'Sans titre')}](${s.url})` : `*${mdText(s.title || 'Sans titre')}*`];
  if (s.date) parts.push(frenchDate(s.date));
  if (s.source) parts.push(mdText(s.source));
  let line = parts.join(', ');
  if (s.alsoIn && s.alsoIn.length > 0) line += ` (aussi dans ${s.alsoIn.length} article${s.alsoIn.length > 1 ? 's' : ''})`;
  return line;
}

/** Titles and outlet names are not quotes: their markdown characters are escaped. */
function mdText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/** A verbatim excerpt between « », on one Markdown line (line breaks inside it stay as they are stored). */
function quoted(excerpt: string): string {
  return `« ${excerpt} »`;
}

/** The whole briefing as Markdown. */
export function renderBriefingMarkdown(b: Briefing): string {
  const lines: string[] = [`# Briefing : ${mdText(b.topic)}`, ''];
  const meta = [`Généré le ${frenchDate(b.generatedAt.slice(0, 10))} à ${b.generatedAt.slice(11, 16)} UTC`, `${b.sources.length} article${b.sources.length > 1 ? 's' : ''}`];
  meta.push(b.mode === 'hybrid' ? 'recherche hybride' : 'recherche lexicale');
  if (b.period) meta.push(`période ${b.period.since ? `du ${frenchDate(b.period.since)}` : ''}${b.period.since && b.period.until ? ' ' : ''}${b.period.until ? `au ${frenchDate(b.period.until)}` : ''}`.trim());
  lines.push(`*${meta.join(' · ')} · citations mot pour mot*`, '');
  const since = newSinceLine(b);
  if (since) lines.push(`> ${since}`, '');
  if (b.sources.length === 0) {
    lines.push(b.nothingNew ? 'Aucun article nouveau sur ce sujet.' : 'Aucun article du corpus ne traite de ce sujet.', '');
    return `${lines.join('\n').trimEnd()}\n`;
  }

  lines.push('## Points clés', '');
  b.keyPoints.forEach((p, i) => lines.push(`${i + 1}. ${quoted(p.excerpt)} — ${sourceLine(p)}`));
  lines.push('');

  lines.push('## Chronologie', '');
  for (const e of b.timeline) {
    const when = frenchDate(e.when);
    const how = e.whenFrom === 'publication' ? ' (date de publication)' : '';
    lines.push(`- **${when}**${how} — ${quoted(e.excerpt)} — ${sourceLine(e)}`);
  }
  lines.push('');

  lines.push('## Qui a dit quoi', '');
  if (b.speakers.length === 0 && b.otherAttributions.length === 0) lines.push('Aucune citation attribuée dans ces articles.', '');
  for (const s of b.speakers) {
    lines.push(`### ${mdText(s.speaker)}`, '');
    for (const q of s.quotes) lines.push(`- ${quoted(q.excerpt)} — ${sourceLine(q)}`);
    lines.push('');
  }
  if (b.otherAttributions.length > 0) {
    lines.push('### Autres attributions (sources non nominatives)', '');
    for (const q of b.otherAttributions) lines.push(`- ${mdText(q.speaker)} : ${quoted(q.excerpt)} — ${sourceLine(q)}`);
    lines.push('');
  }

  lines.push('## Sources', '');
  b.sources.forEach((s, i) => lines.push(`${i + 1}. ${sourceLine(s)}`));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The `--format json` contract: the briefing itself, with a format tag first. */
export function briefingToJson(b: Briefing): Record<string, unknown> {
  return { format: 'sourcier.briefing/1', ...b };
}

/** Terminal text of `sourcier said` results. */
export function renderSaidText(person: string, quotes: AttributedQuote[], matched: string[]): string {
  if (quotes.length === 0) return `Aucune citation attribuée à ${person} dans le corpus.`;
  const lines = [`${quotes.length} citation${quotes.length > 1 ? 's' : ''} attribuée${quotes.length > 1 ? 's' : ''} à ${matched.join(', ') || person} :`, ''];
  quotes.forEach((q, i) => {
    lines.push(`[${i + 1}] ${quoted(q.excerpt)}`);
    lines.push(`    — ${[q.title, q.date, q.source, q.url].filter(Boolean).join(', ')}${q.alsoIn?.length ? ` (aussi dans ${q.alsoIn.length} article${q.alsoIn.length > 1 ? 's' : ''})` : ''}`);
  });
  return lines.join('\n');
}
