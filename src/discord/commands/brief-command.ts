/**
 * `/brief topic: [depuis:] [jusqu_a:] [nouveau:]` — a team briefing: a short summary message (key points, one page of
 * the timeline, who is quoted, the chart) with the full briefing attached as Markdown and the chart as PNG; buttons
 * page through the timeline and post the briefing in a new thread. `/said personne: [sujet:]` — what a person is
 * quoted saying. Scheduled briefings (BRIEF_SCHEDULE) post the same summary in their channel.
 *
 * Button custom ids are `brief:tl:<key>:<page>` and `brief:thread:<key>`; the router hands them to handleBriefButton.
 * Every message switches pings off (allowedMentions `{ parse: [], repliedUser: false }`).
 */
import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  MessageFlags,
  Routes,
  type APIActionRowComponent,
  type APIButtonComponent,
  type ButtonInteraction,
} from 'discord.js';
import type { Briefing, BriefOptions, SaidResult, TimelineEvent } from '../../core/types.js';
import { startBriefScheduler, type BriefScheduler, type SchedulerClock } from '../../brief/brief-scheduler.js';
import type { ScheduledBrief } from '../../brief/brief-config.js';
import { buildChartSvg } from '../../brief/briefing-chart.js';
import { frenchDate, newSinceLine, renderBriefingMarkdown } from '../../brief/render-briefing.js';
import { renderChartPng } from '../../brief/render-chart-png.js';
import { replyNotice, runQueued } from '../answer-interaction.js';
import { rateRefusal, type BotCommand, type BotContext, type Outcome } from '../bot-context.js';
import { blockQuote, escapeMarkdown, neutraliseMentions, safeCut, stripInvisible, truncateText } from '../escape-markdown.js';
import { commandTexts, fr } from '../messages-fr.js';
import { LIMITS, NO_MENTIONS, renderNotice, sourceLine, toRestBody, type MessagePayload } from '../render-message.js';
import { english, slashCommand } from './localize.js';

/** What a Discord user reads of briefings, in French (English for command descriptions). */
export const briefTexts = {
  brief: {
    name: 'brief',
    description: 'Briefing sur un sujet : points clés, chronologie, qui a dit quoi, sources',
    descriptionEn: 'Briefing on a topic: key points, timeline, who said what, sources',
    topic: ['topic', 'Le sujet du briefing', 'The topic of the briefing'],
    topicFr: 'sujet',
    since: ['depuis', 'Date de début (AAAA-MM-JJ, AAAA-MM ou AAAA)', 'Start date (YYYY-MM-DD, YYYY-MM or YYYY)'],
    until: ['jusqu_a', 'Date de fin (AAAA-MM-JJ, AAAA-MM ou AAAA)', 'End date (YYYY-MM-DD, YYYY-MM or YYYY)'],
    newOnly: ['nouveau', 'Seulement ce qui est nouveau depuis le dernier briefing ici', 'Only what is new since the last briefing here'],
  },
  said: {
    name: 'said',
    description: 'Les citations attribuées à une personne, mot pour mot',
    descriptionEn: 'Quotations attributed to a person, verbatim',
    person: ['personne', 'Nom de la personne (ou son nom de famille)', 'The person’s name (or last name)'],
    topic: ['sujet', 'Seulement sur ce sujet', 'Only on this topic'],
  },
  yes: 'oui',
  no: 'non',
  unavailable: 'Les briefings ne sont pas disponibles sur ce serveur Sourcier.',
  title: (topic: string) => `Briefing : ${topic}`,
  keyPoints: 'Points clés',
  timeline: (page: number, pages: number) => `Chronologie${pages > 1 ? ` (${page + 1}/${pages})` : ''}`,
  whoSaid: 'Qui a dit quoi',
  quotes: (n: number) => `${n} citation${n > 1 ? 's' : ''}`,
  noArticles: 'Aucun article du corpus ne traite de ce sujet.',
  nothingNew: 'Aucun article nouveau sur ce sujet.',
  footer: (articles: number, mode: 'hybrid' | 'lexical') =>
    `Sourcier · ${articles} article${articles > 1 ? 's' : ''} · ${mode === 'hybrid' ? 'hybride' : 'lexical'} · extraits cités à l’identique · briefing complet en pièce jointe`,
  previous: '◀ Chronologie',
  next: 'Chronologie ▶',
  thread: 'Publier dans un fil',
  threadName: (topic: string) => `Briefing : ${topic}`,
  threadDone: 'Briefing publié dans un fil.',
  threadFailed: 'Impossible d’ouvrir un fil ici (permissions ?).',
  saidTitle: (person: string) => `Citations de ${person}`,
  saidNone: (person: string) => `Aucune citation attribuée à ${person} dans le corpus.`,
  saidHeader: (n: number, names: string) => `${n} citation${n > 1 ? 's' : ''} attribuée${n > 1 ? 's' : ''} à ${names}, mot pour mot`,
} as const;

