import { instantOf, wallTime } from './time-zone.js';

export const periods = ['hour', 'day', 'month'] as const;
export type Period = (typeof periods)[number];

/** Start of the period that contains `t`, in the zone. Hours by instant (so the doubled hour of autumn is two hours); days and months by the calendar. */
export function periodStart(period: Period, t: number, timeZone: string): number {
  const w = wallTime(t, timeZone);
  switch (period) {
    case 'hour':
      return t - ((w.minute * 60 + w.second) * 1000 + (((t % 1000) + 1000) % 1000));
    case 'day':
      return instantOf({ year: w.year, month: w.month, day: w.day, hour: 0, minute: 0, second: 0 }, timeZone);
    case 'month':
      return instantOf({ year: w.year, month: w.month, day: 1, hour: 0, minute: 0, second: 0 }, timeZone);
  }
}

/** Start of the next period: a day lasts 23 or 25 hours on the days the clocks change. */
export function periodEnd(period: Period, start: number, timeZone: string): number {
  if (period === 'hour') return start + 3_600_000;
  const w = wallTime(start, timeZone);
  const next = new Date(Date.UTC(w.year, w.month - 1 + (period === 'month' ? 1 : 0), period === 'month' ? 1 : w.day + 1));
  return instantOf({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 }, timeZone);
}
