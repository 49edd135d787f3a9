/**
 * Child process of a live reindex: builds the new generation away from the process that answers questions (ingestion,
 * chunking, the lexical index and the graph are synchronous work that would stall answers for seconds), then reports
 * the summary. The serving process only reloads the finished generation.
 *
 * A process, not a worker thread: onnxruntime-node (under transformers.js) is not safe with a second session on a
 * worker thread of the process that serves with its own (a reindex loop next to live questions crashed the process
 * with a corrupted native heap or a segmentation fault within a few cycles; see RELIABILITY.md). An entry point like
 * main.ts: it talks to its parent over the IPC channel and exits once the summary is sent.
 */
import { isAppError } from '../core/app-error.js';
import type { CoreConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { IndexProgress, IndexSummary } from '../core/types.js';
import { buildIndexFromConfig } from './open-sourcier.js';

export interface ReindexRequest {
  config: CoreConfig;
  /** Build without vectors (the serving side runs lexical-only), so the child does not retry a missing model. */
  lexicalOnly: boolean;
  modeReason?: string;
}

export type ReindexMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'done'; summary: IndexSummary }
  | { type: 'error'; code?: string; message: string; stack?: string };

const send = (message: ReindexMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
const forward =
  (level: 'debug' | 'info' | 'warn' | 'error') =>
  (message: string, fields?: Record<string, unknown>): void => {
    // Fields may hold errors or other values that cannot be sent: send their JSON form.
    void send({ type: 'log', level, message, ...(fields ? { fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> } : {}) });
  };
const logger: Logger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

async function run(request: ReindexRequest): Promise<ReindexMessage> {
  try {
    const summary = await buildIndexFromConfig(request.config, {
      logger,
      ...(request.lexicalOnly ? { embedder: null } : {}),
      onProgress: (progress) => void send({ type: 'progress', progress }),
    });
    return { type: 'done', summary: request.lexicalOnly && request.modeReason ? { ...summary, modeReason: request.modeReason } : summary };
  } catch (error) {
    return { type: 'error', code: isAppError(error) ? error.code : undefined, message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack };
  }
}

process.once('message', (request: ReindexRequest) => {
  void run(request).then(async (outcome) => {
    await send(outcome);
    // Nothing else keeps the process alive once the channel is closed: it exits after the build's last handles.
    process.disconnect?.();
  });
});
void send({ type: 'ready' });
