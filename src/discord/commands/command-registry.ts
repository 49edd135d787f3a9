import type { BotCommand } from '../bot-context.js';
import { askCommand } from './ask-command.js';
import { briefCommand, saidCommand } from './brief-command.js';
import { quoteCommand } from './quote-command.js';
import { reindexCommand } from './reindex-command.js';
import { sourcesCommand } from './sources-command.js';
import { verifyCommand } from './verify-command.js';

/**
 * Every command the bot registers and serves. A new command (e.g. `/brief topic:`) is one file exporting a
 * BotCommand, listed here; deployCommands and the router pick it up from this list.
 */
export const botCommands: readonly BotCommand[] = [askCommand, quoteCommand, sourcesCommand, reindexCommand, verifyCommand, briefCommand, saidCommand];

/** Finds a command by its registered (base) name. */
export function findCommand(name: string, commands: readonly BotCommand[] = botCommands): BotCommand | undefined {
  return commands.find((c) => c.data.name === name);
}
