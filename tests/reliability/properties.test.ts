import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkAnalyze, checkAnswers, checkChunk, checkIngest } from './property-checks.js';

/** Fixed in CI; FC_SEED replays another run. A failing input goes to tests/fixtures/regressions/ (see its README). */
const SEED = Number(process.env.FC_SEED ?? 20_261_123);
const runs = (n: number) => ({ seed: SEED, numRuns: n, endOnFailure: true });

const WORDS = [
  'le', 'la', "l'été", 'l’œuvre', 'Marrakech', 'coalition', 'a', 'annoncé', 'ministre', 'réunion', '12\u202f000', 'euros',
  '«\u00a0', '\u00a0»', 'M.', 'Dr.', 'etc.', '1er', 'janvier', '2024', 'Jean-Yves', 'aujourd’hui', 'e\u0301te\u0301', 'sai\u00adson',
  'mai\u200brie', '\u202epublié\u202c', '😀', '🇫🇷', 'https://exemple.fr/a?b=c', '...', '?', '!', ';', ':', ',', '.', '\n', '\n\n', '—', '-',
];
/** French-looking text with the characters that trip cleaners and splitters (NBSP, NFD, soft hyphens, bidi, emoji). */
const frenchish = fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 400 }).map((ws) => ws.join(' '));
/** Any string, lone surrogates included. */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), frenchish);

describe('properties (fast-check, fixed seed)', () => {
  it('readCorpus never throws on random bytes or French-ish files, gives one outcome a file and the same ids twice', async () => {
    const file = fc.record({
      ext: fc.constantFrom('.txt', '.md', '.html', '.jsonl'),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 2000 }),
        frenchish.map((t) => new Uint8Array(Buffer.from(t, 'utf8'))),
        frenchish.map((t) => new Uint8Array(Buffer.from(`\ufeff${t}`, 'utf16le'))),
        frenchish.map((t) => new Uint8Array(Buffer.from(`{"id":"x","title":"T","text":${JSON.stringify(t)}}\n{"text":1}\n`, 'utf8'))),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 4 }), async (files) => {
        await checkIngest(files.map((f, i) => ({ name: `f${i}${f.ext}`, bytes: f.bytes })));
      }),
      runs(40),
    );
  });

  it('chunks are verbatim, within the token limit, deterministic and cover the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(frenchish, anyText),
        fc.integer({ min: 8, max: 512 }),
        fc.integer({ min: 4, max: 300 }),
        fc.integer({ min: 0, max: 2 }),
        (text, maxTokens, targetTokens, overlapSentences) => checkChunk(text, { maxTokens, targetTokens, overlapSentences }),
      ),
      runs(300),
    );
  });

  it('the French analyzer never throws, keeps its spans inside the text and is deterministic', () => {
    fc.assert(fc.property(anyText, (text) => checkAnalyze(text)), runs(500));
  });

  it('answers and quotes over random articles cite verbatim slices, and both renderers take them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frenchish, { minLength: 1, maxLength: 4 }), fc.oneof(anyText, frenchish), fc.nat(), async (texts, question, pick) => {
        await checkAnswers(texts, question);
        // A phrase taken from an article is found verbatim.
        const source = texts[pick % texts.length]!;
        const from = pick % Math.max(1, source.length);
        await checkAnswers(texts, source.slice(from, from + 60));
      }),
      runs(60),
    );
  });
});
