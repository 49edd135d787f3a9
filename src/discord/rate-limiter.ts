import type { RateLimit } from './discord-config.js';

/** Sliding-window limiter keyed by user or channel id. Memory stays bounded: old keys are swept on use. */
export class RateLimiter {
  #hits = new Map<string, number[]>();
  #lastSweep = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit for `key` and returns 0, or returns the milliseconds to wait (nothing recorded). */
  take(key: string): number {
    const t = this.now();
    this.#sweep(t);
    const since = t - this.limit.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((h) => h > since);
    if (hits.length >= this.limit.count) {
      this.#hits.set(key, hits);
      return hits[0]! + this.limit.windowMs - t;
    }
    hits.push(t);
    this.#hits.set(key, hits);
    return 0;
  }

  #sweep(t: number): void {
    if (t - this.#lastSweep < this.limit.windowMs) return;
    this.#lastSweep = t;
    for (const [key, hits] of this.#hits) {
      if (hits.every((h) => h <= t - this.limit.windowMs)) this.#hits.delete(key);
    }
  }
}
