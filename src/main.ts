import { existsSync } from 'node:fs';
import { runCli } from './cli/run-cli.js';

/** The only file that touches the process: argv, env (and .env), stdio, signals, exit code. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop.abort();
      // A second signal while shutting down quits at once.
      process.once(signal, () => process.exit(130));
    });
  }
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'unhandled rejection', error: String((reason as Error)?.stack ?? reason) })}\n`);
  });
  const code = await runCli(process.argv.slice(2), {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdin: process.stdin,
    stdinIsTty: Boolean(process.stdin.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
    signal: stop.signal,
    // discord.js is loaded only when the bot is asked for: the other commands start faster without it.
    startBot: async (sourcier, env, logger) => (await import('./discord/run-discord.js')).runDiscordBot(sourcier, env, logger, { signal: stop.signal }),
    deployCommands: async (env, options, logger) => (await import('./discord/run-discord.js')).deployCommandsFromEnv(env, options, logger),
  });
  process.exitCode = code;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
