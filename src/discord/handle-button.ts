import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { answerInteraction, renderFor, replyNotice } from './answer-interaction.js';
import type { BotContext, Outcome } from './bot-context.js';
import { decodeButton } from './button-state.js';
import { appendFeedback, hashUserId } from './feedback-log.js';
import { fr } from './messages-fr.js';
import { renderPassageMessage } from './render-message.js';
import { handleBriefButton, isBriefButton } from './commands/brief-command.js';

/** "Plus de sources", "Passage complet", 👍/👎 and "Publier". */
export async function handleButton(ctx: BotContext, interaction: ButtonInteraction): Promise<Outcome & { command: string }> {
  if (isBriefButton(interaction.customId)) return handleBriefButton(ctx, interaction);
  const action = decodeButton(interaction.customId);
  const state = action && ctx.states.get(action.key);
  if (!action || !state) {
    await replyNotice(interaction, fr.expired);
    return { command: 'button', outcome: 'refused', reason: 'expired' };
  }
  switch (action.action) {
    case 'more': {
      const { message: _m, answer: _a, ...outcome } = await answerInteraction(ctx, interaction, {
        command: state.command,
        question: state.question,
        filters: state.filters,
        offset: state.offset + state.chunkIds.length,
        ephemeral: state.ephemeral,
      });
      return { command: 'button:more', ...outcome };
    }
    case 'full': {
      const chunkId = state.chunkIds[action.index];
      const passage = chunkId === undefined ? undefined : ctx.sourcier.passage(chunkId);
      if (!passage) {
        await replyNotice(interaction, fr.passageGone);
        return { command: 'button:full', outcome: 'refused', reason: 'passage gone' };
      }
      await interaction.reply({ ...renderPassageMessage(passage), flags: MessageFlags.Ephemeral });
      return { command: 'button:full', outcome: 'done', chunkIds: [chunkId!] };
    }
    case 'feedback': {
      await appendFeedback(ctx.config.feedbackFile, {
        time: new Date().toISOString(),
        verdict: action.verdict,
        command: state.command,
        question: state.question,
        chunkIds: state.chunkIds,
        userHash: hashUserId(interaction.user.id),
        ...(interaction.guildId ? { guildId: interaction.guildId } : {}),
      });
      await replyNotice(interaction, fr.feedbackThanks(action.verdict === 'up'));
      return { command: `button:${action.verdict}`, outcome: 'done', chunkIds: state.chunkIds };
    }
    case 'publish': {
      if (!state.answer) {
        await replyNotice(interaction, fr.expired);
        return { command: 'button:publish', outcome: 'refused', reason: 'no answer kept' };
      }
      // A public reply to the button posts the excerpts in the channel, with their own buttons.
      const payload = renderFor(ctx, state.answer, { ...state, ephemeral: false }, false);
      await interaction.reply(payload);
      return { command: 'button:publish', outcome: 'done', chunkIds: state.chunkIds };
    }
  }
}
