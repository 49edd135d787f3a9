import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from 'discord.js';
import type { Answer, Article, Chunk, Citation, IndexStats, NearestArticle } from '../core/types.js';
import { encodeButton } from './button-state.js';
import { blockQuote, escapeMarkdown, truncateText } from './escape-markdown.js';
import { fr } from './messages-fr.js';
import { describeExcerptDates, formatIsoDayFr } from '../dates/date-range.js';

/** Discord's limits, in UTF-16 code units as Discord counts them. */
export const LIMITS = {
  content: 2000,
  description: 4096,
  title: 256,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  totalEmbeds: 6000,
  embeds: 10,
  fields: 25,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
  customId: 100,
} as const;

/** Pings nobody: not users, roles, @everyone, nor the author of a replied-to message. */
export const NO_MENTIONS = { parse: [] as never[], repliedUser: false } as const;

/** A message ready for discord.js (reply, editReply, followUp, send). */
export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIButtonComponent>>;
  allowedMentions: typeof NO_MENTIONS;
}

/** The same payload as a raw REST body (snake_case), for calls made without discord.js structures. */
export function toRestBody(p: MessagePayload): Record<string, unknown> {
  return {
    ...(p.content !== undefined ? { content: p.content } : {}),
    embeds: p.embeds,
    components: p.components,
    allowed_mentions: { parse: [], replied_user: false },
  };
}

export interface RenderAnswerOptions {
  kind: 'ask' | 'quote' | 'verify';
  /** Key of the button state; no buttons when absent. */
  stateKey?: string;
  /** Passages shown before this page (numbering starts at offset + 1). */
  offset?: number;
  /** Show "Plus de sources" (default true when there are citations). */
  more?: boolean;
  /** Show "Publier" (the ephemeral reply of the context-menu command). */
  publish?: boolean;
}

/** "Période : …", with why the period was not applied as a filter when it was not. */
function periodLine(period: NonNullable<Answer['period']>, abstained: boolean): string {
  const line = fr.period(escapeMarkdown(period.label ?? '', 'space'));
  if (period.corpusUntil) return `${line} — ${fr.periodAfterCorpus(formatIsoDayFr(period.corpusUntil), abstained)}`;
  return period.applied === false ? `${line} — ${fr.periodNotApplied}` : line;
}

const BLUE = 0x2b6cb0;
const GREY = 0x718096;

/** Renders an answer as one embed: header, numbered verbatim excerpts as block quotes with source lines, buttons. */
export function renderAnswerMessage(answer: Answer, options: RenderAnswerOptions): MessagePayload {
  const offset = options.offset ?? 0;
  const title = truncateText(escapeMarkdown(answer.question, 'space'), LIMITS.title);
  const footer = { text: fr.footer(answer.mode, answer.latencyMs) };
  const head: string[] = [];
  if (answer.period?.label) head.push(periodLine(answer.period, answer.abstained || answer.citations.length === 0));

  if (answer.abstained || answer.citations.length === 0) {
    const lines = [...head, offset > 0 ? fr.noMoreSources : options.kind === 'quote' ? fr.quoteNotFound : fr.abstained];
    if (answer.nearest.length > 0 && offset === 0) {
      lines.push('', `**${fr.nearestTitle}**`);
      for (const a of answer.nearest.slice(0, 10)) lines.push(`• ${nearestLine(a)}`);
    }
    return {
      embeds: [{ title, description: truncateText(lines.join('\n'), LIMITS.description), color: GREY, footer }],
      components: options.stateKey && options.publish ? [publishRow(options.stateKey)] : [],
      allowedMentions: NO_MENTIONS,
    };
  }

  const citations = answer.citations.slice(0, 10);
  const header =
    offset > 0
      ? fr.moreHeader(offset + 1)
      : options.kind === 'quote'
        ? fr.quoteHeader(citations.length)
        : options.kind === 'verify'
          ? fr.verifyHeader(citations.length)
          : fr.answerHeader(citations.length, answer.mode);
  head.unshift(`**${header}**`);
  const headText = head.join('\n');
  const blocks = citations.map((c, i) => ({
    label: `**[${offset + i + 1}]**`,
    quote: escapeMarkdown(c.excerpt),
    source: `— ${sourceLine(c)}${c.dates ? `\n-# ${fr.excerptDates(escapeMarkdown(describeExcerptDates(c.dates), 'space'))}` : ''}`,
  }));
  // Each block: label \n quote \n source, blocks separated by a blank line.
  const fixed = headText.length + blocks.reduce((n, b) => n + b.label.length + b.source.length + 4, 0);
  const budgets = shareBudget(
    blocks.map((b) => quotedLength(b.quote)),
    LIMITS.description - fixed,
  );
  const parts = blocks.map((b, i) => `${b.label}\n${fitQuote(b.quote, budgets[i]!)}\n${b.source}`);
  const description = truncateText([headText, ...parts].join('\n\n'), LIMITS.description);
  const payload: MessagePayload = {
    embeds: [{ title, description, color: BLUE, footer }],
    components: options.stateKey ? answerRows(options.stateKey, citations.length, offset, options) : [],
    allowedMentions: NO_MENTIONS,
  };
  return payload;
}