const t = briefTexts.brief;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
/** Timeline events per page of the summary. */
export const EVENTS_PER_PAGE = 4;
const KEY_POINTS_SHOWN = 3;
const BLUE = 0x2b6cb0;
const GREY = 0x718096;
const PNG_NAME = 'briefing.png';
const MD_NAME = 'briefing.md';

/** A briefing kept for its buttons. */
interface BriefState {
  briefing: Briefing;
  expires: number;
}
const STATE_TTL_MS = 6 * 3_600_000;
const STATE_MAX = 200;
/** Per bot context, so two bots (tests) never share buttons; dropped with the context. */
const statesByContext = new WeakMap<BotContext, Map<string, BriefState>>();

function states(ctx: BotContext): Map<string, BriefState> {
  let map = statesByContext.get(ctx);
  if (!map) {
    map = new Map();
    statesByContext.set(ctx, map);
  }
  return map;
}

function putState(ctx: BotContext, briefing: Briefing): string {
  const map = states(ctx);
  const key = randomBytes(8).readBigUInt64BE().toString(36).slice(0, 10);
  map.set(key, { briefing, expires: Date.now() + STATE_TTL_MS });
  while (map.size > STATE_MAX) map.delete(map.keys().next().value!);
  return key;
}

function getState(ctx: BotContext, key: string): BriefState | undefined {
  const map = states(ctx);
  const s = map.get(key);
  if (s && s.expires < Date.now()) {
    map.delete(key);
    return undefined;
  }
  return s;
}

export type BriefButton = { action: 'timeline'; key: string; page: number } | { action: 'thread'; key: string };

export function encodeBriefButton(b: BriefButton): string {
  return b.action === 'timeline' ? `brief:tl:${b.key}:${b.page}` : `brief:thread:${b.key}`;
}

/** Whether a button's custom id belongs to briefings (for the button router). */
export function isBriefButton(customId: string): boolean {
  return customId.startsWith('brief:');
}

export function decodeBriefButton(customId: string): BriefButton | undefined {
  const [prefix, action, key, arg] = customId.split(':');
  if (prefix !== 'brief' || !key || !/^[a-z0-9]{1,16}$/.test(key)) return undefined;
  if (action === 'tl' && arg && /^\d{1,3}$/.test(arg)) return { action: 'timeline', key, page: Number(arg) };
  if (action === 'thread' && arg === undefined) return { action: 'thread', key };
  return undefined;
}

/** A verbatim excerpt, escaped and block-quoted, cut (with "…") to fit `max` characters. */
function quoteBlock(excerpt: string, max: number): string {
  const escaped = escapeMarkdown(excerpt).replace(/\n+/g, '\n');
  let budget = max;
  for (;;) {
    const q = blockQuote(truncateText(escaped, budget));
    if (q.length <= max || budget <= 10) return q.length <= max ? q : '';
    budget -= q.length - max;
  }
}

function pagesOf(b: Briefing): number {
  return Math.max(1, Math.ceil(b.timeline.length / EVENTS_PER_PAGE));
}

