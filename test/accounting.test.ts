import { afterEach, describe, expect, it, vi } from 'vitest';
import { Accounting, emptyPeriods, type LastReading, type RegisterPeriods } from '../src/accounting/accounting.js';
import { periodEnd, periodStart } from '../src/accounting/periods.js';
import { instantOf, LOCAL_TIME_ZONE, meterInstant, nextFullHour, unknownTimeZone, wallTime } from '../src/accounting/time-zone.js';
import { everyFullHour } from '../src/service/scheduler.js';

const tz = 'Europe/Copenhagen';
const at = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => instantOf({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, tz);
const iso = (t: number) => new Date(t).toISOString();
const GAP = 120_000; // the service uses twice its 60 s data timeout

/** One register as the service core keeps it: its periods here, its last reading with the meter's values. */
class Register {
  periods: RegisterPeriods = emptyPeriods();
  last: LastReading | null = null;
  constructor(readonly acc: Accounting) {}
  observe(value: number, at: number): boolean {
    const changed = this.acc.observe(this.periods, this.last, value, at);
    this.last = { value, at };
    return changed;
  }
  tick(at: number): boolean {
    return this.acc.tick(this.periods, this.last, at);
  }
  values() {
    return this.acc.values(this.periods, this.last);
  }
}

const register = () => new Register(new Accounting(tz, GAP));

/** A meter drawing a constant `kw`, read every `everyS` seconds from `from` to `to`; register in kWh with 10 Wh steps. */
function run(reg: Register, from: number, to: number, kw: number, everyS = 10, startKwh = 1000) {
  let t = from;
  for (; t <= to; t += everyS * 1000) reg.observe(Math.floor((startKwh + (kw * (t - from)) / 3_600_000) * 100) / 100, t);
  return t;
}

describe('periods in Europe/Copenhagen', () => {
  it('days last 23 and 25 hours when the clocks change, hours stay hours', () => {
    expect((periodEnd('day', at(2026, 3, 29, 0), tz) - at(2026, 3, 29, 0)) / 3_600_000).toBe(23);
    expect((periodEnd('day', at(2026, 10, 25, 0), tz) - at(2026, 10, 25, 0)) / 3_600_000).toBe(25);
    expect(iso(periodStart('month', at(2026, 2, 28, 23, 59), tz))).toBe('2026-01-31T23:00:00.000Z');
    // the doubled hour of autumn: two different hours
    const first = Date.parse('2026-10-25T00:30:00Z');
    const second = Date.parse('2026-10-25T01:30:00Z');
    expect(periodStart('hour', first, tz)).not.toBe(periodStart('hour', second, tz));
  });
});

describe("the process's own zone (what the service uses, without Intl)", () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
    vi.useRealTimers();
  });

  it('reads the same wall clock as the named zone, across both daylight-saving changes', () => {
    process.env.TZ = tz;
    for (const day of [Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-10-24T12:00:00Z')]) {
      for (let t = day; t < day + 36 * 3_600_000; t += 15 * 60_000) {
        expect(wallTime(t, LOCAL_TIME_ZONE)).toEqual(wallTime(t, tz));
        const w = wallTime(t, tz);
        expect(instantOf(w, LOCAL_TIME_ZONE), new Date(t).toISOString()).toBe(instantOf(w, tz));
      }
    }
    expect(periodEnd('day', at(2026, 10, 25, 0), LOCAL_TIME_ZONE)).toBe(periodEnd('day', at(2026, 10, 25, 0), tz));
  });

  it('finds the next full hour of the zone, also where that is not a full UTC hour', () => {
    process.env.TZ = 'Asia/Kolkata'; // UTC+5:30
    expect(new Date(nextFullHour(Date.parse('2026-11-23T10:05:00Z'), LOCAL_TIME_ZONE)).toISOString()).toBe('2026-11-23T10:30:00.000Z');
    expect(new Date(nextFullHour(Date.parse('2026-11-23T10:30:00Z'), 'Asia/Kolkata')).toISOString()).toBe('2026-11-23T11:30:00.000Z');
    process.env.TZ = tz;
    expect(new Date(nextFullHour(Date.parse('2026-11-23T10:59:59Z'), LOCAL_TIME_ZONE)).toISOString()).toBe('2026-11-23T11:00:00.000Z');
  });

  it('names a time zone the system does not know, and no other', () => {
    process.env.TZ = 'Europe/Osloo';
    expect(unknownTimeZone()).toBe('Europe/Osloo');
    for (const zone of [tz, 'UTC', 'Etc/UTC', 'Europe/London', 'Africa/Abidjan', 'Asia/Kolkata']) {
      process.env.TZ = zone;
      expect(unknownTimeZone(), zone).toBeNull();
    }
    delete process.env.TZ;
    expect(unknownTimeZone()).toBeNull();
  });

  it('ticks at every full hour of the zone (node-cron, no Intl) and stops when told', () => {
    process.env.TZ = tz;
    vi.useFakeTimers({ now: Date.parse('2026-11-23T10:20:00Z') });
    const ticks: string[] = [];
    const stop = everyFullHour(() => ticks.push(new Date().toISOString()));
    vi.advanceTimersByTime(3 * 3_600_000);
    stop();
    vi.advanceTimersByTime(3 * 3_600_000);
    expect(ticks).toEqual(['2026-11-23T11:00:00.000Z', '2026-11-23T12:00:00.000Z', '2026-11-23T13:00:00.000Z']);
  });
});

