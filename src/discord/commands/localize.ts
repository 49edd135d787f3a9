import type { LocalizationMap } from 'discord.js';

/** The English localisation of a name or description, for clients set to English. */
export function english(text: string): LocalizationMap {
  return { 'en-US': text, 'en-GB': text };
}
