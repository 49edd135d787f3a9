import { describe, expect, it } from 'vitest';
import { parseBriefSchedule, type ScheduledBrief } from '../../src/brief/brief-config.js';
import { nextRun, startBriefScheduler, type SchedulerClock } from '../../src/brief/brief-scheduler.js';

/** A clock whose time moves only when the test says; timers fire in time order as it passes them. */
function fakeClock(start: Date) {
  let now = start.getTime();
  let timers: Array<{ at: number; fire: () => void; id: number }> = [];
  let ids = 0;
  const clock: SchedulerClock = {
    now: () => new Date(now),
    setTimer(ms, fire) {
      const id = ++ids;
      timers.push({ at: now + ms, fire, id });
      return id;
    },
    clearTimer(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  return {
    clock,
    pending: () => timers.length,
    /** Moves time forward, firing due timers (and letting their async work settle). */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.fire();
        for (let i = 0; i < 10; i++) await Promise.resolve();
      }
      now = end;
    },
  };
}

const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);

describe('BRIEF_SCHEDULE', () => {
  it('parses channels, times, French day ranges and topics; empty means off', () => {
    expect(parseBriefSchedule('')).toEqual([]);
    expect(parseBriefSchedule('123456789012345678|08:30 lun-ven|coalition anti-Daech; 223456789012345678|18h05|Tanger Med')).toEqual([
      { channelId: '123456789012345678', hour: 8, minute: 30, days: [1, 2, 3, 4, 5], topic: 'coalition anti-Daech' },
      { channelId: '223456789012345678', hour: 18, minute: 5, days: [0, 1, 2, 3, 4, 5, 6], topic: 'Tanger Med' },
    ]);
    expect(parseBriefSchedule('123456789012345678|07:00 sam,dim|x')[0]!.days).toEqual([0, 6]);
  });

  it('refuses malformed entries with CONFIG_INVALID', () => {
    for (const bad of ['abc|08:30|x', '123456789012345678|25:00|x', '123456789012345678|08:30 lundo|x', '123456789012345678|08:30|']) {
      expect(() => parseBriefSchedule(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});

describe('the briefing scheduler', () => {
  const weekdays: ScheduledBrief = { channelId: '123456789012345678', hour: 8, minute: 30, days: [1, 2, 3, 4, 5], topic: 'coalition' };

  it('computes the next run on an allowed day, strictly after now', () => {
    // 2024-03-08 is a Friday.
    expect(nextRun(weekdays, local(2024, 3, 8, 8, 0))).toEqual(local(2024, 3, 8, 8, 30));
    expect(nextRun(weekdays, local(2024, 3, 8, 8, 30))).toEqual(local(2024, 3, 11, 8, 30));
    expect(nextRun(weekdays, local(2024, 3, 9, 12, 0))).toEqual(local(2024, 3, 11, 8, 30));
  });

  it('runs each entry at its time over a simulated week, keeps going after a failure, and stops', async () => {
    const fake = fakeClock(local(2024, 3, 8, 7, 0));
    const evening: ScheduledBrief = { channelId: '223456789012345678', hour: 18, minute: 0, days: [0, 1, 2, 3, 4, 5, 6], topic: 'port' };
    const runs: string[] = [];
    let failOnce = true;
    const errors: unknown[] = [];
    const scheduler = startBriefScheduler(
      [weekdays, evening],
      async (entry, at) => {
        runs.push(`${entry.topic}@${at.getDate()}T${at.getHours()}`);
        if (failOnce) {
          failOnce = false;
          throw new Error('discord down');
        }
      },
      { clock: fake.clock, logger: { debug() {}, info() {}, warn() {}, error: (_m, f) => errors.push(f) } },
    );
    await fake.advance(7 * 24 * 3_600_000);
    expect(runs).toEqual([
      'coalition@8T8', 'port@8T18', 'port@9T18', 'port@10T18',
      'coalition@11T8', 'port@11T18', 'coalition@12T8', 'port@12T18', 'coalition@13T8', 'port@13T18', 'coalition@14T8', 'port@14T18',
    ]);
    expect(errors).toHaveLength(1);
    scheduler.stop();
    expect(fake.pending()).toBe(0);
    await fake.advance(7 * 24 * 3_600_000);
    expect(runs).toHaveLength(12);
  });
});
