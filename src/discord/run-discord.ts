import { AppError } from '../core/app-error.js';
import type { Logger } from '../core/logger.js';
import type { Sourcier } from '../core/types.js';
import { deployCommands } from './deploy-commands.js';
import { parseDiscordConfig } from './discord-config.js';
import { botInviteUrl } from './invite-url.js';
import { startBot } from './start-bot.js';
import { parseBriefConfig } from '../brief/brief-config.js';

/**
 * `sourcier start` with a token: parses the Discord settings, starts the bot, and resolves when it stops (the
 * signal aborts, e.g. on SIGINT in main.ts). Rejects with DISCORD_FATAL when Discord refuses the bot for good,
 * CONFIG_INVALID on bad settings — main.ts turns both into a non-zero exit.
 */
export async function runDiscordBot(
  sourcier: Sourcier,
  env: Record<string, string | undefined>,
  logger: Logger,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const config = parseDiscordConfig(env);
  const bot = await startBot({ config, sourcier, logger, briefSchedule: parseBriefConfig(env).schedule });
  const onAbort = () => void bot.stop();
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await bot.stopped;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * `sourcier deploy-commands [--global]`: registers the commands in DISCORD_GUILD_ID (instant, for development) or
 * globally, and returns what to print (French, like the rest of the CLI output), with the invite URL.
 */
export async function deployCommandsFromEnv(
  env: Record<string, string | undefined>,
  options: { global: boolean },
  logger: Logger,
): Promise<string> {
  const config = parseDiscordConfig(env);
  if (!config.applicationId) {
    throw new AppError(
      'CONFIG_INVALID',
      'Invalid setting. DISCORD_APPLICATION_ID is not set; copy the Application ID from the Discord developer portal (General Information) into .env.',
    );
  }
  const guildId = options.global ? undefined : config.guildId;
  const result = await deployCommands({ token: config.token, applicationId: config.applicationId, guildId, apiUrl: config.apiUrl });
  logger.info('discord commands deployed', { scope: result.scope, guildId, names: result.names });
  const where =
    result.scope === 'guild'
      ? `sur le serveur ${guildId} (visibles tout de suite)`
      : 'globalement (Discord peut mettre jusqu’à une heure à les afficher)';
  return [
    `${result.names.length} commandes enregistrées ${where} : ${result.names.join(', ')}.`,
    `Inviter le bot : ${botInviteUrl(config.applicationId, { threads: config.askThreads })}`,
  ].join('\n');
}
