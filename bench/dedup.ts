/**
 * Duplicate grouping on OrangeSum (36k French news articles): exact copies, near-duplicate groups, time, memory,
 * and a sample of near-duplicate pairs to check precision by eye.
 *   npx tsx bench/dedup.ts [path/to/orangesum.jsonl.gz] [--threshold 0.8] [--sample 10] [--sweep]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { groupDuplicates, type DedupArticle } from '../src/dedup/group-duplicates.js';
import { jaccard, sequenceKey, shingleHashes, toSortedSet, wordHashes } from '../src/dedup/min-hash.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a) => a.endsWith('.gz')) ?? '../shared/data/orangesum/orangesum.jsonl.gz';
const threshold = Number(flag('--threshold') ?? 0.8);
const sampleSize = Number(flag('--sample') ?? 10);

interface Row {
  id: number;
  title: string;
  heading: string | null;
  article: string | null;
  date?: string;
}
const rows = gunzipSync(readFileSync(file))
  .toString('utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Row);
// The lead is the first paragraph of the text, as ingestion stores it.
const articles: DedupArticle[] = rows.map((r) => ({
  id: String(r.id),
  title: r.title ?? '',
  text: [r.heading ?? '', r.article ?? ''].filter((p) => p.trim() !== '').join('\n\n'),
  date: r.date,
}));

const seenBody = new Set<string>();
let rawBodyCopies = 0;
for (const r of rows) {
  const body = r.article ?? '';
  if (body === '') continue;
  if (seenBody.has(body)) rawBodyCopies++;
  else seenBody.add(body);
}

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const groups = groupDuplicates(articles, { threshold });
const seconds = (performance.now() - t0) / 1000;
const heapAfter = process.memoryUsage().heapUsed;

const byId = new Map(articles.map((a) => [a.id, a]));
const keyOf = new Map(articles.map((a) => [a.id, sequenceKey(wordHashes(a.text))]));
const seenGroups = new Set<string>();
let groupCount = 0;
let grouped = 0;
let exactCopies = 0;
let nearGroups = 0;
const nearPairs: Array<[string, string]> = [];
const sizes: number[] = [];
for (const [id, others] of groups) {
  const members = [id, ...others].sort();
  const key = members[0]!;
  if (seenGroups.has(key)) continue;
  seenGroups.add(key);
  groupCount++;
  grouped += members.length;
  sizes.push(members.length);
  const texts = new Map<string, string>();
  for (const m of members) if (!texts.has(keyOf.get(m)!)) texts.set(keyOf.get(m)!, m);
  exactCopies += members.length - texts.size;
  if (texts.size > 1) {
    nearGroups++;
    const distinct = [...texts.values()];
    nearPairs.push([distinct[0]!, distinct[1]!]);
  }
}

console.log(`articles: ${articles.length} (empty texts: ${articles.filter((a) => a.text.trim() === '').length})`);
console.log(`raw identical non-empty bodies (\`article\` field, copies beyond the first): ${rawBodyCopies}`);
console.log(`threshold ${threshold}: ${groupCount} groups, ${grouped} articles grouped, largest ${Math.max(0, ...sizes)}`);
console.log(`  exact copies (same normalised text, beyond the first): ${exactCopies}`);
console.log(`  groups holding near-duplicates (more than one distinct text): ${nearGroups}`);
console.log(`time ${seconds.toFixed(2)} s; heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

/** The differing middle of two texts, word-wise, to see what an edit changed. */
function difference(a: string, b: string): string {
  const wa = a.split(/\s+/);
  const wb = b.split(/\s+/);
  let p = 0;
  while (p < wa.length && p < wb.length && wa[p] === wb[p]) p++;
  let s = 0;
  while (s < wa.length - p && s < wb.length - p && wa[wa.length - 1 - s] === wb[wb.length - 1 - s]) s++;
  const cut = (words: string[]) => {
    const middle = words.slice(p, words.length - s).join(' ');
    return middle.length > 160 ? `${middle.slice(0, 160)}…` : middle;
  };
  return `at word ${p}/${wa.length}: «${cut(wa)}» vs «${cut(wb)}»`;
}

const step = Math.max(1, Math.floor(nearPairs.length / sampleSize));
for (let k = 0; k < nearPairs.length && k / step < sampleSize; k += step) {
  const [x, y] = nearPairs[k]!;
  const a = byId.get(x)!;
  const b = byId.get(y)!;
  const j = jaccard(toSortedSet(shingleHashes(wordHashes(a.text), 4)), toSortedSet(shingleHashes(wordHashes(b.text), 4)));
  console.log(`\n#${x} ${a.date} «${a.title.slice(0, 80)}»\n#${y} ${b.date} «${b.title.slice(0, 80)}»\n  jaccard ${j.toFixed(3)}; ${difference(a.text, b.text)}`);
}

if (args.includes('--sweep')) {
  console.log('\nthreshold sweep:');
  for (const t of [0.5, 0.6, 0.7, 0.8, 0.9]) {
    const g = groupDuplicates(articles, { threshold: t });
    console.log(`  ${t}: ${g.size} articles in groups`);
  }
}
