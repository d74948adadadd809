import { afterEach, describe, expect, it, vi } from 'vitest';
import { everyFullHour, everyQuarterHour, onCalendar } from '../src/service/scheduler.js';

/**
 * The full hour on node-cron without its check once a second (issue #30): the task is started just before the hour
 * by one timer and stopped once it has run. Fake timers count every callback the scheduler's timers make.
 */
const tz = process.env.TZ;

afterEach(() => {
  vi.useRealTimers();
  process.env.TZ = tz;
});

/** Runs `hours` of fake time and returns the job's times and how many timer callbacks ran. */
function hoursOf(start: string, hours: number, every = everyFullHour): { ticks: string[]; wakes: number } {
  vi.useFakeTimers({ now: Date.parse(start) });
  const ticks: string[] = [];
  const stop = every(() => ticks.push(new Date().toISOString()));
  let wakes = 0;
  // Each step runs at most one timer: the number of steps until the clock passes the end counts the wake-ups.
  const end = Date.now() + hours * 3_600_000;
  while (Date.now() < end && vi.getTimerCount() > 0) {
    vi.advanceTimersToNextTimer();
    wakes++;
  }
  stop();
  return { ticks, wakes };
}

describe('the full hour (node-cron without its per-second check)', () => {
  it('runs at every full hour of the zone, and wakes a dozen times an hour, not 3600', () => {
    process.env.TZ = 'Europe/Copenhagen';
    const { ticks, wakes } = hoursOf('2026-11-23T10:20:00Z', 3);
    expect(ticks).toEqual(['2026-11-23T11:00:00.000Z', '2026-11-23T12:00:00.000Z', '2026-11-23T13:00:00.000Z']);
    // Six re-checks of the clock an hour, and node-cron's three checks around the hour.
    expect(wakes).toBeGreaterThan(3);
    expect(wakes).toBeLessThanOrEqual(3 * 12);
  });

  it('finds the full hour of a zone whose hours are not UTC hours', () => {
    process.env.TZ = 'Asia/Kolkata'; // UTC+5:30
    const { ticks } = hoursOf('2026-11-23T10:05:00Z', 2);
    expect(ticks).toEqual(['2026-11-23T10:30:00.000Z', '2026-11-23T11:30:00.000Z']);
  });

  it('runs every quarter hour for the prices, in a zone whose hours are not UTC hours too, with no check every second', () => {
    process.env.TZ = 'Asia/Kathmandu'; // UTC+5:45
    const { ticks, wakes } = hoursOf('2026-11-23T10:05:00Z', 1, everyQuarterHour);
    expect(ticks).toEqual(['2026-11-23T10:15:00.000Z', '2026-11-23T10:30:00.000Z', '2026-11-23T10:45:00.000Z', '2026-11-23T11:00:00.000Z']);
    expect(wakes).toBeLessThanOrEqual(4 * 8); // a re-check of the clock, the timer that starts node-cron, its checks
  });

  it('stops when told: no job and no timer afterwards', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-23T10:59:00Z') });
    const ticks: number[] = [];
    const stop = everyFullHour(() => ticks.push(Date.now()));
    stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3 * 3_600_000);
    expect(ticks).toEqual([]);
  });

  it('notices a clock stepped forward (NTP at boot) within ten minutes, and runs at the next full hour it shows', () => {
    process.env.TZ = 'UTC';
    vi.useFakeTimers({ now: Date.parse('2026-11-23T10:01:00Z') });
    const ticks: string[] = [];
    const stop = everyFullHour(() => ticks.push(new Date().toISOString()));
    vi.advanceTimersByTime(60_000);
    vi.setSystemTime(Date.parse('2026-11-23T14:40:00Z')); // the clock jumps by 4 h 38 min
    vi.advanceTimersByTime(30 * 60_000);
    stop();
    expect(ticks).toEqual(['2026-11-23T15:00:00.000Z']);
  });

  it('gives up on a task whose hour went away (the clock stepped back), and keeps no per-second check running', () => {
    process.env.TZ = 'UTC';
    vi.useFakeTimers({ now: Date.parse('2026-11-23T10:59:57Z') });
    const ticks: string[] = [];
    const stop = everyFullHour(() => ticks.push(new Date().toISOString()));
    vi.advanceTimersByTime(500); // node-cron's task has started
    vi.setSystemTime(Date.parse('2026-11-23T10:30:00Z')); // and the clock is set back half an hour
    let wakes = 0;
    const end = Date.now() + 40 * 60_000;
    while (Date.now() < end) {
      vi.advanceTimersToNextTimer();
      wakes++;
    }
    stop();
    expect(ticks).toEqual(['2026-11-23T11:00:00.000Z']);
    expect(wakes).toBeLessThan(30);
  });

  it('goes on after a job that throws', () => {
    process.env.TZ = 'UTC';
    vi.useFakeTimers({ now: Date.parse('2026-11-23T10:50:00Z') });
    const ticks: string[] = [];
    const stop = onCalendar('0 0 * * * *', (now) => (Math.floor(now / 3_600_000) + 1) * 3_600_000, () => {
      ticks.push(new Date().toISOString());
      throw new Error('a job that fails');
    });
    vi.advanceTimersByTime(2 * 3_600_000);
    stop();
    expect(ticks).toEqual(['2026-11-23T11:00:00.000Z', '2026-11-23T12:00:00.000Z']);
  });
});
