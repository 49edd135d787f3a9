import { REST, Routes } from 'discord.js';
import { AppError } from '../core/app-error.js';
import type { BotCommand } from './bot-context.js';
import { botCommands } from './commands/command-registry.js';
import { redactSecrets } from './redact-secrets.js';

export interface DeployCommandsOptions {
  token: string;
  applicationId: string;
  /** Development guild: commands appear there at once. Absent: global commands (Discord may take a while to show them). */
  guildId?: string;
  /** REST base URL without version (default https://discord.com/api). */
  apiUrl?: string;
  /** Commands to register (default: the registry). */
  commands?: readonly BotCommand[];
}

export interface DeployCommandsResult {
  scope: 'guild' | 'global';
  names: string[];
}

/** Registers the commands (bulk overwrite: removed commands disappear too). Throws DISCORD_FATAL on refusal. */
export async function deployCommands(options: DeployCommandsOptions): Promise<DeployCommandsResult> {
  const commands = options.commands ?? botCommands;
  const rest = new REST({ version: '10', ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  try {
    const saved = (await rest.put(route, { body: commands.map((c) => c.data) })) as Array<{ name: string }>;
    return { scope: options.guildId ? 'guild' : 'global', names: saved.map((c) => c.name) };
  } catch (error) {
    const message = redactSecrets(error instanceof Error ? error.message : String(error), [options.token]);
    throw new AppError(
      'DISCORD_FATAL',
      `Discord refused the command registration (${message}); check DISCORD_TOKEN, DISCORD_APPLICATION_ID and that the bot is in guild ${options.guildId ?? '(global)'}.`,
      { cause: new Error(message) },
    );
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