/** "Passage complet": the whole chunk, quoted verbatim, with its source line. */
export function renderPassageMessage(passage: { chunk: Chunk; article: Article }): MessagePayload {
  const { chunk, article } = passage;
  const source = `— ${sourceLine({ title: article.title, date: article.date, source: article.source, url: article.url })}`;
  const quote = fitQuote(escapeMarkdown(chunk.text), LIMITS.description - source.length - 2);
  return {
    embeds: [
      {
        title: truncateText(escapeMarkdown(fr.fullPassageTitle(article.title), 'space'), LIMITS.title),
        description: truncateText(`${quote}\n${source}`, LIMITS.description),
        color: BLUE,
        footer: { text: truncateText(`${chunk.id} · caractères ${chunk.start}–${chunk.end}`, LIMITS.footer) },
      },
    ],
    components: [],
    allowedMentions: NO_MENTIONS,
  };
}

/** `/sources`: what the corpus holds and how it is searched. */
export function renderSourcesMessage(s: IndexStats): MessagePayload {
  const t = fr.sources;
  const outlets = s.sources.map((x) => `${escapeMarkdown(x.name, 'space')} (${x.articles})`).join(', ') || '—';
  const fields = [
    { name: t.articles, value: String(s.articles), inline: true },
    { name: t.chunks, value: String(s.chunks), inline: true },
    ...(s.dateRange ? [{ name: t.period, value: `${s.dateRange.from} → ${s.dateRange.to}`, inline: true }] : []),
    {
      name: t.mode,
      value: truncateText(
        s.mode === 'hybrid' ? t.hybrid(escapeMarkdown(s.modelId ?? '?', 'space'), s.dimensions) : t.lexical(s.modeReason && escapeMarkdown(s.modeReason, 'space')),
        LIMITS.fieldValue,
      ),
    },
    { name: t.outlets, value: truncateText(outlets, LIMITS.fieldValue) },
    { name: t.builtAt, value: escapeMarkdown(s.builtAt, 'space'), inline: true },
  ];
  return { embeds: [{ title: fr.sourcesTitle, color: BLUE, fields }], components: [], allowedMentions: NO_MENTIONS };
}

/** A plain French sentence (errors, refusals, progress). */
export function renderNotice(text: string): MessagePayload {
  return { content: truncateText(text, LIMITS.content), embeds: [], components: [], allowedMentions: NO_MENTIONS };
}

/** Title, date, outlet and link; the link is wrapped in <…> so Discord shows no preview. */
export function sourceLine(c: Pick<Citation, 'title' | 'date' | 'source' | 'url' | 'alsoIn'>): string {
  const parts = [`*${escapeMarkdown(c.title || 'Sans titre', 'space')}*`];
  if (c.date) parts.push(escapeMarkdown(c.date, 'space'));
  if (c.source) parts.push(escapeMarkdown(c.source, 'space'));
  const url = safeUrl(c.url);
  if (url) parts.push(`<${url}>`);
  let line = parts.join(', ');
  if (c.alsoIn && c.alsoIn.length > 0) line += ` (aussi dans ${c.alsoIn.length} article${c.alsoIn.length > 1 ? 's' : ''})`;
  // A pathological title must not eat the excerpt's room.
  return truncateText(line, 600);
}

function nearestLine(a: NearestArticle): string {
  const parts = [`*${escapeMarkdown(a.title || a.articleId, 'space')}*`];
  if (a.date) parts.push(escapeMarkdown(a.date, 'space'));
  if (a.source) parts.push(escapeMarkdown(a.source, 'space'));
  return truncateText(parts.join(', '), 300);
}

