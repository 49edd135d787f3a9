import { Routes, type Message } from 'discord.js';
import { isAppError } from '../core/app-error.js';
import { askCore, PAGE_SIZE, renderFor } from './answer-interaction.js';
import { accessRefusal, memberRoleIds, rateRefusal, type BotContext, type Outcome } from './bot-context.js';
import { fr } from './messages-fr.js';
import { renderNotice, toRestBody, type MessagePayload } from './render-message.js';

/**
 * A message that mentions the bot, or any message in a thread the bot opened, is a question. Replies go through
 * REST with a message reference, so they work for threads discord.js has not cached.
 */
export async function handleMessage(ctx: BotContext, message: Message): Promise<(Outcome & { command: string }) | undefined> {
  const botId = ctx.client.user?.id;
  if (!botId || message.author.bot || message.system || !message.inGuild()) return undefined;
  const mentionPattern = new RegExp(`<@!?${botId}>`, 'g');
  const mentioned = mentionPattern.test(message.content) || message.mentions.users.has(botId);
  const channel = message.channel;
  const inBotThread = ctx.botThreads.has(message.channelId) || (channel.isThread() && channel.ownerId === botId);
  if (!mentioned && !inBotThread) return undefined;

  const command = mentioned ? 'mention' : 'thread';
  const reply = (payload: MessagePayload) =>
    ctx.client.rest.post(Routes.channelMessages(message.channelId), {
      body: { ...toRestBody(payload), message_reference: { message_id: message.id, fail_if_not_exists: false } },
    });

  const refusal = accessRefusal(ctx.config, {
    guildId: message.guildId,
    channelId: message.channelId,
    parentId: channel.isThread() ? channel.parentId : null,
    roleIds: memberRoleIds(message.member),
  });
  // Outside the allow-lists the bot stays silent: a public refusal in someone else's channel would be noise.
  if (refusal) return { command, outcome: 'refused', reason: 'not allowed' };

  const question = message.content.replace(mentionPattern, ' ').replace(/\s+/g, ' ').trim();
  const base = { command, questionChars: question.length };
  if (question.length === 0) {
    // A thread message with no readable text: without the Message Content intent Discord sends it empty.
    if (!mentioned) return { ...base, outcome: 'refused', reason: 'no content' };
    await reply(renderNotice(fr.empty));
    return { ...base, outcome: 'refused', reason: 'empty' };
  }
  if (question.length > ctx.config.maxQuestionChars) {
    await reply(renderNotice(fr.tooLong(ctx.config.maxQuestionChars)));
    return { ...base, outcome: 'refused', reason: 'too-long' };
  }
  const limited = rateRefusal(ctx, message.author.id, message.channelId);
  if (limited) {
    await reply(renderNotice(limited));
    return { ...base, outcome: 'refused', reason: 'rate-limit' };
  }
  let ticket;
  try {
    ticket = ctx.queue.admit();
  } catch (error) {
    if (!isAppError(error, 'BUSY')) throw error;
    await reply(renderNotice(fr.busy));
    return { ...base, outcome: 'busy' };
  }
  let answer;
  try {
    answer = await ticket.run(() => askCore(ctx, 'ask', question, { filters: {}, offset: 0 }));
  } catch (error) {
    if (!isAppError(error, 'TIMEOUT')) throw error;
    await reply(renderNotice(fr.timeout));
    return { ...base, outcome: 'timeout' };
  }
  await reply(renderFor(ctx, answer, { command: 'ask', question, filters: {}, offset: 0, ephemeral: false }));
  return {
    ...base,
    outcome: answer.abstained || answer.citations.length === 0 ? 'abstained' : 'answered',
    chunkIds: answer.citations.slice(0, PAGE_SIZE).map((c) => c.chunkId),
  };
}
