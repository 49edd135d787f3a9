import { parseArgs } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AppError } from '../core/app-error.js';
import { parseCoreConfig, type CoreConfig } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { AskOptions, Sourcier } from '../core/types.js';
import { openSourcier, buildIndexFromConfig } from '../app/open-sourcier.js';
import { parseEvalFile, runEval } from '../eval/run-eval.js';
import { answerToJson, renderAnswer, renderStats, renderSummary } from './render-answer.js';
import { createProgressReporter } from './progress-bar.js';
import { redactSecrets } from '../discord/redact-secrets.js';
import { BRIEF_CLI_OPTIONS, BRIEF_USAGE, runBriefCommand } from './brief-command.js';
import { parseBriefConfig } from '../brief/brief-config.js';
import { DEFAULT_SERVICE_PORT, startHttpService } from '../service/http-service.js';
import { connectHttpSourcier } from '../service/http-sourcier.js';

/** What the CLI needs from the process; main.ts passes the real one, tests pass their own. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
  stderrIsTty: boolean;
  env: Record<string, string | undefined>;
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): long-running commands end cleanly. */
  signal?: AbortSignal;
  /** Starts the Discord bot; absent when the bot is not wired (tests). Resolves when the bot stops. */
  startBot?: (sourcier: Sourcier, env: Record<string, string | undefined>, logger: Logger) => Promise<void>;
  deployCommands?: (env: Record<string, string | undefined>, options: { global: boolean }, logger: Logger) => Promise<string>;
}

export const USAGE = `Usage: sourcier <command> [options]

Commands:
  start                 Build the index if missing, then start the Discord bot (DISCORD_TOKEN set)
                        or an interactive question session in the terminal.
  chat                  Interactive question session in the terminal (even when a token is set).
  index [--rebuild]     Index the corpus (only new or changed articles are processed; --rebuild redoes all).
  ask "question"        Answer a question with verbatim, cited excerpts.
      --json --since YYYY[-MM[-DD]] --until YYYY[-MM[-DD]] --source NAME --limit N
  quote "phrase"        Find where a phrase or statement appears, verbatim, with sources. [--json]
${BRIEF_USAGE}
  stats [--json]        Articles, chunks, mode, model, index size, build date.
  eval FILE.jsonl [--out RESULTS.jsonl] [--json]
                        Recall@1/5, MRR@10, answer-in-excerpt, abstention accuracy, latency.
  serve [--port N]      Serve the index over HTTP on 127.0.0.1 (POST /ask, /quote, /reindex; GET /stats,
                        /passage/:id) so several bot processes share one retrieval service.
  deploy-commands [--global]
                        Register the Discord slash commands (guild DISCORD_GUILD_ID, or global).

Options accepted by every command:
  --corpus DIR   corpus folder (env CORPUS_DIR, default corpus)
  --index DIR    index folder (env INDEX_DIR, default index)
  --model ID     embedding model hub id or local folder (env EMBEDDING_MODEL)
  --help         this text
`;

