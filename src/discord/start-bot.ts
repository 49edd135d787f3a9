import { Client, Events, GatewayIntentBits, MessageFlags, Routes, type Interaction, type Message } from 'discord.js';
import type { ScheduledBrief } from '../brief/brief-config.js';
import { startScheduledBriefings } from './commands/brief-command.js';
import { AppError, isAppError } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Sourcier } from '../core/types.js';
import { refuseIfNotAllowed } from './answer-interaction.js';
import type { BotCommand, BotContext, Outcome } from './bot-context.js';
import { ButtonStateStore } from './button-state.js';
import { botCommands } from './commands/command-registry.js';
import type { DiscordConfig } from './discord-config.js';
import { hashUserId } from './feedback-log.js';
import { handleButton } from './handle-button.js';
import { handleMessage } from './handle-message.js';
import { errorSentence, fr } from './messages-fr.js';
import { RateLimiter } from './rate-limiter.js';
import { redactingLogger, redactSecrets } from './redact-secrets.js';
import { NO_MENTIONS, renderNotice, toRestBody } from './render-message.js';
import { WorkQueue } from './work-queue.js';

export interface StartBotOptions {
  config: DiscordConfig;
  sourcier: Sourcier;
  /** Receives one structured line per interaction, plus connection events; secrets are redacted first. */
  logger?: Logger;
  /** Commands served (default: every command in the registry). */
  commands?: readonly BotCommand[];
  /** Milliseconds between progress edits of /reindex (default 3000). */
  progressIntervalMs?: number;
  /** Milliseconds to wait for the gateway to become ready (default 60000). */
  readyTimeoutMs?: number;
  /** Scheduled briefings (BRIEF_SCHEDULE), started once the gateway is ready; none by default. */
  briefSchedule?: readonly ScheduledBrief[];
}

export interface RunningBot {
  /** The bot's user id. */
  readonly userId: string;
  /**
   * Settles when the bot stops: resolves after stop(), rejects with AppError DISCORD_FATAL when Discord closes the
   * gateway for good (invalid token, disallowed intents, …). main.ts awaits it and exits non-zero on rejection.
   */
  readonly stopped: Promise<void>;
  /** Disconnects and releases every handle. Safe to call twice. */
  stop(): Promise<void>;
}

/** Gateway close codes after which reconnecting cannot help. */
export const FATAL_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [4004, 'Discord rejected the token (close 4004 authentication failed); set DISCORD_TOKEN to the bot token from the developer portal (Bot > Reset Token).'],
  [4010, 'Discord refused the shard (close 4010 invalid shard); run a single shard.'],
  [4011, 'Discord requires sharding for this bot (close 4011); Sourcier runs one shard: use it in fewer servers.'],
  [4012, 'Discord refused the gateway API version (close 4012); update discord.js.'],
  [4013, 'Discord refused the intents value (close 4013 invalid intents); this is a bug in Sourcier.'],
  [4014, 'Discord refused a privileged or unapproved intent (close 4014 disallowed intents); Sourcier needs none: check DISCORD_MENTIONS and the bot settings.'],
]);

