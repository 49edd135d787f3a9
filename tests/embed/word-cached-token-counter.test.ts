import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { wordCachedTokenCounter } from '../../src/embed/word-cached-token-counter.js';
import { ROOT, TINY_MODEL } from '../helpers/test-corpus.js';

/** Sentences of the bundled corpus plus text with odd spacing, punctuation and symbols. */
async function sampleTexts(): Promise<string[]> {
  const dir = join(ROOT, 'corpus', 'maroc');
  const texts: string[] = [];
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), 'utf8');
    texts.push(text, ...text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() !== ''));
  }
  texts.push(
    '',
    '   ',
    "L'ONU a dit : « non ! »\u00A0— 1.032.913 votants, 21 juillet 2022.",
    'Jean-Yves Le Drian\tvisite\r\nRabat…',
    'émoji 🙂 et 東京 et ﬁn (ligature)',
    'passage: un texte qui commence comme le préfixe',
  );
  return texts;
}

describe('wordCachedTokenCounter', () => {
  it('counts exactly like the tiny model tokenizer on whole texts, from its word cache', async () => {
    // A local folder, looked up the way the embedder's loader does it.
    env.allowRemoteModels = false;
    env.localModelPath = dirname(TINY_MODEL) + '/';
    const tokenizer = await AutoTokenizer.from_pretrained(basename(TINY_MODEL), { local_files_only: true });
    const exact = (text: string) => tokenizer.encode('passage: ' + text).length;
    let mismatches = 0;
    const counter = wordCachedTokenCounter(exact, { warmupChecks: 0, checkEvery: 1_000_000, onMismatch: () => mismatches++ });
    for (const text of await sampleTexts()) expect({ text, count: counter.countTokens(text) }).toEqual({ text, count: exact(text) });
    expect(mismatches).toBe(0);
    expect(counter.cached).toBe(true);
  });

  it('tokenizes each distinct word once', () => {
    const seen: string[] = [];
    const exact = (text: string) => {
      seen.push(text);
      return 2 + (text.match(/\S+/g)?.length ?? 0);
    };
    const counter = wordCachedTokenCounter(exact, { warmupChecks: 0, checkEvery: 1_000_000 });
    expect(counter.countTokens('le chat et le chien')).toBe(7);
    expect(counter.countTokens('le chien et le chat')).toBe(7);
    // '' for the fixed cost, then one call per distinct word.
    expect(seen).toEqual(['', 'le', 'chat', 'et', 'chien']);
  });

  it('switches to exact counting for good when a check finds a tokenizer that is not additive over words', () => {
    // Counts characters, spaces included: the sum over words undercounts.
    const exact = (text: string) => 1 + text.length;
    const reports: Array<[string, number, number]> = [];
    const counter = wordCachedTokenCounter(exact, { warmupChecks: 2, onMismatch: (t, c, e) => reports.push([t, c, e]) });
    expect(counter.countTokens('abc')).toBe(4); // single word: agrees
    expect(counter.countTokens('ab cd')).toBe(6); // disagrees (cache says 5): the exact figure is returned
    expect(reports).toEqual([['ab cd', 5, 6]]);
    expect(counter.cached).toBe(false);
    expect(counter.countTokens('a b c d')).toBe(8);
    expect(reports).toHaveLength(1);
  });

  it('keeps checking after the warm-up and catches a late disagreement', () => {
    const exact = (text: string) => (text.includes('  ') ? 100 : 1 + (text.match(/\S+/g)?.length ?? 0));
    const counter = wordCachedTokenCounter(exact, { warmupChecks: 3, checkEvery: 5 });
    const agrees = 'un deux trois';
    const disagrees = 'un deux  trois';
    // Checked calls: 1-3 (warm-up), then 5, 10, ...; 6-9 are not.
    for (const call of [1, 2, 3, 4, 5]) expect(counter.countTokens(agrees), `call ${call}`).toBe(4);
    expect(counter.countTokens(disagrees)).toBe(4); // call 6: unchecked, from the cache
    for (let call = 7; call <= 9; call++) counter.countTokens(disagrees);
    expect(counter.cached).toBe(true);
    expect(counter.countTokens(disagrees)).toBe(100); // call 10: checked
    expect(counter.cached).toBe(false);
  });
});
