/**
 * Runs scheduled briefings at their time. One timer for the earliest due entry; the clock is injected so tests move
 * time forward without waiting. A run that fails is logged and the schedule goes on.
 */
import { silentLogger, type Logger } from '../core/logger.js';
import type { ScheduledBrief } from './brief-config.js';

/** Time source and timers; the default uses the real ones. */
export interface SchedulerClock {
  now(): Date;
  setTimer(ms: number, fire: () => void): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: SchedulerClock = {
  now: () => new Date(),
  setTimer: (ms, fire) => {
    const t = setTimeout(fire, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BriefScheduler {
  /** When each entry runs next. */
  upcoming(): Array<{ entry: ScheduledBrief; at: Date }>;
  stop(): void;
}

/** The first time strictly after `from` (local time) at which `entry` is due. */
export function nextRun(entry: ScheduledBrief, from: Date): Date {
  for (let d = 0; d <= 7; d++) {
    const at = new Date(from.getFullYear(), from.getMonth(), from.getDate() + d, entry.hour, entry.minute, 0, 0);
    if (at.getTime() > from.getTime() && entry.days.includes(at.getDay())) return at;
  }
  // Unreachable with at least one day; a week later keeps the timer finite regardless.
  return new Date(from.getTime() + 7 * 86_400_000);
}

/** Starts the schedule; `run` is called for each entry when it is due (one at a time, in order). */
export function startBriefScheduler(
  entries: readonly ScheduledBrief[],
  run: (entry: ScheduledBrief, at: Date) => Promise<void>,
  options: { clock?: SchedulerClock; logger?: Logger } = {},
): BriefScheduler {
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? silentLogger;
  const due = entries.map((entry) => ({ entry, at: nextRun(entry, clock.now()) }));
  let timer: unknown;
  let stopped = false;

  const arm = () => {
    if (stopped || due.length === 0) return;
    const earliest = Math.min(...due.map((d) => d.at.getTime()));
    timer = clock.setTimer(Math.max(0, earliest - clock.now().getTime()), () => void fire());
  };
  const fire = async () => {
    timer = undefined;
    const now = clock.now();
    for (const d of due) {
      if (stopped || d.at.getTime() > now.getTime()) continue;
      const at = d.at;
      d.at = nextRun(d.entry, now);
      try {
        await run(d.entry, at);
      } catch (error) {
        logger.error('scheduled briefing failed', { channelId: d.entry.channelId, topic: d.entry.topic, error });
      }
    }
    arm();
  };
  arm();
  return {
    upcoming: () => due.map((d) => ({ entry: d.entry, at: d.at })),
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
    },
  };
}
