import { ApplicationCommandOptionType, type Interaction } from 'discord.js';
import { answerInteraction, openThread, replyNotice } from '../answer-interaction.js';
import type { BotCommand } from '../bot-context.js';
import { commandTexts } from '../messages-fr.js';
import { english, slashCommand } from './localize.js';

const t = commandTexts.ask;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** `/ask question: [source:] [depuis:] [jusqu_a:]` — verbatim, cited excerpts. */
export const askCommand: BotCommand = {
  data: {
    ...slashCommand(t),
    options: [
      { type: ApplicationCommandOptionType.String, name: t.question[0], description: t.question[1], description_localizations: english(t.question[2]), required: true, max_length: 1000 },
      { type: ApplicationCommandOptionType.String, name: t.source[0], description: t.source[1], description_localizations: english(t.source[2]), autocomplete: true },
      { type: ApplicationCommandOptionType.String, name: t.since[0], description: t.since[1], description_localizations: english(t.since[2]), max_length: 10 },
      { type: ApplicationCommandOptionType.String, name: t.until[0], description: t.until[1], description_localizations: english(t.until[2]), max_length: 10 },
    ],
  },

  async execute(ctx, interaction: Interaction) {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const question = interaction.options.getString(t.question[0], true);
    const source = interaction.options.getString(t.source[0]) ?? undefined;
    const since = interaction.options.getString(t.since[0]) ?? undefined;
    const until = interaction.options.getString(t.until[0]) ?? undefined;
    for (const date of [since, until]) {
      if (date !== undefined && !DATE.test(date.trim())) {
        await replyNotice(interaction, commandTexts.badDate(date));
        return { outcome: 'refused', reason: 'bad date', questionChars: question.length };
      }
    }
    const filters = {
      ...(source ? { source: source.trim() } : {}),
      ...(since ? { since: since.trim() } : {}),
      ...(until ? { until: until.trim() } : {}),
    };
    const result = await answerInteraction(ctx, interaction, { command: 'ask', question, filters, offset: 0, ephemeral: false });
    const inThread = interaction.channel?.isThread() ?? false;
    if (ctx.config.askThreads && result.message && result.outcome === 'answered' && !inThread) {
      await openThread(ctx, result.message, question);
    }
    const { message: _m, answer: _a, ...outcome } = result;
    return outcome;
  },

  async autocomplete(ctx, interaction) {
    if (!interaction.isAutocomplete()) return;
    const typed = fold(interaction.options.getFocused());
    const choices = ctx.sourcier
      .stats()
      .sources.filter((s) => fold(s.name).includes(typed))
      .slice(0, 25)
      .map((s) => ({ name: `${s.name} (${s.articles})`.slice(0, 100), value: s.name.slice(0, 100) }));
    await interaction.respond(choices);
  },
};

/** Case- and accent-insensitive form for matching what the user types. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
