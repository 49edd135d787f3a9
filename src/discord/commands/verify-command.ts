import { ApplicationCommandType } from 'discord.js';
import { answerInteraction } from '../answer-interaction.js';
import type { BotCommand } from '../bot-context.js';
import { safeCut } from '../escape-markdown.js';
import { commandTexts } from '../messages-fr.js';

const t = commandTexts.verify;

/**
 * Message context menu "Vérifier dans le corpus": the target message's text becomes the question; the reply is
 * ephemeral, with a "Publier" button that posts it in the channel. Interactions carry the target message's content
 * even without the Message Content intent.
 */
export const verifyCommand: BotCommand = {
  data: {
    type: ApplicationCommandType.Message,
    name: t.name,
    name_localizations: { 'en-US': t.nameEn, 'en-GB': t.nameEn },
    dm_permission: false,
  },
  async execute(ctx, interaction) {
    if (!interaction.isMessageContextMenuCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const target = interaction.targetMessage;
    const text = target.content.trim() || target.embeds.map((e) => e.description ?? '').join('\n').trim();
    // Long messages are checked on their beginning rather than refused.
    const question = text.slice(0, safeCut(text, ctx.config.maxQuestionChars));
    const { message: _m, answer: _a, ...outcome } = await answerInteraction(ctx, interaction, {
      command: 'verify',
      question,
      filters: {},
      offset: 0,
      ephemeral: true,
    });
    return outcome;
  },
};
