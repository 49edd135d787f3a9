import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { botInviteUrl, botPermissions } from '../../src/discord/invite-url.js';

describe('botInviteUrl', () => {
  it('asks for the least privileges: never Administrator nor Mention Everyone', () => {
    for (const threads of [false, true]) {
      const bits = botPermissions({ threads });
      expect(bits & PermissionFlagsBits.Administrator).toBe(0n);
      expect(bits & PermissionFlagsBits.MentionEveryone).toBe(0n);
      expect(bits & PermissionFlagsBits.ManageMessages).toBe(0n);
    }
    expect(botPermissions()).toBe(274877991936n);
    expect(botPermissions({ threads: true })).toBe(309237730304n);
  });

  it('builds the URL with the bot and applications.commands scopes', () => {
    const url = new URL(botInviteUrl('123456789012345678', { threads: true }));
    expect(url.searchParams.get('client_id')).toBe('123456789012345678');
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    expect(url.searchParams.get('permissions')).toBe('309237730304');
  });
});
