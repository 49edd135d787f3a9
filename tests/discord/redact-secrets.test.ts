import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { redactingLogger, redactSecrets } from '../../src/discord/redact-secrets.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456';

describe('redactSecrets', () => {
  it('removes the bot token, interaction and webhook tokens in URLs, and Bot authorisation headers', () => {
    const text = [
      `token ${TOKEN}`,
      'POST https://discord.com/api/v10/interactions/1200000000000000007/aW50ZXJhY3Rpb246c2VjcmV0/callback',
      'PATCH /webhooks/1200000000000000002/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original',
      'Authorization: Bot some.other-token-value-abcdefghijkl',
    ].join('\n');
    const out = redactSecrets(text, [TOKEN]);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('aW50ZXJhY3Rpb246c2VjcmV0');
    expect(out).not.toContain('some.other-token');
    expect(out).toContain('/interactions/1200000000000000007/[redacted]/callback');
    expect(out).toContain('/webhooks/1200000000000000002/[redacted]/messages/@original');
  });

  it('redacts a token-shaped string even when it was not given as a secret', () => {
    expect(redactSecrets(`oops ${TOKEN} leaked`)).toBe('oops [redacted] leaked');
  });

  it('redacts messages, nested fields and error stacks through the logger wrapper', () => {
    const lines: string[] = [];
    const logger = redactingLogger(createLogger('debug', (l) => lines.push(l)), [TOKEN]);
    const error = new Error(`failed with ${TOKEN}`);
    logger.error(`login ${TOKEN}`, { nested: { url: `/webhooks/123456/${'x'.repeat(30)}` }, error });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(TOKEN);
    expect(lines[0]).not.toContain('x'.repeat(30));
    expect(JSON.parse(lines[0]!).error.stack).toContain('[redacted]');
  });
});
