import { ApplicationCommandOptionType } from 'discord.js';
import { answerInteraction } from '../answer-interaction.js';
import type { BotCommand } from '../bot-context.js';
import { commandTexts } from '../messages-fr.js';
import { english, slashCommand } from './localize.js';

const t = commandTexts.quote;

/** `/quote text:` (shown as `texte` to French clients; Discord always sends the base name) — where a sentence appears in the corpus, verbatim with sources. */
export const quoteCommand: BotCommand = {
  data: {
    ...slashCommand(t),
    options: [
      { type: ApplicationCommandOptionType.String, name: t.text[0], name_localizations: { fr: t.textFr }, description: t.text[1], description_localizations: english(t.text[2]), required: true, max_length: 1000 },
    ],
  },
  async execute(ctx, interaction) {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const text = interaction.options.getString(t.text[0], true);
    const { message: _m, answer: _a, ...outcome } = await answerInteraction(ctx, interaction, {
      command: 'quote',
      question: text,
      filters: {},
      offset: 0,
      ephemeral: false,
    });
    return outcome;
  },
};
