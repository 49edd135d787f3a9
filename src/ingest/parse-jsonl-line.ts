import { cleanText } from './clean-text.js';
import { metaFromRecord, type PartialMeta } from './parse-markdown.js';

export type JsonlLine =
  | { ok: true; id?: string; meta: PartialMeta; text: string }
  | { ok: false; reason: string };

/** Field names accepted for the body, the lead and the date, first match wins (OrangeSum uses article/heading). */
const TEXT_FIELDS = ['text', 'article', 'body', 'content'] as const;
const LEAD_FIELDS = ['lead', 'heading', 'chapo'] as const;
const DATE_FIELDS = ['date', 'published_time', 'published', 'publishedAt', 'datePublished'] as const;

/**
 * Reads one JSONL article: `id` (string or number), `title`, `date`, `url`, `source`, `author`, `text`, and an
 * optional `lead` that becomes the first paragraph. The returned text is cleaned, before the plain-text heuristics.
 */
export function parseJsonlLine(line: string): JsonlLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const record = value as Record<string, unknown>;

  let id: string | undefined;
  if (typeof record.id === 'number' && Number.isFinite(record.id)) id = String(record.id);
  else if (typeof record.id === 'string' && record.id.trim() !== '') id = record.id.trim();
  else if (record.id !== undefined && record.id !== null && record.id !== '') {
    return { ok: false, reason: `"id" must be a string or a number (got ${typeof record.id})` };
  }

  const body = firstString(record, TEXT_FIELDS);
  const lead = firstString(record, LEAD_FIELDS);
  const text = [lead, body].map((s) => (s === undefined ? '' : cleanText(s))).filter((s) => s !== '').join('\n\n');
  if (text === '') return { ok: false, reason: 'no text (the "text" field is missing or empty)' };
  return { ok: true, ...(id !== undefined ? { id } : {}), meta: metaFromRecord(record, DATE_FIELDS), text };
}

function firstString(record: Record<string, unknown>, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const v = record[field];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}
