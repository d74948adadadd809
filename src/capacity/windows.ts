import { isoWeekday, wallTime } from '../accounting/time-zone.js';
import type { CapacityRule } from './rule.js';

/** What the calendar says of a window, by the local time it starts at. */
export interface WindowFacts {
  readonly start: number;
  /** `YYYY-MM-DD`: the day a window is on, for rules that count one peak per day. */
  readonly day: string;
  /** `YYYY-MM`: the month a window is in. */
  readonly monthKey: string;
  readonly month: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  readonly weekday: number;
  readonly hour: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function windowFacts(start: number, timeZone: string): WindowFacts {
  const w = wallTime(start, timeZone);
  const weekday = isoWeekday(w);
  const monthKey = `${w.year}-${pad(w.month)}`;
  return { start, day: `${monthKey}-${pad(w.day)}`, monthKey, month: w.month, weekday, hour: w.hour };
}

/** `YYYY-MM` of an instant, in the zone: the key of a monthly value. */
export function monthKey(at: number, timeZone: string): string {
  const w = wallTime(at, timeZone);
  return `${w.year}-${pad(w.month)}`;
}

/**
 * The factor a window's average counts at under the rule: 0 when its month, weekday or hour does not count, the night
 * weight in the night hours, 1 otherwise.
 */
export function windowWeight(rule: CapacityRule, f: WindowFacts): number {
  if (rule.months !== null && !rule.months.includes(f.month)) return 0;
  if (rule.weekdays !== null && !rule.weekdays.includes(f.weekday)) return 0;
  if (rule.hours !== null && !rule.hours.includes(f.hour)) return 0;
  const n = rule.night;
  if (n === null) return 1;
  const inNight = n.fromHour < n.toHour ? f.hour >= n.fromHour && f.hour < n.toHour : f.hour >= n.fromHour || f.hour < n.toHour;
  return inNight ? n.weight : 1;
}
