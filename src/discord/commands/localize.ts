import { ApplicationCommandType, type LocalizationMap } from 'discord.js';

/** The English localisation of a name or description, for clients set to English. */
export function english(text: string): LocalizationMap {
  return { 'en-US': text, 'en-GB': text };
}

/** What every slash command registers alike: French name and description, the English description, no DMs. */
export function slashCommand(texts: { name: string; description: string; descriptionEn: string }) {
  return {
    type: ApplicationCommandType.ChatInput as const,
    name: texts.name,
    description: texts.description,
    description_localizations: english(texts.descriptionEn),
    dm_permission: false,
  };
}
