import type { BotCommand } from '../bot-context.js';
import { commandTexts } from '../messages-fr.js';
import { renderSourcesMessage } from '../render-message.js';
import { slashCommand } from './localize.js';

const t = commandTexts.sources;

/** `/sources` — corpus summary; stats() is in memory, so it answers directly without deferring. */
export const sourcesCommand: BotCommand = {
  data: {
    ...slashCommand(t),
  },
  async execute(ctx, interaction) {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    await interaction.reply(renderSourcesMessage(ctx.sourcier.stats()));
    return { outcome: 'done' };
  },
};
