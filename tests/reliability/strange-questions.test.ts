import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Answer, Sourcier } from '../../src/core/types.js';
import { renderAnswer } from '../../src/cli/render-answer.js';
import { runCli } from '../../src/cli/run-cli.js';
import { renderAnswerMessage, checkMessageLimits } from '../../src/discord/render-message.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { configFor, loadTinyEmbedder, makeWorkspace, TINY_MODEL } from '../helpers/test-corpus.js';

const words = 'Où se réunit la coalition contre Daesh et qui préside la réunion de Marrakech ? ';
const STRANGE_QUESTIONS: Array<[string, string]> = [
  ['empty', ''],
  ['whitespace', ' \t\n\u00a0\u3000 '],
  ['10,000 characters', words.repeat(Math.ceil(10_000 / words.length)).slice(0, 10_000)],
  ['only emoji', '😀🎉🔥👍🏽🇫🇷'],
  ['markdown', '**Marrakech** _coalition_ `code` > citation [lien](https://example.org) ||spoiler|| # titre'],
  ['mentions', '<@123456789012345678> <@&987654321> <#555> @everyone @here Marrakech ?'],
  ['regex metacharacters', '.*+?^${}()|[]\\ (?<x>a)\\1 \\d+ (?=Daesh) [^a-z]*'],
  ['quote metacharacters', `"'«»“”‘’„‹› "Daesh" 'Marrakech' « coalition »`],
  ['control characters', '\u0001\u0007\u001b[31mrouge\u001b[0m\b\f\v Marrakech'],
  ['lone surrogates', '\ud800 Marrakech \udfff coalition \udbff'],
  ['null bytes', 'Marrakech\u0000Daesh\u0000'],
  ['only null bytes', '\u0000\u0000\u0000'],
  ['only punctuation', ' ?!?... ;; — « » '],
  ['a period only', "l'an dernier"],
  ['who said, empty', 'Qui a dit « » ?'],
  ['who said, null byte', 'Qui a dit \u0000 ?'],
  ['bidi and zero-width', '\u202e\u200bMarrakech\u200d\u2066'],
  ['mathematical letters', '𝕄𝕒𝕣𝕣𝕒𝕜𝕖𝕔𝕙 Ⓜ ﬁnances'],
  ['one letter', 'a'],
  ['html', '<script>alert(1)</script><b>Daesh</b>'],
];

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let sourcier: Sourcier;

beforeAll(async () => {
  ws = await makeWorkspace();
  const embedder = await loadTinyEmbedder();
  await buildIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir, embedder });
  sourcier = await openSourcier(configFor(ws), { embedder });
}, 120_000);

afterAll(async () => {
  await sourcier?.close();
  await ws?.cleanup();
});

/** A normal answer: every excerpt verbatim, and both renderers handle it. Or a QUESTION_INVALID refusal. */
async function expectAnswerOrRefusal(run: () => Promise<Answer>): Promise<'answer' | 'refused'> {
  let answer: Answer;
  try {
    answer = await run();
  } catch (error) {
    expect(isAppError(error, 'QUESTION_INVALID'), String((error as Error)?.stack ?? error)).toBe(true);
    return 'refused';
  }
  for (const c of answer.citations) expect(sourcier.passage(c.chunkId)!.article.text.slice(c.start, c.end)).toBe(c.excerpt);
  expect(renderAnswer(answer)).toBeTypeOf('string');
  expect(checkMessageLimits(renderAnswerMessage(answer, { kind: 'ask', stateKey: 'k' }))).toEqual([]);
  return 'answer';
}

describe('strange questions', () => {
  for (const [name, question] of STRANGE_QUESTIONS) {
    it(`answers or refuses with QUESTION_INVALID, never another error: ${name}`, async () => {
      const asked = await expectAnswerOrRefusal(() => sourcier.ask(question));
      const quoted = await expectAnswerOrRefusal(() => sourcier.quote(question));
      if (question.trim() === '' || name === 'only null bytes' || name === 'only punctuation') expect([asked, quoted]).toEqual(['refused', 'refused']);
    });
  }

  it('gives every strange question through the CLI exit code 0 (answer) or 2 with Error [QUESTION_INVALID], never a stack', async () => {
    const env = { CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir, EMBEDDING_MODEL: TINY_MODEL, ALLOW_REMOTE_MODELS: 'false', MODEL_CACHE_DIR: `${ws.dir}/models`, LOG_LEVEL: 'silent' };
    const outcomes: string[] = [];
    for (const [name, question] of STRANGE_QUESTIONS) {
      for (const command of ['ask', 'quote']) {
        let out = '';
        let err = '';
        const code = await runCli([command, '--json', question], {
          stdout: (s) => void (out += s),
          stderr: (s) => void (err += s),
          stdin: new PassThrough(),
          stdinIsTty: false,
          stderrIsTty: false,
          env,
        });
        if (code === 0) expect(() => JSON.parse(out), `${command} ${name}`).not.toThrow();
        else {
          expect(code, `${command} ${name}: ${err}`).toBe(2);
          expect(err).toMatch(/^Error \[QUESTION_INVALID\]: /);
        }
        outcomes.push(`${command} ${name}: ${code}`);
      }
    }
    expect(outcomes).toHaveLength(STRANGE_QUESTIONS.length * 2);
  });
});
