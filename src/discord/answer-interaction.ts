import { MessageFlags, Routes, type Interaction, type Message, type RepliableInteraction } from 'discord.js';
import { isAppError } from '../core/app-error.js';
import type { Answer } from '../core/types.js';
import { accessRefusal, memberRoleIds, rateRefusal, type BotContext, type Outcome } from './bot-context.js';
import type { AnswerState } from './button-state.js';
import { neutraliseMentions, safeCut, stripInvisible } from './escape-markdown.js';
import { fr } from './messages-fr.js';
import { NO_MENTIONS, renderAnswerMessage, renderNotice, type MessagePayload } from './render-message.js';

/** Citations per page. */
export const PAGE_SIZE = 3;

export interface QuestionRequest {
  command: AnswerState['command'];
  question: string;
  filters: AnswerState['filters'];
  /** Passages already shown ("Plus de sources"). */
  offset: number;
  ephemeral: boolean;
}

/** Sends a short refusal or notice as an ephemeral reply (or edits the deferred one). */
export async function replyNotice(interaction: RepliableInteraction, text: string, ephemeral = true): Promise<void> {
  const payload = renderNotice(text);
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply({ ...payload, allowedMentions: NO_MENTIONS });
  } else {
    await interaction.reply({ ...payload, allowedMentions: NO_MENTIONS, ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  }
}

/** Allow-lists for any interaction; returns the refusal sent, if any. */
export async function refuseIfNotAllowed(ctx: BotContext, interaction: Interaction & RepliableInteraction): Promise<string | undefined> {
  const channel = interaction.channel;
  const refusal = accessRefusal(ctx.config, {
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    parentId: channel && 'parentId' in channel ? channel.parentId : null,
    roleIds: memberRoleIds(interaction.member),
  });
  if (refusal) await replyNotice(interaction, refusal);
  return refusal;
}

/**
 * The question flow shared by /ask, /quote, the context menu and "Plus de sources": checks length and rate limits,
 * takes a place in the queue (or says "occupé") BEFORE deferring, defers within Discord's deadline, asks the core,
 * and edits the deferred reply with the rendered answer (or the timeout message).
 */
export async function answerInteraction(
  ctx: BotContext,
  interaction: RepliableInteraction,
  req: QuestionRequest,
): Promise<Outcome & { message?: Message; answer?: Answer }> {
  const question = req.question.trim();
  const base = { questionChars: question.length };
  if (question.length === 0) {
    await replyNotice(interaction, fr.empty);
    return { ...base, outcome: 'refused', reason: 'empty' };
  }
  if (question.length > ctx.config.maxQuestionChars) {
    await replyNotice(interaction, fr.tooLong(ctx.config.maxQuestionChars));
    return { ...base, outcome: 'refused', reason: 'too-long' };
  }
  const limited = rateRefusal(ctx, interaction.user.id, interaction.channelId);
  if (limited) {
    await replyNotice(interaction, limited);
    return { ...base, outcome: 'refused', reason: 'rate-limit' };
  }
  const answer = await runQueued(ctx, interaction, () => askCore(ctx, req.command, question, req), req.ephemeral);
  if (answer === 'busy' || answer === 'timeout') return { ...base, outcome: answer };
  const payload = renderFor(ctx, answer, req);
  const message = await interaction.editReply(payload);
  return {
    ...base,
    outcome: answer.abstained || answer.citations.length === 0 ? 'abstained' : 'answered',
    chunkIds: answer.citations.map((c) => c.chunkId),
    message,
    answer,
  };
}

/** Asks the core for one page of an ask/quote/verify request. */
export function askCore(ctx: BotContext, command: AnswerState['command'], question: string, req: Pick<QuestionRequest, 'filters' | 'offset'>): Promise<Answer> {
  const options = { ...req.filters, limit: PAGE_SIZE, ...(req.offset > 0 ? { offset: req.offset } : {}) };
  return command === 'quote' ? ctx.sourcier.quote(question, options) : ctx.sourcier.ask(question, options);
}

/** Renders a page of answer and remembers the state its buttons need. */
export function renderFor(ctx: BotContext, answer: Answer, req: QuestionRequest, publish = req.command === 'verify' && req.ephemeral): MessagePayload {
  const hasCitations = !answer.abstained && answer.citations.length > 0;
  const stateKey = hasCitations || publish
    ? ctx.states.put({
        command: req.command,
        question: req.question.trim(),
        filters: req.filters,
        offset: req.offset,
        chunkIds: answer.citations.map((c) => c.chunkId),
        ephemeral: req.ephemeral,
        answer,
      })
    : undefined;
  return renderAnswerMessage(answer, {
    kind: req.command,
    stateKey,
    offset: req.offset,
    more: hasCitations && answer.citations.length >= PAGE_SIZE,
    publish: publish && hasCitations,
  });
}

/** Opens a public thread under an answer so follow-ups stay together; failures are logged, not shown. */
export async function openThread(ctx: BotContext, message: Message, question: string): Promise<string | undefined> {
  try {
    const clean = neutraliseMentions(stripInvisible(question)).replace(/\s+/g, ' ').trim();
    const name = clean.slice(0, safeCut(clean, 90)) || 'Sourcier';
    const thread = (await ctx.client.rest.post(Routes.threads(message.channelId, message.id), {
      body: { name, auto_archive_duration: 1440 },
    })) as { id: string };
    ctx.botThreads.add(thread.id);
    return thread.id;
  } catch (error) {
    ctx.logger.warn('could not open a thread under the answer', { channelId: message.channelId, messageId: message.id, error });
    return undefined;
  }
}

/**
 * Admits a job to the bounded queue (or answers "occupé" at once, within Discord's deadline), defers the reply, then
 * runs it; a job that outlives the timeout gets the timeout message instead of an eternal "réfléchit…".
 */
export async function runQueued<T>(
  ctx: BotContext,
  interaction: RepliableInteraction,
  job: () => Promise<T>,
  ephemeral = false,
): Promise<T | 'busy' | 'timeout'> {
  let ticket;
  try {
    ticket = ctx.queue.admit();
  } catch (error) {
    if (!isAppError(error, 'BUSY')) throw error;
    await replyNotice(interaction, fr.busy);
    return 'busy';
  }
  try {
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  } catch (error) {
    ticket.release();
    throw error;
  }
  try {
    return await ticket.run(job);
  } catch (error) {
    if (!isAppError(error, 'TIMEOUT')) throw error;
    await interaction.editReply(renderNotice(fr.timeout));
    return 'timeout';
  }
}
