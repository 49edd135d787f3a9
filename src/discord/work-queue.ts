import { AppError } from '../core/app-error.js';

export interface WorkQueueOptions {
  /** Jobs running at once (default 2). */
  concurrency: number;
  /** Jobs running plus waiting; one more is refused with BUSY (default 20). */
  max: number;
  /** Milliseconds after which the caller gets TIMEOUT (the job itself cannot be cancelled and keeps its slot). */
  timeoutMs: number;
}

/**
 * Bounded work in front of the core: a concurrency limit, a maximum backlog, and a deadline per job.
 * `admit` is separate from `run` so a caller can tell the user "busy" before doing anything slow (Discord's
 * 3-second deadline), then defer and run.
 */
export class WorkQueue {
  #running = 0;
  #waiting: Array<() => void> = [];
  #reserved = 0;

  constructor(private readonly options: WorkQueueOptions) {}

  /** Jobs running, waiting or admitted. */
  get size(): number {
    return this.#running + this.#waiting.length + this.#reserved;
  }

  /** Reserves a place or throws BUSY. The ticket must be passed to `run` (or released). */
  admit(): { release(): void; run<T>(job: () => Promise<T>): Promise<T> } {
    if (this.size >= this.options.max) {
      throw new AppError('BUSY', `Work queue full (${this.options.max} jobs); try again shortly.`);
    }
    this.#reserved += 1;
    let used = false;
    const take = () => {
      if (used) return false;
      used = true;
      this.#reserved -= 1;
      return true;
    };
    return {
      release: () => void take(),
      run: <T>(job: () => Promise<T>) => {
        if (!take()) return Promise.reject(new AppError('INTERNAL', 'Queue ticket used twice; this is a bug.'));
        return this.#schedule(job);
      },
    };
  }

  /** admit() then run(). */
  run<T>(job: () => Promise<T>): Promise<T> {
    return this.admit().run(job);
  }

  #schedule<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new AppError('TIMEOUT', `No answer within ${this.options.timeoutMs} ms; the question was abandoned.`));
      }, this.options.timeoutMs);
      const start = () => {
        if (timedOut) {
          // Abandoned while waiting: skip it and give the slot to the next one.
          this.#waiting.shift()?.();
          return;
        }
        this.#running += 1;
        let result: Promise<T>;
        try {
          result = Promise.resolve(job());
        } catch (error) {
          result = Promise.reject(error);
        }
        // The slot is freed (and the next job started) before the caller hears back.
        const settle = () => {
          clearTimeout(timer);
          this.#running -= 1;
          this.#waiting.shift()?.();
        };
        result.then(
          (value) => {
            settle();
            if (!timedOut) resolve(value);
          },
          (error: unknown) => {
            settle();
            if (!timedOut) reject(error);
          },
        );
      };
      if (this.#running < this.options.concurrency) start();
      else this.#waiting.push(start);
    });
  }
}
