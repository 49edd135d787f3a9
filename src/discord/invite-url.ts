import { OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

/**
 * Least privilege: what the bot needs to read the channel it answers in, post answers with embeds (and replies to
 * mentions), and work in threads. Never Administrator, never Mention Everyone.
 */
export function botPermissions(options: { threads?: boolean } = {}): bigint {
  let bits =
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.SendMessagesInThreads |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.ReadMessageHistory;
  if (options.threads) bits |= PermissionFlagsBits.CreatePublicThreads;
  return bits;
}

/** The URL a server admin opens to add the bot (scopes bot + applications.commands). */
export function botInviteUrl(applicationId: string, options: { threads?: boolean } = {}): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: botPermissions(options).toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
