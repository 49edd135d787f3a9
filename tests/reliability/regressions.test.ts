import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './french-corpus.js';
import { checkCase, type RegressionCase } from './property-checks.js';

const DIR = join(ROOT, 'tests', 'fixtures', 'regressions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('saved regression inputs (tests/fixtures/regressions)', () => {
  it('has inputs to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`still holds its invariants: ${file}`, async () => {
      const c = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as RegressionCase;
      expect(['ingest', 'chunk', 'analyze', 'answer']).toContain(c.kind);
      await checkCase(c);
    });
  }
});
