import type { Client, GuildMember, APIInteractionGuildMember, RESTPostAPIApplicationCommandsJSONBody, Interaction } from 'discord.js';
import type { Logger } from '../core/logger.js';
import type { Sourcier } from '../core/types.js';
import type { ButtonStateStore } from './button-state.js';
import type { DiscordConfig } from './discord-config.js';
import { fr } from './messages-fr.js';
import type { RateLimiter } from './rate-limiter.js';
import type { WorkQueue } from './work-queue.js';

/** Everything a handler needs, passed in once by startBot. */
export interface BotContext {
  client: Client;
  config: DiscordConfig;
  sourcier: Sourcier;
  logger: Logger;
  queue: WorkQueue;
  states: ButtonStateStore;
  userLimiter: RateLimiter;
  channelLimiter: RateLimiter;
  /** Threads the bot opened under its answers: messages there are follow-up questions. */
  botThreads: Set<string>;
  /** Milliseconds between progress edits of /reindex. */
  progressIntervalMs: number;
}

/** What one interaction did, for its log line. */
export interface Outcome {
  outcome: 'answered' | 'abstained' | 'refused' | 'busy' | 'timeout' | 'error' | 'done';
  questionChars?: number;
  chunkIds?: string[];
  reason?: string;
}

/**
 * One slash or context-menu command. Adding a command is one file exporting a BotCommand, plus its name in
 * command-registry.ts.
 */
export interface BotCommand {
  /** Registration body sent to Discord by deployCommands. */
  readonly data: RESTPostAPIApplicationCommandsJSONBody;
  /** Runs the command; must answer (or defer) within 3 seconds. Throwing is fine: the router replies in French. */
  execute(ctx: BotContext, interaction: Interaction): Promise<Outcome>;
  /** Fills autocomplete choices. */
  autocomplete?(ctx: BotContext, interaction: Interaction): Promise<void>;
}

/** Role ids of a member, whether discord.js built a GuildMember or passed the raw interaction member. */
export function memberRoleIds(member: GuildMember | APIInteractionGuildMember | null | undefined): string[] {
  if (!member) return [];
  const roles = member.roles as unknown;
  if (Array.isArray(roles)) return roles as string[];
  const cache = (roles as { cache?: Map<string, unknown> }).cache;
  return cache ? [...cache.keys()] : [];
}

/** The French refusal for a place or role outside the allow-lists, or undefined when allowed. */
export function accessRefusal(
  config: DiscordConfig,
  where: { guildId: string | null; channelId: string | null; parentId?: string | null; roleIds: string[] },
): string | undefined {
  if (config.allowedGuilds.length > 0 && (!where.guildId || !config.allowedGuilds.includes(where.guildId))) return fr.notAllowedHere;
  if (
    config.allowedChannels.length > 0 &&
    !config.allowedChannels.some((id) => id === where.channelId || (where.parentId != null && id === where.parentId))
  ) {
    return fr.notAllowedHere;
  }
  if (config.allowedRoles.length > 0 && !where.roleIds.some((id) => config.allowedRoles.includes(id))) return fr.notAllowedRole;
  return undefined;
}

/** The French refusal when a user or channel asks too often (records the hit otherwise). */
export function rateRefusal(ctx: BotContext, userId: string, channelId: string | null): string | undefined {
  const userWait = ctx.userLimiter.take(userId);
  if (userWait > 0) return fr.rateUser(Math.ceil(userWait / 1000));
  if (channelId) {
    const channelWait = ctx.channelLimiter.take(channelId);
    if (channelWait > 0) return fr.rateChannel(Math.ceil(channelWait / 1000));
  }
  return undefined;
}