function eventLine(e: TimelineEvent, room: number): string {
  const when = `**${escapeMarkdown(frenchDate(e.when), 'space')}**${e.whenFrom === 'publication' ? ' (publication)' : ''}`;
  const source = `— ${sourceLine(e)}`;
  return `${when}\n${quoteBlock(e.excerpt, Math.max(40, room - when.length - source.length - 2))}\n${source}`;
}

/**
 * The summary message: status ("Nouveau depuis…"), the first key points, one page of the timeline, the speakers
 * quoted, the chart image; buttons when `key` is given. Always within Discord's limits.
 */
export function renderBriefSummary(b: Briefing, options: { page?: number; key?: string; chart?: boolean } = {}): MessagePayload {
  const pages = pagesOf(b);
  const page = Math.min(Math.max(0, options.page ?? 0), pages - 1);
  const title = truncateText(escapeMarkdown(briefTexts.title(b.topic), 'space'), LIMITS.title);
  const footer = { text: truncateText(briefTexts.footer(b.sources.length, b.mode), LIMITS.footer) };
  const head: string[] = [];
  const since = newSinceLine(b);
  if (since) head.push(`*${escapeMarkdown(since, 'space')}*`);
  if (b.sources.length === 0) {
    head.push(b.nothingNew ? briefTexts.nothingNew : briefTexts.noArticles);
    return { embeds: [{ title, description: truncateText(head.join('\n'), LIMITS.description), color: GREY, footer }], components: [], allowedMentions: NO_MENTIONS };
  }
  // Budget of the description (4096): about 40% key points, 45% timeline page, the rest speakers and status.
  const sections: string[] = [...head];
  const points = b.keyPoints.slice(0, KEY_POINTS_SHOWN);
  if (points.length > 0) {
    const room = Math.floor(1600 / points.length);
    sections.push(
      `**${briefTexts.keyPoints}**\n${points
        .map((p) => {
          const source = `— ${sourceLine(p)}`;
          return `${quoteBlock(p.excerpt, Math.max(40, room - source.length - 1))}\n${source}`;
        })
        .join('\n')}`,
    );
  }
  const events = b.timeline.slice(page * EVENTS_PER_PAGE, (page + 1) * EVENTS_PER_PAGE);
  if (events.length > 0) {
    const room = Math.floor(1800 / events.length);
    sections.push(`**${briefTexts.timeline(page, pages)}**\n${events.map((e) => eventLine(e, room)).join('\n')}`);
  }
  if (b.speakers.length > 0) {
    const names = b.speakers.slice(0, 8).map((s) => `${escapeMarkdown(s.speaker, 'space')} (${briefTexts.quotes(s.quotes.length)})`);
    sections.push(`**${briefTexts.whoSaid}**\n${truncateText(names.join(' · '), 500)}`);
  }
  const description = truncateText(sections.join('\n\n'), LIMITS.description);
  const components: Array<APIActionRowComponent<APIButtonComponent>> = [];
  if (options.key) {
    const row: APIButtonComponent[] = [];
    if (pages > 1) {
      row.push(button(encodeBriefButton({ action: 'timeline', key: options.key, page: Math.max(0, page - 1) }), briefTexts.previous, page === 0));
      row.push(button(encodeBriefButton({ action: 'timeline', key: options.key, page: Math.min(pages - 1, page + 1) }), briefTexts.next, page >= pages - 1));
    }
    row.push({ type: 2, style: 1, custom_id: encodeBriefButton({ action: 'thread', key: options.key }), label: briefTexts.thread });
    components.push({ type: 1, components: row });
  }
  return {
    embeds: [{ title, description, color: BLUE, footer, ...(options.chart === false ? {} : { image: { url: `attachment://${PNG_NAME}` } }) }],
    components,
    allowedMentions: NO_MENTIONS,
  };
}

function button(customId: string, label: string, disabled: boolean): APIButtonComponent {
  return { type: 2, style: 2, custom_id: customId, label, disabled };
}

/**
 * The full briefing as Discord messages (each under 2000 characters), for the thread: key points, timeline, who
 * said what, sources. Excerpts are escaped and block-quoted, so they read verbatim and cannot ping or format.
 */
