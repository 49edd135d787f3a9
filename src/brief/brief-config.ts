/**
 * Briefing settings, parsed once at the entry point: where the "what is new" state lives and the optional scheduled
 * briefings per channel.
 *   BRIEF_STATE_FILE  JSON state of past briefings (default data/briefings.json)
 *   BRIEF_SCHEDULE    "<channelId>|<HH:MM [days]>|<topic>;..." — off when empty (the default). Days: lun-ven, lun,mer,ven,
 *                     mon-fri, * or nothing for every day. Times are the server's local time.
 */
import { AppError } from '../core/app-error.js';
import { emptyToUndefined } from '../core/config.js';

export const DEFAULT_BRIEF_STATE_FILE = 'data/briefings.json';

/** One scheduled briefing. */
export interface ScheduledBrief {
  channelId: string;
  /** Hour 0..23 and minute 0..59, local time. */
  hour: number;
  minute: number;
  /** Weekdays it runs on, 0 = Sunday … 6 = Saturday. */
  days: number[];
  topic: string;
}

export interface BriefConfig {
  /** Default `data/briefings.json`. */
  stateFile: string;
  /** Empty: no scheduled briefings (the default). */
  schedule: ScheduledBrief[];
}

const DAY_NAMES: Record<string, number> = {
  dim: 0, dimanche: 0, sun: 0, sunday: 0,
  lun: 1, lundi: 1, mon: 1, monday: 1,
  mar: 2, mardi: 2, tue: 2, tuesday: 2,
  mer: 3, mercredi: 3, wed: 3, wednesday: 3,
  jeu: 4, jeudi: 4, thu: 4, thursday: 4,
  ven: 5, vendredi: 5, fri: 5, friday: 5,
  sam: 6, samedi: 6, sat: 6, saturday: 6,
};

/** Parses the briefing settings from an env-like record. Throws CONFIG_INVALID naming the bad entry. */
export function parseBriefConfig(env: Record<string, string | undefined>): BriefConfig {
  return {
    stateFile: emptyToUndefined(env.BRIEF_STATE_FILE) ?? DEFAULT_BRIEF_STATE_FILE,
    schedule: parseBriefSchedule(emptyToUndefined(env.BRIEF_SCHEDULE) ?? ''),
  };
}

/** Parses BRIEF_SCHEDULE: entries separated by ";", fields by "|". */
export function parseBriefSchedule(value: string): ScheduledBrief[] {
  const out: ScheduledBrief[] = [];
  for (const raw of value.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const bad = (why: string) =>
      new AppError('CONFIG_INVALID', `BRIEF_SCHEDULE entry "${entry}": ${why}. Write "<channelId>|<HH:MM [days]>|<topic>", e.g. "123456789012345678|08:30 lun-ven|coalition anti-Daech".`);
    const [channel, when, ...topicParts] = entry.split('|').map((s) => s.trim());
    const topic = topicParts.join('|').trim();
    if (!channel || !/^\d{17,20}$/.test(channel)) throw bad('the channel id must be a Discord id (17 to 20 digits)');
    if (!when) throw bad('the time is missing');
    if (topic === '') throw bad('the topic is missing');
    const m = /^(\d{1,2})[:h](\d{2})(?:\s+(.+))?$/i.exec(when);
    if (!m) throw bad('the time must be HH:MM');
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    if (hour > 23 || minute > 59) throw bad('the time must be between 00:00 and 23:59');
    out.push({ channelId: channel, hour, minute, days: parseDays(m[3], bad), topic });
  }
  return out;
}

function parseDays(text: string | undefined, bad: (why: string) => AppError): number[] {
  if (text === undefined || text.trim() === '*' || text.trim() === '') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(/[,\s]+/).filter(Boolean)) {
    const range = part.split('-');
    const ends = range.map((d) => DAY_NAMES[d.replace(/\.$/, '')]);
    if (ends.some((d) => d === undefined) || ends.length > 2) throw bad(`unknown day "${part}" (use lun, mar, mer, jeu, ven, sam, dim, ranges like lun-ven, or *)`);
    if (ends.length === 1) days.add(ends[0]!);
    else for (let d = ends[0]!; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === ends[1]) break;
    }
  }
  return [...days].sort();
}
