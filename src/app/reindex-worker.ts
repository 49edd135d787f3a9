/**
 * Worker thread of a live reindex: builds the new generation away from the thread that answers questions (ingestion,
 * chunking, the lexical index and the graph are synchronous work that would stall answers for seconds), then reports
 * the summary. The serving thread only reloads the finished generation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../core/app-error.js';
import type { CoreConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { IndexProgress, IndexSummary } from '../core/types.js';
import { buildIndexFromConfig } from './open-sourcier.js';

export interface ReindexWorkerData {
  config: CoreConfig;
  /** Build without vectors (the serving side runs lexical-only), so the worker does not retry a missing model. */
  lexicalOnly: boolean;
  modeReason?: string;
}

export type ReindexWorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'done'; summary: IndexSummary }
  | { type: 'error'; code?: string; message: string; stack?: string };

const port = parentPort!;
const data = workerData as ReindexWorkerData;
const post = (message: ReindexWorkerMessage) => port.postMessage(message);
const forward =
  (level: 'debug' | 'info' | 'warn' | 'error') =>
  (message: string, fields?: Record<string, unknown>): void => {
    // Fields may hold errors or other values that cannot cross threads: send their JSON form.
    post({ type: 'log', level, message, ...(fields ? { fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> } : {}) });
  };
const logger: Logger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

post({ type: 'ready' });
buildIndexFromConfig(data.config, {
  logger,
  ...(data.lexicalOnly ? { embedder: null } : {}),
  onProgress: (progress) => post({ type: 'progress', progress }),
}).then(
  (summary) => post({ type: 'done', summary: data.lexicalOnly && data.modeReason ? { ...summary, modeReason: data.modeReason } : summary }),
  (error: unknown) =>
    post({ type: 'error', code: isAppError(error) ? error.code : undefined, message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack }),
);
