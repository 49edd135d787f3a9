import { spawn, type ChildProcess } from 'node:child_process';
import { MAIN, ROOT, TINY_MODEL } from './french-corpus.js';

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when a line of stderr contains `text` (rejects if the process ends first). */
  waitForStderr(text: string): Promise<void>;
  /** Exit code (null when killed) and signal, once every output line has been read. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the real CLI (`node --import tsx src/main.ts ...`) on the tiny model, offline, with warnings on stderr. */
export function spawnCli(args: string[], options: { cacheDir: string; env?: Record<string, string> }): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      EMBEDDING_MODEL: TINY_MODEL,
      MODEL_CACHE_DIR: options.cacheDir,
      ALLOW_REMOTE_MODELS: 'false',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) {
      if (err.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    closed,
    waitForStderr: (text) =>
      err.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            closed.then(() => {
              if (!err.includes(text)) throw new Error(`CLI ended before printing "${text}": ${err.slice(-2000)}`);
            }),
          ]),
  };
}
