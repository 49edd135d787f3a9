import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a sibling module given by its URL (`new URL('./x-worker.js', import.meta.url)`).
 * Compiled, that is the .js file. Run from TypeScript sources (tsx, vitest), a worker does not inherit the loader, so
 * it registers tsx (a dev dependency) before importing the .ts file; without tsx the worker fails to start and the
 * caller falls back to doing the work on its own thread.
 */
export function startModuleWorker(file: URL, workerData?: unknown): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData });
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** The URL of a sibling module, with the extension this module was loaded with (.ts from sources, .js compiled). */
export function siblingModule(base: string, name: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
