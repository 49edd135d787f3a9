import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/app-error.js';
import { RateLimiter } from '../../src/discord/rate-limiter.js';
import { WorkQueue } from '../../src/discord/work-queue.js';

const deferred = () => {
  let resolve!: (v: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs at once and refuses with BUSY beyond `max`', async () => {
    const q = new WorkQueue({ concurrency: 1, max: 2, timeoutMs: 10_000 });
    const a = deferred();
    const b = deferred();
    let started = 0;
    const ra = q.run(() => (started++, a.promise));
    const rb = q.run(() => (started++, b.promise));
    expect(started).toBe(1);
    let caught: unknown;
    try {
      q.admit();
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'BUSY')).toBe(true);
    a.resolve('a');
    expect(await ra).toBe('a');
    expect(started).toBe(2);
    b.resolve('b');
    expect(await rb).toBe('b');
    expect(q.size).toBe(0);
  });

  it('rejects with TIMEOUT after timeoutMs and frees the slot only when the job really ends', async () => {
    const q = new WorkQueue({ concurrency: 1, max: 1, timeoutMs: 50 });
    const slow = deferred();
    const error = await q.run(() => slow.promise).catch((e: unknown) => e);
    expect(isAppError(error, 'TIMEOUT')).toBe(true);
    expect(q.size).toBe(1);
    slow.resolve('late');
    await new Promise((r) => setImmediate(r));
    expect(q.size).toBe(0);
  });

  it('counts an admitted ticket until it is run or released', () => {
    const q = new WorkQueue({ concurrency: 1, max: 1, timeoutMs: 1000 });
    const ticket = q.admit();
    expect(q.size).toBe(1);
    ticket.release();
    expect(q.size).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('allows `count` hits per window per key and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter({ count: 2, windowMs: 1000 }, () => now);
    expect(limiter.take('u')).toBe(0);
    now = 100;
    expect(limiter.take('u')).toBe(0);
    expect(limiter.take('u')).toBe(900);
    expect(limiter.take('v')).toBe(0);
    now = 1001;
    expect(limiter.take('u')).toBe(0);
  });
});

describe('WorkQueue abandonment', () => {
  it('never starts a job whose caller already got TIMEOUT while it waited', async () => {
    const q = new WorkQueue({ concurrency: 1, max: 3, timeoutMs: 50 });
    const first = deferred();
    let secondStarted = false;
    const r1 = q.run(() => first.promise).catch((e: unknown) => e);
    const r2 = q.run(async () => {
      secondStarted = true;
      return 'second';
    }).catch((e: unknown) => e);
    expect(isAppError(await r2, 'TIMEOUT')).toBe(true);
    first.resolve('first');
    await r1;
    await new Promise((r) => setImmediate(r));
    expect(secondStarted).toBe(false);
    expect(q.size).toBe(0);
  });
});
