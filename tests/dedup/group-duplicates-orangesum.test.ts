import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupDuplicates } from '../../src/dedup/group-duplicates.js';

// Opt-in: needs ../shared/data (absent from a user's clone) and SOURCIER_SHARED_DATA=1.
const file = join(process.cwd(), '..', 'shared', 'data', 'orangesum', 'orangesum.jsonl.gz');
const shared = process.env.SOURCIER_SHARED_DATA === '1' && existsSync(file);

describe.skipIf(!shared)('groupDuplicates on OrangeSum (opt-in: SOURCIER_SHARED_DATA=1)', () => {
  it('puts every republished identical body in the group of its first copy', () => {
    const rows = gunzipSync(readFileSync(file))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { id: number; title: string; heading: string | null; article: string | null; date?: string });
    const articles = rows.map((r) => ({
      id: String(r.id),
      title: r.title ?? '',
      text: [r.heading ?? '', r.article ?? ''].filter((p) => p.trim() !== '').join('\n\n'),
      date: r.date,
    }));
    const groups = groupDuplicates(articles);

    const leadOf = new Map(rows.map((r) => [String(r.id), r.heading]));
    const firstWithBody = new Map<string, string>();
    let copies = 0;
    const missed: string[] = [];
    for (const r of rows) {
      const body = r.article ?? '';
      if (body.trim() === '' || body.split(/\s+/).length < 8) continue;
      const first = firstWithBody.get(body);
      if (first === undefined) {
        firstWithBody.set(body, String(r.id));
        continue;
      }
      copies++;
      // Same body but another lead can still be a different text; identical leads must be grouped.
      if (leadOf.get(first) === r.heading && !groups.get(first)?.includes(String(r.id))) missed.push(`${first}/${r.id}`);
    }
    expect(copies).toBeGreaterThan(2000);
    expect(missed).toEqual([]);
    expect(groups.size).toBeGreaterThan(3900);
  });
});
