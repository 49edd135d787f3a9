import { ApplicationCommandType } from 'discord.js';
import type { BotCommand } from '../bot-context.js';
import { commandTexts } from '../messages-fr.js';
import { renderSourcesMessage } from '../render-message.js';
import { english } from './localize.js';

const t = commandTexts.sources;

/** `/sources` — corpus summary; stats() is in memory, so it answers directly without deferring. */
export const sourcesCommand: BotCommand = {
  data: {
    type: ApplicationCommandType.ChatInput,
    name: t.name,
    description: t.description,
    description_localizations: english(t.descriptionEn),
    dm_permission: false,
  },
  async execute(ctx, interaction) {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    await interaction.reply(renderSourcesMessage(ctx.sourcier.stats()));
    return { outcome: 'done' };
  },
};
