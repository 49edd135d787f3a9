import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIndexFromConfig, openSourcier } from '../../src/app/open-sourcier.js';
import { isAppError } from '../../src/core/app-error.js';
import type { Embedder, Sourcier } from '../../src/core/types.js';
import { startHttpService, type RunningHttpService } from '../../src/service/http-service.js';
import { connectHttpSourcier, HttpSourcier } from '../../src/service/http-sourcier.js';
import { configFor, loadTinyEmbedder, makeWorkspace } from '../helpers/test-corpus.js';

let embedder: Embedder;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  embedder = await loadTinyEmbedder();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real Sourcier on the bundled corpus (tiny model) served on 127.0.0.1 at a free port. */
async function serve(options: Parameters<typeof startHttpService>[1] = {}): Promise<{ local: Sourcier; service: RunningHttpService }> {
  const ws = await makeWorkspace();
  cleanups.push(ws.cleanup);
  await buildIndexFromConfig(configFor(ws), { embedder });
  const local = await openSourcier(configFor(ws), { embedder });
  cleanups.push(() => local.close());
  const service = await startHttpService(local, { port: 0, ...options });
  cleanups.push(() => service.close());
  return { local, service };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('the retrieval service over HTTP', () => {
  it('listens on the loopback interface only by default', async () => {
    const { service } = await serve();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(service.port).toBeGreaterThan(0);
  });

  it('gives a remote client the same answers, stats and passages as the local service', async () => {
    const { local, service } = await serve();
    const remote = await connectHttpSourcier(service.url);
    cleanups.push(() => remote.close());
    const question = 'Qui a remporté le marathon olympique à Versailles ?';
    const [mine, theirs] = [await local.ask(question), await remote.ask(question)];
    expect(theirs.abstained).toBe(false);
    const strip = (a: typeof mine) => ({ ...a, latencyMs: 0 });
    expect(strip(theirs)).toEqual(strip(mine));
    expect(remote.stats()).toEqual(local.stats());
    const cited = theirs.citations[0]!;
    const passage = remote.passage(cited.chunkId);
    expect(passage).toEqual(JSON.parse(JSON.stringify(local.passage(cited.chunkId))));
    expect(passage!.article.text.slice(cited.start, cited.end)).toBe(cited.excerpt);
  });

  it('passes filters and the reference date of relative periods through to the service', async () => {
    const { local, service } = await serve();
    const remote = await connectHttpSourcier(service.url);
    const options = { limit: 1, now: new Date('2025-06-01T12:00:00Z') };
    const question = "Qu'a traité le port de Marseille l'an dernier ?";
    const theirs = await remote.quote('Tamirat Tola', { source: 'Gazette des Sports' });
    expect(theirs.citations.every((c) => c.source === 'Gazette des Sports')).toBe(true);
    const asked = await remote.ask(question, options);
    const expected = await local.ask(question, options);
    expect(asked.period).toEqual(expected.period);
    expect(asked.citations.length).toBeLessThanOrEqual(1);
  });

  it('re-indexes through POST /reindex and reports the summary', async () => {
    const { service } = await serve();
    const remote = await connectHttpSourcier(service.url);
    const stages: string[] = [];
    const summary = await remote.reindex((p) => stages.push(p.stage));
    expect(summary).toMatchObject({ unchanged: summary.articles, embedded: 0, mode: 'hybrid' });
    expect(remote.stats().generation).toBe(summary.generation);
    expect(stages).toEqual(['verify']);
  });

  it('answers an unknown passage with 404 and the client with undefined', async () => {
    const { service } = await serve();
    const response = await fetch(`${service.url}/passage/${encodeURIComponent('nope#0')}`);
    expect(response.status).toBe(404);
    const remote = await connectHttpSourcier(service.url);
    expect(remote.passage('nope#0')).toBeUndefined();
  });

  it('refuses a malformed body with 400 and an over-long one with 413, naming the problem', async () => {
    const { service } = await serve({ maxBodyBytes: 1000 });
    const post = (body: string) => fetch(`${service.url}/ask`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const notJson = await post('{question');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'QUESTION_INVALID' } });
    const badOption = await post(JSON.stringify({ question: 'x', options: { limit: 0 } }));
    expect(badOption.status).toBe(400);
    expect(((await badOption.json()) as { error: { message: string } }).error.message).toContain('options.limit');
    const tooLong = await post(JSON.stringify({ question: 'x'.repeat(5000) }));
    expect(tooLong.status).toBe(413);
    expect((await fetch(`${service.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${service.url}/ask`)).status).toBe(405);
  });

  it('rethrows the service error code on the client (an empty question is QUESTION_INVALID)', async () => {
    const { local, service } = await serve();
    const localError = await rejection(local.ask('   '));
    const remote = await connectHttpSourcier(service.url);
    const remoteError = await rejection(remote.ask('   '));
    expect(isAppError(localError, 'QUESTION_INVALID')).toBe(true);
    expect(isAppError(remoteError, 'QUESTION_INVALID')).toBe(true);
  });

  it('requires the bearer token when the service has one', async () => {
    const { service } = await serve({ token: 's3cret' });
    expect((await fetch(`${service.url}/stats`)).status).toBe(401);
    expect(isAppError(await rejection(connectHttpSourcier(service.url)), 'FORBIDDEN')).toBe(true);
    const remote = await connectHttpSourcier(service.url, { token: 's3cret' });
    expect(remote.stats().articles).toBeGreaterThan(0);
  });

  it('fails with SERVICE_UNAVAILABLE when nothing listens at the URL', async () => {
    const { service } = await serve();
    const url = service.url;
    await service.close();
    expect(isAppError(await rejection(connectHttpSourcier(url)), 'SERVICE_UNAVAILABLE')).toBe(true);
    const client = new HttpSourcier(url);
    expect(() => client.stats()).toThrow(/No stats/);
  });
});