/**
 * Connects the bot to Discord and serves the commands until stop() or a fatal gateway close. Resolves once the
 * gateway is ready; rejects with DISCORD_FATAL (never hangs or retries forever) when the token or intents are refused.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, sourcier } = options;
  const logger = redactingLogger(options.logger ?? silentLogger, [config.token]);
  const commands = options.commands ?? botCommands;
  const intents = [GatewayIntentBits.Guilds, ...(config.mentions ? [GatewayIntentBits.GuildMessages] : [])];
  const client = new Client({
    intents,
    // The default for every message the client sends; each call sets it again (belt and braces).
    allowedMentions: NO_MENTIONS,
    rest: config.apiUrl ? { api: config.apiUrl } : {},
  });
  const ctx: BotContext = {
    client,
    config,
    sourcier,
    logger,
    queue: new WorkQueue({ concurrency: config.queueConcurrency, max: config.queueMax, timeoutMs: config.answerTimeoutMs }),
    states: new ButtonStateStore(),
    userLimiter: new RateLimiter(config.userRate),
    channelLimiter: new RateLimiter(config.channelRate),
    botThreads: new Set(),
    progressIntervalMs: options.progressIntervalMs ?? 3000,
  };

  let settleStopped!: { resolve: () => void; reject: (e: Error) => void };
  const stopped = new Promise<void>((resolve, reject) => (settleStopped = { resolve, reject }));
  stopped.catch(() => {}); // observed by the caller when it wants; never an unhandled rejection
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await client.destroy().catch((error: unknown) => logger.warn('error while disconnecting from Discord', { error }));
    })());

  let failReady: ((e: Error) => void) | undefined;
  client.on(Events.ShardDisconnect, (event, shardId) => {
    const reason = FATAL_CLOSE_CODES.get(event.code);
    if (!reason) return;
    const error = new AppError('DISCORD_FATAL', reason);
    logger.error('gateway closed for good', { code: event.code, shardId });
    failReady?.(error);
    void stop().then(() => settleStopped.reject(error));
  });
  client.on(Events.ShardReconnecting, (shardId) => logger.warn('gateway connection lost; reconnecting', { shardId }));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info('gateway session resumed', { shardId, replayed }));
  client.on(Events.Error, (error) => logger.error('discord client error', { error }));
  client.on(Events.Warn, (message) => logger.warn('discord client warning', { detail: message }));
  client.on(Events.InteractionCreate, (interaction) => void routeInteraction(ctx, commands, interaction));
  client.on(Events.MessageCreate, (message) => void routeMessage(ctx, message));

  const ready = new Promise<void>((resolve, reject) => {
    failReady = reject;
    client.once(Events.ClientReady, () => resolve());
  });
  const timeout = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      client.login(config.token).then(() => ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new AppError('DISCORD_FATAL', `The Discord gateway was not ready after ${timeout} ms; check the network and DISCORD_API_URL.`)),
          timeout,
        );
      }),
    ]);
  } catch (error) {
    await stop();
    if (isAppError(error, 'DISCORD_FATAL')) throw error;
    const message = redactSecrets(error instanceof Error ? error.message : String(error), [config.token]);
    throw new AppError('DISCORD_FATAL', `Could not connect to Discord: ${message}. Check DISCORD_TOKEN and the network.`, {
      cause: new Error(message),
    });
  } finally {
    clearTimeout(timer);
    failReady = undefined;
  }
  const schedule = options.briefSchedule && options.briefSchedule.length > 0 ? startScheduledBriefings(ctx, options.briefSchedule) : undefined;
  if (schedule) {
    logger.info('scheduled briefings on', { next: schedule.upcoming().map((u) => ({ channelId: u.entry.channelId, topic: u.entry.topic, at: u.at.toISOString() })) });
    void stopped.finally(() => schedule.stop()).catch(() => {});
  }
  const userId = client.user!.id;
  logger.info('discord bot ready', { userId, guilds: client.guilds.cache.size, intents: client.options.intents.bitfield });
  return {
    userId,
    stopped,
    stop: () => stop().then(() => settleStopped.resolve()),
  };
}

/** Routes one interaction and writes its log line; never throws. */
async function routeInteraction(ctx: BotContext, commands: readonly BotCommand[], interaction: Interaction): Promise<void> {
  const started = Date.now();
  let command = 'unknown';
  let outcome: Outcome = { outcome: 'error' };
  try {
    if (interaction.isAutocomplete()) {
      command = `${interaction.commandName}:autocomplete`;
      const handler = commands.find((c) => c.data.name === interaction.commandName);
      if (handler?.autocomplete) await handler.autocomplete(ctx, interaction);
      else await interaction.respond([]);
      outcome = { outcome: 'done' };
      return;
    }
    if (!interaction.isRepliable()) return;
    if ((await refuseIfNotAllowed(ctx, interaction)) !== undefined) {
      outcome = { outcome: 'refused', reason: 'allow-list' };
      command = interaction.isCommand() ? interaction.commandName : 'button';
      return;
    }
    if (interaction.isButton()) {
      const result = await handleButton(ctx, interaction);
      command = result.command;
      outcome = result;
      return;
    }
    if (interaction.isCommand()) {
      command = interaction.commandName;
      const handler = commands.find((c) => c.data.name === interaction.commandName);
      if (!handler) {
        await interaction.reply({ ...renderNotice(fr.unknownCommand), flags: MessageFlags.Ephemeral });
        outcome = { outcome: 'refused', reason: 'unknown command' };
        return;
      }
      outcome = await handler.execute(ctx, interaction);
    }
  } catch (error) {
    outcome = { questionChars: questionLength(interaction), ...outcome, outcome: 'error', reason: isAppError(error) ? error.code : 'unexpected' };
    ctx.logger.error('discord interaction failed', {
      interactionId: interaction.id,
      command,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      error,
    });
    if (interaction.isRepliable()) {
      const text = errorSentence(isAppError(error) ? error.code : undefined);
      try {
        if (interaction.deferred || interaction.replied) await interaction.editReply(renderNotice(text));
        else await interaction.reply({ ...renderNotice(text), flags: MessageFlags.Ephemeral });
      } catch (replyError) {
        ctx.logger.warn('could not tell the user about the error', { interactionId: interaction.id, error: replyError });
      }
    }
  } finally {
    ctx.logger.info('discord interaction', {
      interactionId: interaction.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userHash: hashUserId(interaction.user.id),
      command,
      questionChars: outcome.questionChars,
      chunkIds: outcome.chunkIds,
      latencyMs: Date.now() - started,
      outcome: outcome.outcome,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
  }
}

/** Length of the question an interaction carries, for the log line of a failed one. */
function questionLength(interaction: Interaction): number | undefined {
  if (interaction.isChatInputCommand()) {
    const text = interaction.options.getString('question') ?? interaction.options.getString('text');
    return text === null ? undefined : text.trim().length;
  }
  if (interaction.isMessageContextMenuCommand()) return interaction.targetMessage.content.trim().length;
  return undefined;
}

/** Routes a message (mention or bot thread) and writes its log line; never throws. */
async function routeMessage(ctx: BotContext, message: Message): Promise<void> {
  const started = Date.now();
  try {
    const result = await handleMessage(ctx, message);
    if (!result) return;
    ctx.logger.info('discord message', {
      messageId: message.id,
      guildId: message.guildId,
      channelId: message.channelId,
      userHash: hashUserId(message.author.id),
      command: result.command,
      questionChars: result.questionChars,
      chunkIds: result.chunkIds,
      latencyMs: Date.now() - started,
      outcome: result.outcome,
      ...(result.reason ? { reason: result.reason } : {}),
    });
  } catch (error) {
    ctx.logger.error('discord message failed', { messageId: message.id, guildId: message.guildId, channelId: message.channelId, error });
    try {
      await ctx.client.rest.post(Routes.channelMessages(message.channelId), {
        body: { ...toRestBody(renderNotice(errorSentence(isAppError(error) ? error.code : undefined))), message_reference: { message_id: message.id, fail_if_not_exists: false } },
      });
    } catch (replyError) {
      ctx.logger.warn('could not tell the user about the error', { messageId: message.id, error: replyError });
    }
  }
}