/** Only plain http(s) links without spaces, angle brackets or "@" (no way to smuggle markup or a mention). */
function safeUrl(url: string | undefined): string | undefined {
  if (!url || url.length > 500) return undefined;
  return /^https?:\/\/[^\s<>@`|*_~\\]+$/i.test(url) ? url : undefined;
}

function quotedLength(escaped: string): number {
  return escaped.length + 2 * (escaped.split('\n').length);
}

/** Cuts an escaped excerpt so that, once block-quoted, it fits `max` characters. */
function fitQuote(escaped: string, max: number): string {
  const text = escaped.replace(/\n{2,}/g, '\n');
  let budget = Math.max(1, max);
  for (;;) {
    const quoted = blockQuote(truncateText(text, budget));
    if (quoted.length <= max) return quoted;
    if (budget <= 1) return '';
    budget -= quoted.length - max;
  }
}

/** Splits `total` among wants: small wants are met in full, the rest share what is left equally. */
export function shareBudget(wants: number[], total: number): number[] {
  const out = new Array<number>(wants.length).fill(0);
  let left = Math.max(0, total);
  let open = wants.map((_, i) => i);
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    const small = open.filter((i) => wants[i]! <= share);
    if (small.length === 0) {
      for (const i of open) out[i] = share;
      break;
    }
    for (const i of small) {
      out[i] = wants[i]!;
      left -= wants[i]!;
    }
    open = open.filter((i) => wants[i]! > share);
  }
  return out;
}

function answerRows(key: string, count: number, offset: number, options: RenderAnswerOptions): Array<APIActionRowComponent<APIButtonComponent>> {
  const first: APIButtonComponent[] = [];
  if (options.publish) first.push(button(encodeButton({ action: 'publish', key }), fr.buttons.publish, 1));
  if (options.more !== false) first.push(button(encodeButton({ action: 'more', key }), fr.buttons.more, 2));
  first.push(button(encodeButton({ action: 'feedback', key, verdict: 'up' }), fr.buttons.up, 2, '👍'));
  first.push(button(encodeButton({ action: 'feedback', key, verdict: 'down' }), fr.buttons.down, 2, '👎'));
  const full = Array.from({ length: Math.min(count, LIMITS.buttonsPerRow) }, (_, i) =>
    button(encodeButton({ action: 'full', key, index: i }), fr.buttons.full(offset + i + 1), 2),
  );
  return [first, full].filter((r) => r.length > 0).map((components) => ({ type: 1, components }));
}

function publishRow(key: string): APIActionRowComponent<APIButtonComponent> {
  return { type: 1, components: [button(encodeButton({ action: 'publish', key }), fr.buttons.publish, 1)] };
}

function button(customId: string, label: string, style: 1 | 2, emoji?: string): APIButtonComponent {
  return { type: 2, style, custom_id: customId, label, ...(emoji ? { emoji: { name: emoji } } : {}) };
}

/** Every Discord limit the payload breaks (empty when it is valid). */
export function checkMessageLimits(p: MessagePayload): string[] {
  const problems: string[] = [];
  if (p.content !== undefined && p.content.length > LIMITS.content) problems.push(`content ${p.content.length}`);
  if (p.embeds.length > LIMITS.embeds) problems.push(`embeds ${p.embeds.length}`);
  let total = 0;
  for (const e of p.embeds) {
    const title = e.title?.length ?? 0;
    const desc = e.description?.length ?? 0;
    const foot = e.footer?.text.length ?? 0;
    if (title > LIMITS.title) problems.push(`title ${title}`);
    if (desc > LIMITS.description) problems.push(`description ${desc}`);
    if (foot > LIMITS.footer) problems.push(`footer ${foot}`);
    if ((e.fields?.length ?? 0) > LIMITS.fields) problems.push(`fields ${e.fields!.length}`);
    total += title + desc + foot + (e.author?.name.length ?? 0);
    for (const f of e.fields ?? []) {
      if (f.name.length > LIMITS.fieldName) problems.push(`field name ${f.name.length}`);
      if (f.value.length > LIMITS.fieldValue) problems.push(`field value ${f.value.length}`);
      total += f.name.length + f.value.length;
    }
  }
  if (total > LIMITS.totalEmbeds) problems.push(`embeds total ${total}`);
  if (p.components.length > LIMITS.rows) problems.push(`rows ${p.components.length}`);
  for (const row of p.components) {
    if (row.components.length > LIMITS.buttonsPerRow) problems.push(`buttons ${row.components.length}`);
    for (const b of row.components) {
      if ('custom_id' in b && b.custom_id.length > LIMITS.customId) problems.push(`custom id ${b.custom_id.length}`);
      if ('label' in b && (b.label?.length ?? 0) > LIMITS.buttonLabel) problems.push(`label ${b.label!.length}`);
    }
  }
  return problems;
}
