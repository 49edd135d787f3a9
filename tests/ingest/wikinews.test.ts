import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/ingest/read-corpus.js';

// Opt-in check on real pages: SOURCIER_SHARED_DATA=1 and ../shared/data present (a user's clone has neither).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pages = path.resolve(root, '../shared/data/wikinews-fr-100/documents');
const enabled = process.env.SOURCIER_SHARED_DATA === '1' && existsSync(pages);

describe.skipIf(!enabled)('readCorpus on the 100 Wikinews pages (shared data)', () => {
  it('reads every page with a title, a 2012 date, no soft hyphen and no U+FFFD', async () => {
    const { articles, outcomes } = await readCorpus(pages);
    expect(outcomes.filter((o) => o.status === 'skipped')).toEqual([]);
    expect(articles).toHaveLength(100);
    for (const a of articles) {
      expect(a.title.length, a.id).toBeGreaterThan(0);
      expect(a.date, a.id).toMatch(/^2012-\d{2}-\d{2}$/);
      expect(a.text, a.id).not.toMatch(/[\u00AD\uFFFD]/);
      expect(a.text.length, a.id).toBeGreaterThan(100);
    }
  });
});
