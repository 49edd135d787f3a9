import { describe, expect, it } from 'vitest';
import { ABSTENTION_MODEL } from '../../src/answer/abstention-model.js';
import { parseCoreConfig } from '../../src/core/config.js';
import { isAppError } from '../../src/core/app-error.js';

describe('parseCoreConfig', () => {
  it('defaults every setting, the abstention threshold to the fitted one', () => {
    const c = parseCoreConfig({});
    expect(c).toMatchObject({ corpusDir: 'corpus', indexDir: 'index', allowRemoteModels: true, logLevel: 'info' });
    expect(c.abstentionThreshold).toBe(ABSTENTION_MODEL.threshold);
  });

  it('reads ABSTENTION_THRESHOLD as a probability, an empty value meaning the default', () => {
    expect(parseCoreConfig({ ABSTENTION_THRESHOLD: '0.35' }).abstentionThreshold).toBe(0.35);
    expect(parseCoreConfig({ ABSTENTION_THRESHOLD: '0' }).abstentionThreshold).toBe(0);
    expect(parseCoreConfig({ ABSTENTION_THRESHOLD: '  ' }).abstentionThreshold).toBe(ABSTENTION_MODEL.threshold);
  });

  it.each(['1.5', '-0.1', 'haut'])('refuses ABSTENTION_THRESHOLD=%s with CONFIG_INVALID naming the setting and the range', (value) => {
    let caught: unknown;
    try {
      parseCoreConfig({ ABSTENTION_THRESHOLD: value });
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(/ABSTENTION_THRESHOLD: must be a number between 0 and 1/);
    expect((caught as Error).message).toContain(JSON.stringify(value));
  });
});
