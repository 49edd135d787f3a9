/**
 * The retrieval service: one process holds the index and answers for several front doors (bot shards, CLIs) over
 * HTTP on the loopback interface. JSON in and out, node:http only. Routes mirror the `Sourcier` interface:
 *   POST /ask      {"question": string, "options"?: AskOptions}  -> Answer
 *   POST /quote    {"text": string, "options"?: AskOptions}      -> Answer
 *   GET  /stats                                                  -> IndexStats
 *   GET  /passage/:chunkId (URL-encoded)                         -> {chunk, article} | 404
 *   POST /reindex                                                -> IndexSummary
 * `AskOptions.now` travels as an ISO 8601 string. Errors answer `{"error": {"code", "message"}}` with a status
 * derived from the AppError code (400 bad input, 404 unknown passage, 409 reindex already running, 503 no index...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { AppError, isAppError, type AppErrorCode } from '../core/app-error.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AskOptions, Sourcier } from '../core/types.js';

export interface HttpServiceOptions {
  /** Interface to listen on. Default `127.0.0.1` (loopback only: the service has no TLS). */
  host?: string;
  /** TCP port; 0 picks a free one (tests). Default 8787. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). Default: none. */
  token?: string;
  /** Largest request body in bytes (default 65,536); larger bodies get 413. */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface RunningHttpService {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and resolves once open connections are closed. */
  close(): Promise<void>;
  /** Resolves when the server has closed (after `close()`). */
  readonly closed: Promise<void>;
}

export const DEFAULT_SERVICE_PORT = 8787;
const DEFAULT_MAX_BODY = 64 * 1024;

const dateString = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD');
const askOptionsSchema = z
  .object({
    since: dateString.optional(),
    until: dateString.optional(),
    source: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(50).optional(),
    offset: z.number().int().min(0).max(1000).optional(),
    now: z.string().datetime({ offset: true }).optional(),
  })
  .strict();
const askBody = z.object({ question: z.string().max(4000), options: askOptionsSchema.optional() }).strict();
const quoteBody = z.object({ text: z.string().max(4000), options: askOptionsSchema.optional() }).strict();

/** HTTP status for an AppError code; anything not listed is a 500. */
const STATUS: Partial<Record<AppErrorCode, number>> = {
  QUESTION_INVALID: 400,
  CONFIG_INVALID: 400,
  FORBIDDEN: 403,
  INDEX_LOCKED: 409,
  BUSY: 503,
  RATE_LIMITED: 429,
  INDEX_MISSING: 503,
  MODEL_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** Serves `sourcier` over HTTP until `close()`. Rejects with SERVICE_UNAVAILABLE when the port cannot be bound. */
export async function startHttpService(sourcier: Sourcier, options: HttpServiceOptions = {}): Promise<RunningHttpService> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let reindexing = false;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, { error: { code: 'FORBIDDEN', message: 'Missing or wrong bearer token; set SOURCIER_SERVICE_TOKEN like the service.' } });
    }
    const path = new URL(req.url ?? '/', 'http://service').pathname;
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/ask') {
      const body = parse(askBody, await readJson(req, maxBody));
      return send(res, 200, await sourcier.ask(body.question, toAskOptions(body.options)));
    }
    if (method === 'POST' && path === '/quote') {
      const body = parse(quoteBody, await readJson(req, maxBody));
      return send(res, 200, await sourcier.quote(body.text, toAskOptions(body.options)));
    }
    if (method === 'GET' && path === '/stats') return send(res, 200, sourcier.stats());
    if (method === 'GET' && path.startsWith('/passage/')) {
      let chunkId: string;
      try {
        chunkId = decodeURIComponent(path.slice('/passage/'.length));
      } catch {
        throw new AppError('QUESTION_INVALID', 'The passage id is not valid URL encoding; encode it with encodeURIComponent.');
      }
      const passage = sourcier.passage(chunkId);
      if (!passage) return send(res, 404, { error: { code: 'NOT_FOUND', message: `No passage ${chunkId} in the live index.` } });
      return send(res, 200, passage);
    }
    if (method === 'POST' && path === '/reindex') {
      await readJson(req, maxBody, true);
      // Sourcier.reindex joins a running rebuild; over HTTP a second caller is told so instead of waiting minutes.
      if (reindexing) throw new AppError('INDEX_LOCKED', 'A re-index is already running in the retrieval service; wait for it to finish.');
      reindexing = true;
      try {
        return send(res, 200, await sourcier.reindex());
      } finally {
        reindexing = false;
      }
    }
    const known = ['/ask', '/quote', '/stats', '/reindex'].includes(path) || path.startsWith('/passage/');
    return send(res, known ? 405 : 404, { error: { code: known ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', message: `No route ${method} ${path}.` } });
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (isAppError(error)) {
        const status = error instanceof BodyError ? error.status : (STATUS[error.code] ?? 500);
        if (status >= 500) logger.error('service request failed', { method: req.method, url: req.url, error });
        send(res, status, { error: { code: error.code, message: error.message } });
      } else {
        logger.error('service request failed', { method: req.method, url: req.url, error });
        send(res, 500, { error: { code: 'INTERNAL', message: 'The retrieval service failed on this request; see its log.' } });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new AppError('SERVICE_UNAVAILABLE', `Cannot listen on ${host}:${options.port ?? DEFAULT_SERVICE_PORT} (${(error as Error).message}); choose another port.`, { cause: error })),
    );
    server.listen(options.port ?? DEFAULT_SERVICE_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('retrieval service listening', { url });
  return {
    url,
    port,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function toAskOptions(o: z.infer<typeof askOptionsSchema> | undefined): AskOptions {
  if (!o) return {};
  const { now, ...rest } = o;
  return { ...rest, ...(now ? { now: new Date(now) } : {}) };
}

/** An AppError that carries its own HTTP status (body too large, not JSON). */
class BodyError extends AppError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('QUESTION_INVALID', message);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const why = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  throw new AppError('QUESTION_INVALID', `Invalid request body (${why}).`);
}

async function readJson(req: IncomingMessage, maxBytes: number, allowEmpty = false): Promise<unknown> {
  // Events rather than `for await`: leaving an async iterator early destroys the socket, and the 413 would be lost.
  const text = await new Promise<string>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= maxBytes) parts.push(part);
    });
    req.on('end', () =>
      size > maxBytes ? reject(new BodyError(413, `Request body over ${maxBytes} bytes.`)) : resolve(Buffer.concat(parts).toString('utf8')),
    );
    req.on('error', (error) => reject(new BodyError(400, `The request body could not be read (${error.message}).`)));
  });
  if (text.trim() === '') {
    if (allowEmpty) return {};
    throw new BodyError(400, 'Empty request body; send JSON.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'The request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