const OPTIONS = {
  corpus: { type: 'string' },
  index: { type: 'string' },
  model: { type: 'string' },
  json: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  source: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  rebuild: { type: 'boolean' },
  global: { type: 'boolean' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  ...BRIEF_CLI_OPTIONS,
} as const;

/** Runs one CLI command; returns the exit code. AppErrors print their message; anything else its stack. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command = 'start', ...rest] = positionals;
  if (values.help || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  let config: CoreConfig;
  try {
    config = parseCoreConfig(io.env, { corpus: values.corpus, index: values.index, model: values.model });
  } catch (error) {
    return reportError(error, io);
  }
  // Secrets never reach the logs, whatever a library puts in an error message.
  const secrets = [io.env.DISCORD_TOKEN].filter((x): x is string => Boolean(x));
  const logger = createLogger(config.logLevel, (line) => io.stderr(`${line}\n`), (line) => redactSecrets(line, secrets));
  try {
    switch (command) {
      case 'index': {
        const summary = await buildIndexFromConfig(config, {
          logger,
          rebuild: values.rebuild ?? false,
          onProgress: createProgressReporter(io.stderr, io.stderrIsTty),
        });
        io.stderr(`${renderSummary(summary)}\n`);
        if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
        return 0;
      }
      case 'ask':
      case 'quote': {
        const text = rest.join(' ');
        if (text.trim() === '') throw new AppError('QUESTION_INVALID', `Nothing to ${command}: give the text in quotes, e.g. sourcier ${command} "Qui préside la réunion de Marrakech ?"`);
        const sourcier = await openSourcier(config, { logger });
        try {
          const options = askOptions(values);
          const answer = command === 'ask' ? await sourcier.ask(text, options) : await sourcier.quote(text, options);
          io.stdout(values.json ? `${JSON.stringify(answerToJson(answer))}\n` : `${renderAnswer(answer)}\n`);
        } finally {
          await sourcier.close();
        }
        return 0;
      }
      case 'stats': {
        const sourcier = await openSourcier(config, { logger });
        try {
          const stats = sourcier.stats();
          io.stdout(values.json ? `${JSON.stringify(stats)}\n` : `${renderStats(stats)}\n`);
        } finally {
          await sourcier.close();
        }
        return 0;
      }
      case 'eval': {
        const file = rest[0];
        if (!file) throw new AppError('EVAL_FILE_INVALID', 'Give the eval file: sourcier eval questions.jsonl [--out results.jsonl]');
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (cause) {
          throw new AppError('EVAL_FILE_INVALID', `Cannot read ${file}; check the path.`, { cause });
        }
        const items = parseEvalFile(text, file);
        const sourcier = await openSourcier(config, { logger });
        try {
          const result = await runEval(sourcier, items);
          if (values.out) {
            await writeFile(values.out, result.rows.map((r) => JSON.stringify({ id: r.id, ...answerToJson(r.answer) })).join('\n') + '\n');
          }
          const m = result.metrics;
          if (values.json) io.stdout(`${JSON.stringify(m)}\n`);
          else {
            const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
            io.stdout(
              [
                `questions        ${m.questions} (${m.answerable} answerable)`,
                `recall@1         ${f(m.recallAt1)}`,
                `recall@5         ${f(m.recallAt5)}`,
                `MRR@10           ${f(m.mrrAt10)}`,
                `answer-in-excerpt ${f(m.answerInExcerpt)}`,
                `correct abstention ${f(m.correctAbstention)}`,
                `wrongly abstained ${f(m.wronglyAbstained)}`,
                `latency p50/p95  ${m.latencyP50.toFixed(1)} / ${m.latencyP95.toFixed(1)} ms`,
              ].join('\n') + '\n',
            );
          }
        } finally {
          await sourcier.close();
        }
        return 0;
      }
      case 'start':
      case 'chat': {
        // SOURCIER_SERVICE_URL: answer through a shared retrieval service (`sourcier serve`) instead of a local index.
        const sourcier = io.env.SOURCIER_SERVICE_URL
          ? await connectHttpSourcier(io.env.SOURCIER_SERVICE_URL, { token: io.env.SOURCIER_SERVICE_TOKEN, logger })
          : await openSourcier(config, {
              logger,
              buildIfMissing: true,
              onProgress: createProgressReporter(io.stderr, io.stderrIsTty),
              brief: parseBriefConfig(io.env),
            });
        try {
          if (command === 'start' && io.env.DISCORD_TOKEN && io.startBot) {
            await io.startBot(sourcier, io.env, logger);
          } else {
            await chat(sourcier, io);
          }
        } finally {
          await sourcier.close();
        }
        return 0;
      }
      case 'serve': {
        const port = values.port ?? io.env.SOURCIER_SERVICE_PORT;
        if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new AppError('CONFIG_INVALID', `--port / SOURCIER_SERVICE_PORT must be a port number (got "${port}").`);
        const sourcier = await openSourcier(config, {
          logger,
          buildIfMissing: true,
          onProgress: createProgressReporter(io.stderr, io.stderrIsTty),
          brief: parseBriefConfig(io.env),
        });
        try {
          const service = await startHttpService(sourcier, {
            port: port === undefined ? DEFAULT_SERVICE_PORT : Number(port),
            token: io.env.SOURCIER_SERVICE_TOKEN || undefined,
            logger,
          });
          io.stderr(`Retrieval service on ${service.url}\n`);
          const stop = () => void service.close();
          if (io.signal?.aborted) stop();
          io.signal?.addEventListener('abort', stop, { once: true });
          await service.closed;
        } finally {
          await sourcier.close();
        }
        return 0;
      }
      case 'brief':
      case 'said':
        return await runBriefCommand(command, rest, values, { config, logger, io });
      case 'deploy-commands': {
        if (!io.deployCommands) throw new AppError('CONFIG_INVALID', 'The Discord integration is not available in this build.');
        io.stdout(`${await io.deployCommands(io.env, { global: values.global ?? false }, logger)}\n`);
        return 0;
      }
      default:
        io.stderr(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function askOptions(values: { since?: string; until?: string; source?: string; limit?: string }): AskOptions {
  const options: AskOptions = {};
  for (const key of ['since', 'until'] as const) {
    const v = values[key];
    if (v === undefined) continue;
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(v)) throw new AppError('CONFIG_INVALID', `--${key} must be YYYY, YYYY-MM or YYYY-MM-DD (got "${v}").`);
    options[key] = v;
  }
  if (values.source !== undefined) options.source = values.source;
  if (values.limit !== undefined) {
    const n = Number(values.limit);
    if (!Number.isInteger(n) || n < 1 || n > 50) throw new AppError('CONFIG_INVALID', `--limit must be a whole number from 1 to 50 (got "${values.limit}").`);
    options.limit = n;
  }
  return options;
}

/** Interactive session: one question a line; "/quote …", "/sources", "/quit". Works with piped input too. */
async function chat(sourcier: Sourcier, io: CliIo): Promise<void> {
  const stats = sourcier.stats();
  io.stdout(
    `Sourcier — ${stats.articles} articles, ${stats.chunks} passages, ${stats.mode === 'hybrid' ? 'recherche hybride' : 'recherche lexicale seule'}.\n` +
      `Posez une question (ou /quote <phrase>, /sources, /quit).\n`,
  );
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.signal?.addEventListener('abort', () => rl.close(), { once: true });
  const prompt = () => {
    if (io.stdinIsTty) io.stdout('> ');
  };
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '') {
      prompt();
      continue;
    }
    if (line === '/quit' || line === '/exit') break;
    try {
      if (line === '/sources' || line === '/stats') io.stdout(`${renderStats(sourcier.stats())}\n`);
      else if (line.startsWith('/quote ')) io.stdout(`${renderAnswer(await sourcier.quote(line.slice(7)))}\n`);
      else io.stdout(`${renderAnswer(await sourcier.ask(line))}\n`);
    } catch (error) {
      if (error instanceof AppError) io.stdout(`${error.message}\n`);
      else throw error;
    }
    io.stdout('\n');
    prompt();
  }
  rl.close();
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof AppError) {
    io.stderr(`Error [${error.code}]: ${error.message}\n`);
    return error.code === 'CONFIG_INVALID' || error.code === 'QUESTION_INVALID' || error.code === 'EVAL_FILE_INVALID' ? 2 : 1;
  }
  io.stderr(`${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}