export function renderBriefThreadMessages(b: Briefing, maxMessages = 12): string[] {
  const blocks: string[] = [];
  const since = newSinceLine(b);
  blocks.push(`**${escapeMarkdown(briefTexts.title(b.topic), 'space')}**${since ? `\n*${escapeMarkdown(since, 'space')}*` : ''}`);
  const entry = (label: string, excerpt: string, source: string) => `${label}\n${quoteBlock(excerpt, 1400)}\n— ${source}`;
  if (b.keyPoints.length > 0) {
    blocks.push(`__**${briefTexts.keyPoints}**__`);
    b.keyPoints.forEach((p, i) => blocks.push(entry(`**[${i + 1}]**`, p.excerpt, sourceLine(p))));
  }
  if (b.timeline.length > 0) {
    blocks.push(`__**${briefTexts.timeline(0, 1)}**__`);
    for (const e of b.timeline) blocks.push(entry(`**${escapeMarkdown(frenchDate(e.when), 'space')}**`, e.excerpt, sourceLine(e)));
  }
  if (b.speakers.length > 0) {
    blocks.push(`__**${briefTexts.whoSaid}**__`);
    for (const s of b.speakers) for (const q of s.quotes) blocks.push(entry(`**${escapeMarkdown(s.speaker, 'space')}**`, q.excerpt, sourceLine(q)));
  }
  if (b.sources.length > 0) {
    blocks.push(`__**Sources**__\n${b.sources.map((s, i) => `${i + 1}. ${sourceLine(s)}`).join('\n')}`);
  }
  const messages: string[] = [];
  let current = '';
  for (const raw of blocks) {
    const block = truncateText(raw, LIMITS.content);
    if (current && current.length + 2 + block.length > LIMITS.content) {
      messages.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${block}` : block;
  }
  if (current) messages.push(current);
  return messages.slice(0, maxMessages);
}

/** The files attached to a summary: the Markdown briefing and the chart. */
export async function briefFiles(b: Briefing): Promise<Array<{ name: string; data: Buffer }>> {
  const png = await renderChartPng(buildChartSvg(b.chart, { title: briefTexts.title(b.topic) }));
  return [
    { name: MD_NAME, data: Buffer.from(renderBriefingMarkdown(b), 'utf8') },
    { name: PNG_NAME, data: png },
  ];
}

function dateOption(value: string | null): string | undefined {
  return value === null ? undefined : value.trim();
}

export const briefCommand: BotCommand = {
  data: {
    ...slashCommand(t),
    options: [
      { type: ApplicationCommandOptionType.String, name: t.topic[0], name_localizations: { fr: t.topicFr }, description: t.topic[1], description_localizations: english(t.topic[2]), required: true, max_length: 200 },
      { type: ApplicationCommandOptionType.String, name: t.since[0], description: t.since[1], description_localizations: english(t.since[2]), max_length: 10 },
      { type: ApplicationCommandOptionType.String, name: t.until[0], description: t.until[1], description_localizations: english(t.until[2]), max_length: 10 },
      {
        type: ApplicationCommandOptionType.String,
        name: t.newOnly[0],
        description: t.newOnly[1],
        description_localizations: english(t.newOnly[2]),
        choices: [
          { name: briefTexts.yes, value: 'oui' },
          { name: briefTexts.no, value: 'non' },
        ],
      },
    ],
  },

  async execute(ctx, interaction): Promise<Outcome> {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const topic = interaction.options.getString(t.topic[0], true).trim();
    const since = dateOption(interaction.options.getString(t.since[0]));
    const until = dateOption(interaction.options.getString(t.until[0]));
    const newOnly = interaction.options.getString(t.newOnly[0]) === 'oui';
    const base = { questionChars: topic.length };
    if (topic === '') {
      await replyNotice(interaction, fr.empty);
      return { ...base, outcome: 'refused', reason: 'empty' };
    }
    for (const date of [since, until]) {
      if (date !== undefined && !DATE.test(date)) {
        await replyNotice(interaction, commandTexts.badDate(date));
        return { ...base, outcome: 'refused', reason: 'bad date' };
      }
    }
    const sourcier = ctx.sourcier;
    if (!sourcier.brief) {
      await replyNotice(interaction, briefTexts.unavailable);
      return { ...base, outcome: 'refused', reason: 'no briefings' };
    }
    const limited = rateRefusal(ctx, interaction.user.id, interaction.channelId);
    if (limited) {
      await replyNotice(interaction, limited);
      return { ...base, outcome: 'refused', reason: 'rate-limit' };
    }
    const options: BriefOptions = { channel: interaction.channelId, ...(since ? { since } : {}), ...(until ? { until } : {}), ...(newOnly ? { newOnly } : {}) };
    const result = await runQueued(ctx, interaction, async () => {
      const briefing = await sourcier.brief!(topic, options);
      return { briefing, files: briefing.sources.length > 0 ? await briefFiles(briefing) : [] };
    });
    if (result === 'busy') return { ...base, outcome: 'busy' };
    if (result === 'timeout') return { ...base, outcome: 'timeout' };
    const { briefing, files } = result;
    const key = briefing.sources.length > 0 ? putState(ctx, briefing) : undefined;
    const payload = renderBriefSummary(briefing, { key, chart: files.length > 0 });
    await interaction.editReply({ ...payload, files: files.map((f) => ({ attachment: f.data, name: f.name })) });
    return {
      ...base,
      outcome: briefing.sources.length > 0 ? 'answered' : 'abstained',
      chunkIds: briefing.keyPoints.map((p) => `${p.articleId}@${p.start}`),
    };
  },
};

/** "◀ Chronologie" / "Chronologie ▶" (edit the summary in place) and "Publier dans un fil". */
export async function handleBriefButton(ctx: BotContext, interaction: ButtonInteraction): Promise<Outcome & { command: string }> {
  const action = decodeBriefButton(interaction.customId);
  const state = action && getState(ctx, action.key);
  if (!action || !state) {
    await replyNotice(interaction, fr.expired);
    return { command: 'button:brief', outcome: 'refused', reason: 'expired' };
  }
  if (action.action === 'timeline') {
    // Attachments stay on the message; only the embed and the buttons change.
    await interaction.update(renderBriefSummary(state.briefing, { page: action.page, key: action.key }));
    return { command: 'button:brief-timeline', outcome: 'done' };
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const threadId = await postInThread(ctx, interaction.channelId, interaction.message.id, state.briefing);
  await interaction.editReply(renderNotice(threadId ? briefTexts.threadDone : briefTexts.threadFailed));
  return { command: 'button:brief-thread', outcome: threadId ? 'done' : 'error' };
}

/** Opens a thread under the summary and posts the full briefing there; undefined when Discord refused. */
async function postInThread(ctx: BotContext, channelId: string, messageId: string, b: Briefing): Promise<string | undefined> {
  try {
    const clean = neutraliseMentions(stripInvisible(briefTexts.threadName(b.topic))).replace(/\s+/g, ' ').trim();
    const thread = (await ctx.client.rest.post(Routes.threads(channelId, messageId), {
      body: { name: clean.slice(0, safeCut(clean, 90)) || 'Briefing', auto_archive_duration: 1440 },
    })) as { id: string };
    ctx.botThreads.add(thread.id);
    for (const content of renderBriefThreadMessages(b)) {
      await ctx.client.rest.post(Routes.channelMessages(thread.id), { body: toRestBody({ content, embeds: [], components: [], allowedMentions: NO_MENTIONS }) });
    }
    return thread.id;
  } catch (error) {
    ctx.logger.warn('could not post the briefing in a thread', { channelId, messageId, error });
    return undefined;
  }
}

/** `/said personne: [sujet:]` — quotations attributed to a person, verbatim with sources. */
export const saidCommand: BotCommand = {
  data: {
    ...slashCommand(briefTexts.said),
    options: [
      { type: ApplicationCommandOptionType.String, name: briefTexts.said.person[0], description: briefTexts.said.person[1], description_localizations: english(briefTexts.said.person[2]), required: true, max_length: 100 },
      { type: ApplicationCommandOptionType.String, name: briefTexts.said.topic[0], description: briefTexts.said.topic[1], description_localizations: english(briefTexts.said.topic[2]), max_length: 200 },
    ],
  },
  async execute(ctx, interaction): Promise<Outcome> {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const person = interaction.options.getString(briefTexts.said.person[0], true).trim();
    const topic = interaction.options.getString(briefTexts.said.topic[0])?.trim() || undefined;
    const base = { questionChars: person.length };
    const sourcier = ctx.sourcier;
    if (!sourcier.said) {
      await replyNotice(interaction, briefTexts.unavailable);
      return { ...base, outcome: 'refused', reason: 'no said' };
    }
    if (person === '') {
      await replyNotice(interaction, fr.empty);
      return { ...base, outcome: 'refused', reason: 'empty' };
    }
    const limited = rateRefusal(ctx, interaction.user.id, interaction.channelId);
    if (limited) {
      await replyNotice(interaction, limited);
      return { ...base, outcome: 'refused', reason: 'rate-limit' };
    }
    const result = await runQueued(ctx, interaction, () => sourcier.said!(person, { ...(topic ? { topic } : {}), limit: 5 }));
    if (result === 'busy') return { ...base, outcome: 'busy' };
    if (result === 'timeout') return { ...base, outcome: 'timeout' };
    await interaction.editReply(renderSaidMessage(person, result));
    return { ...base, outcome: result.quotes.length > 0 ? 'answered' : 'abstained', chunkIds: result.quotes.map((q) => `${q.articleId}@${q.start}`) };
  },
};

/** The answer of /said: numbered verbatim statements with their sources. */
export function renderSaidMessage(person: string, r: SaidResult): MessagePayload {
  const title = truncateText(escapeMarkdown(briefTexts.saidTitle(person), 'space'), LIMITS.title);
  if (r.quotes.length === 0) {
    return { embeds: [{ title, description: escapeMarkdown(briefTexts.saidNone(person), 'space'), color: GREY }], components: [], allowedMentions: NO_MENTIONS };
  }
  const quotes = r.quotes.slice(0, 5);
  const head = `**${escapeMarkdown(briefTexts.saidHeader(r.quotes.length, r.matchedSpeakers.join(', ') || person), 'space')}**`;
  const room = Math.floor((LIMITS.description - head.length - 20) / quotes.length);
  const parts = quotes.map((q, i) => {
    const source = `— ${sourceLine(q)}`;
    return `**[${i + 1}]**\n${quoteBlock(q.excerpt, Math.max(40, room - source.length - 10))}\n${source}`;
  });
  return {
    embeds: [{ title, description: truncateText([head, ...parts].join('\n\n'), LIMITS.description), color: BLUE }],
    components: [],
    allowedMentions: NO_MENTIONS,
  };
}

/**
 * Starts the scheduled briefings (BRIEF_SCHEDULE): each posts "what is new" on its topic in its channel, keyed by that
 * channel, so a daily briefing shows what appeared since the day before. Returns the scheduler (stop it on shutdown).
 */
export function startScheduledBriefings(ctx: BotContext, entries: readonly ScheduledBrief[], options: { clock?: SchedulerClock } = {}): BriefScheduler {
  return startBriefScheduler(
    entries,
    async (entry) => {
      if (!ctx.sourcier.brief) return;
      const briefing = await ctx.sourcier.brief(entry.topic, { channel: entry.channelId, newOnly: true });
      const files = briefing.sources.length > 0 ? await briefFiles(briefing) : [];
      const key = briefing.sources.length > 0 ? putState(ctx, briefing) : undefined;
      const payload = renderBriefSummary(briefing, { key, chart: files.length > 0 });
      await ctx.client.rest.post(Routes.channelMessages(entry.channelId), {
        body: { ...toRestBody(payload), ...(files.length > 0 ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {}) },
        files: files.map((f) => ({ name: f.name, data: f.data })),
      });
      ctx.logger.info('scheduled briefing posted', { channelId: entry.channelId, topic: entry.topic, articles: briefing.sources.length });
    },
    { ...(options.clock ? { clock: options.clock } : {}), logger: ctx.logger },
  );
}
