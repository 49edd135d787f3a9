import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { IndexProgress } from '../../core/types.js';
import { replyNotice } from '../answer-interaction.js';
import { memberRoleIds, type BotCommand } from '../bot-context.js';
import { fr, commandTexts } from '../messages-fr.js';
import { renderNotice } from '../render-message.js';
import { slashCommand } from './localize.js';

const t = commandTexts.reindex;

/**
 * `/reindex` (admins): rebuilds the index while the live one keeps answering. Discord hides it from members without
 * Manage Server (default_member_permissions), but server admins can override that in Integrations, so the bot also
 * checks: Manage Server, and — when DISCORD_ADMIN_USERS / DISCORD_ADMIN_ROLES are set — membership of those lists.
 */
export const reindexCommand: BotCommand = {
  data: {
    ...slashCommand(t),
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  },
  async execute(ctx, interaction) {
    if (!interaction.isChatInputCommand()) return { outcome: 'refused', reason: 'wrong interaction type' };
    const { adminUsers, adminRoles } = ctx.config;
    const hasPermission = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
    const listed =
      adminUsers.length === 0 && adminRoles.length === 0
        ? true
        : adminUsers.includes(interaction.user.id) || memberRoleIds(interaction.member).some((r) => adminRoles.includes(r));
    if (!hasPermission || !listed) {
      await replyNotice(interaction, fr.adminOnly);
      return { outcome: 'refused', reason: 'not admin' };
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(renderNotice(fr.reindexStarted));

    // Progress edits are throttled and never overlap; the final summary waits for the last one.
    let lastEdit = Date.now();
    let inFlight: Promise<unknown> = Promise.resolve();
    let editing = false;
    const onProgress = (p: IndexProgress) => {
      const now = Date.now();
      if (editing || now - lastEdit < ctx.progressIntervalMs) return;
      lastEdit = now;
      editing = true;
      inFlight = interaction
        .editReply(renderNotice(fr.reindexProgress(p.stage, p.done, p.total)))
        .catch((error: unknown) => ctx.logger.warn('could not show reindex progress', { error }))
        .finally(() => {
          editing = false;
        });
    };
    const summary = await ctx.sourcier.reindex(onProgress);
    await inFlight;
    await interaction.editReply(
      renderNotice(fr.reindexDone(summary.articles, summary.chunks, summary.added, summary.changed, summary.removed, summary.seconds, summary.mode)),
    );
    return { outcome: 'done', reason: `generation ${summary.generation}` };
  },
};