describe('energy accounting', () => {
  it('rolls the hour over with the reading nearest the boundary: hours add up to the register', () => {
    const acc = register();
    run(acc, at(2026, 11, 23, 10, 0, 5), at(2026, 11, 23, 11, 10, 5), 3.6);
    const v = acc.values();
    expect(v.previous.hour).toMatchObject({ start: at(2026, 11, 23, 10), end: at(2026, 11, 23, 11), gap: false });
    expect(v.previous.hour!.value).toBeCloseTo(3.6, 1);
    expect(v.hour).toMatchObject({ start: at(2026, 11, 23, 11), gap: false });
    expect(v.hour!.value! + v.previous.hour!.value!).toBeCloseTo(v.day!.value!, 6);
  });

  it('rolls the day at midnight and the month at its end', () => {
    const acc = register();
    run(acc, at(2026, 1, 31, 23, 30), at(2026, 2, 1, 0, 30), 1.2, 60);
    const v = acc.values();
    expect(v.previous.day).toMatchObject({ start: at(2026, 1, 31, 0), end: at(2026, 2, 1, 0) });
    expect(v.previous.month).toMatchObject({ start: at(2026, 1, 1, 0), end: at(2026, 2, 1, 0), gap: true }); // began mid-month
    expect(v.previous.day!.value).toBeCloseTo(0.6, 1);
    expect(v.month).toMatchObject({ start: at(2026, 2, 1, 0), gap: false });
  });

  it.each([
    ['spring (23 h)', 3, 29, 23],
    ['autumn (25 h)', 10, 25, 25],
  ])('a daylight-saving day in %s totals its real hours', (_name, month, day, hours) => {
    const acc = register();
    run(acc, at(2026, month, day - 1, 23, 30), at(2026, month, day + 1, 0, 30), 1, 60);
    const v = acc.values();
    expect(v.previous.day).toMatchObject({ start: at(2026, month, day, 0), gap: false });
    expect(v.previous.day!.value).toBeCloseTo(hours, 1);
  });

  it('a restart in the middle of an hour keeps the hour right', () => {
    const before = register();
    const t = run(before, at(2026, 11, 23, 10, 0, 5), at(2026, 11, 23, 10, 30), 3.6);
    // ...the add-on restarts within a minute and reads its state back, as JSON from its state file
    const after = register();
    after.periods = JSON.parse(JSON.stringify(before.periods)) as RegisterPeriods;
    after.last = before.last;
    run(after, t + 40_000, at(2026, 11, 23, 11, 0, 5), 3.6, 10, 1000 + (3.6 * (t + 40_000 - at(2026, 11, 23, 10, 0, 5))) / 3_600_000);
    const v = after.values();
    expect(v.previous.hour).toMatchObject({ start: at(2026, 11, 23, 10), gap: false });
    expect(v.previous.hour!.value).toBeCloseTo(3.6, 1);
  });

  it('marks an outage that spans hours as a gap and folds nothing into the next hour', () => {
    const acc = register();
    run(acc, at(2026, 11, 23, 10, 0, 5), at(2026, 11, 23, 10, 40), 3.6);
    const resumed = at(2026, 11, 23, 12, 20);
    // while the meter is silent, the hourly clock closes the hour with what was seen
    acc.tick(at(2026, 11, 23, 11));
    expect(acc.values().previous.hour).toMatchObject({ start: at(2026, 11, 23, 10), gap: true });
    expect(acc.values().previous.hour!.value).toBeCloseTo(2.4, 1);
    acc.tick(at(2026, 11, 23, 12));
    expect(acc.values().previous.hour).toMatchObject({ start: at(2026, 11, 23, 11), value: null, gap: true });
    run(acc, resumed, at(2026, 11, 23, 12, 30), 3.6, 10, 1000 + 6);
    const v = acc.values();
    expect({ ...v.hour, start: iso(v.hour!.start) }).toMatchObject({ start: iso(at(2026, 11, 23, 12)), gap: true });
    expect(v.hour!.value).toBeCloseTo(0.6, 1); // 12:20 to 12:30 only: the outage's 3.6 kWh are in no hour
    expect(v.day).toMatchObject({ gap: true }); // the register keeps the day's total right, but the day had a hole
  });

  it('a register sent once an hour (HAN-NVE list 2) rolls over with the reading just after the hour', () => {
    const acc = register();
    for (let h = 8; h <= 11; h++) acc.observe(500 + h * 2, at(2026, 11, 23, h, 0, 5));
    const v = acc.values();
    expect(v.previous.hour).toMatchObject({ start: at(2026, 11, 23, 10), value: 2, gap: false });
  });
});

describe('a meter clock read as an instant', () => {
  it('reads local wall-clock time in the zone, and anything else as Date.parse does, or not at all', () => {
    expect(meterInstant('2026-11-23T21:05:10', 'Europe/Copenhagen')).toBe(Date.UTC(2026, 10, 23, 20, 5, 10));
    expect(meterInstant('2026-07-01T00:00:00', 'Europe/Copenhagen')).toBe(Date.UTC(2026, 5, 30, 22, 0, 0));
    expect(meterInstant('2026-11-23T21:05:10', 'UTC')).toBe(Date.UTC(2026, 10, 23, 21, 5, 10));
    // A clock the meter gave with its deviation is an instant already.
    expect(meterInstant('2026-11-23T21:05:10+01:00', 'UTC')).toBe(Date.UTC(2026, 10, 23, 20, 5, 10));
    expect(meterInstant('2026-11-23T21:05:10Z', 'Europe/Copenhagen')).toBe(Date.UTC(2026, 10, 23, 21, 5, 10));
    for (const bad of ['', 'not a clock', '2026-11-23 21:05:1x', '2026-1x-23T21:05:10', '20261123T210510']) expect(meterInstant(bad, 'UTC'), bad).toBeNull();
  });
});
