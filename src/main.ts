import { existsSync } from 'node:fs';
import { runCli } from './cli/run-cli.js';

/** The only file that touches the process: argv, env (and .env), stdio, exit code. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const code = await runCli(process.argv.slice(2), {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdin: process.stdin,
    stdinIsTty: Boolean(process.stdin.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
  });
  process.exitCode = code;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
