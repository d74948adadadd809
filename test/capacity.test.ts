import { describe, expect, it } from 'vitest';
import { Accounting, emptyPeriods, type LastReading } from '../src/accounting/accounting.js';
import { instantOf } from '../src/accounting/time-zone.js';
import { CapacityMachine, restoreCapacity, type CapacityOptions } from '../src/capacity/machine.js';
import { presets, type CapacityRule } from '../src/capacity/rule.js';
import { windowStart } from '../src/accounting/register-windows.js';
import { prng, seed } from './support/random.js';

const QUARTER = 900_000;
const STEP = 10_000;
/** The shortest silence that is a gap; the service passes twice its data timeout. */
const GAP = 60_000;

const localTime = (tz: string) => (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => instantOf({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, tz);
const oslo = localTime('Europe/Oslo');
const brussels = localTime('Europe/Brussels');
const stockholm = localTime('Europe/Stockholm');

const machine = (rule: CapacityRule, timeZone: string, extra: Partial<CapacityOptions> = {}) => new CapacityMachine({ rule, steps: null, timeZone, minGapMs: GAP, ...extra });

/** Energy per quarter hour: a seeded household baseline of 0.2 to 1.4 kW, and the loads a test places. */
class Profile {
  private readonly loads = new Map<number, number>();
  constructor(private readonly salt = 0) {}
  /** Whole Wh per quarter hour, so that the register is exact at every boundary. */
  wh(quarter: number): number {
    return this.loads.get(quarter) ?? 50 + Math.floor(prng((seed + this.salt + quarter / QUARTER) >>> 0)() * 300);
  }
  quarter(start: number, kW: number): this {
    this.loads.set(start, Math.round(kW * 250));
    return this;
  }
  hour(start: number, kW: number): this {
    for (let q = 0; q < 4; q++) this.quarter(start + q * QUARTER, kW);
    return this;
  }
}

/**
 * A P1 or HAN meter's import register, read every 10 s: it counts whole Wh of the profile's energy, the power being
 * constant in each quarter hour (the zones here are whole hours from UTC, so a UTC quarter is a local one). Frames
 * land on the 10-s grid, so each boundary has a frame at it.
 */
class Meter {
  private quarter: number;
  private whAtQuarter = 0;
  /** What the register shows less the energy counted since the start (a replaced meter starts afresh). */
  offsetWh = 5_000_000;
  t: number;
  constructor(
    public m: CapacityMachine,
    start: number,
    private readonly profile: Profile,
  ) {
    this.t = start;
    this.quarter = Math.floor(start / QUARTER) * QUARTER;
  }
  /** The energy counted since the start at `t`, Wh. */
  energyWh(t: number): number {
    while (t >= this.quarter + QUARTER) {
      this.whAtQuarter += this.profile.wh(this.quarter);
      this.quarter += QUARTER;
    }
    return this.whAtQuarter + Math.round((this.profile.wh(this.quarter) * (t - this.quarter)) / QUARTER);
  }
  registerKwh(t: number): number {
    return (this.offsetWh + this.energyWh(t)) / 1000;
  }
  /** Frames from the current time up to and including `until`, except those `skip` drops. */
  run(until: number, skip: (t: number) => boolean = () => false): this {
    for (; this.t <= until; this.t += STEP) if (!skip(this.t)) this.m.observe(this.t, this.registerKwh(this.t));
    return this;
  }
}

describe('capacity windows on the local clock', () => {
  const starts = (from: number, to: number, minutes: 15 | 60, tz: string) => {
    const s = new Set<number>();
    for (let t = from; t < to; t += 60_000) s.add(windowStart(t, minutes, tz));
    return s;
  };

  it('a 23-hour day has 92 quarter hours and 23 hours, a 25-hour day 100 and 25: the repeated hour is windows of its own', () => {
    expect(starts(brussels(2026, 3, 29, 0), brussels(2026, 3, 30, 0), 15, 'Europe/Brussels').size).toBe(92);
    expect(starts(brussels(2026, 10, 25, 0), brussels(2026, 10, 26, 0), 15, 'Europe/Brussels').size).toBe(100);
    expect(starts(oslo(2026, 3, 29, 0), oslo(2026, 3, 30, 0), 60, 'Europe/Oslo').size).toBe(23);
    expect(starts(oslo(2026, 10, 25, 0), oslo(2026, 10, 26, 0), 60, 'Europe/Oslo').size).toBe(25);
    // The two 02:15 quarters of 25 October in Brussels: 00:15 and 01:15 UTC.
    const repeated = [...starts(brussels(2026, 10, 25, 0), brussels(2026, 10, 26, 0), 15, 'Europe/Brussels')].filter((t) => new Date(t).getUTCMinutes() === 15 && [0, 1].includes(new Date(t).getUTCHours()));
    expect(repeated.map((t) => new Date(t).toISOString())).toEqual(['2026-10-25T00:15:00.000Z', '2026-10-25T01:15:00.000Z']);
  });

  it('windows follow the local clock where it is not a whole hour from UTC (Asia/Kolkata, +05:30)', () => {
    const t = Date.UTC(2026, 0, 10, 4, 40, 7); // 10:10:07 in Kolkata
    expect(new Date(windowStart(t, 60, 'Asia/Kolkata')).toISOString()).toBe('2026-01-10T04:30:00.000Z');
    expect(new Date(windowStart(t, 15, 'Asia/Kolkata')).toISOString()).toBe('2026-01-10T04:30:00.000Z');
  });
});

describe('a month of 10-s register frames gives the values worked out by hand', () => {
  it('Norway (no-3-daily-max), March 2026 in Europe/Oslo with its 23-hour day: peaks, value, headroom, rollover', () => {
    const p = new Profile(1)
      .hour(oslo(2026, 3, 2, 17), 6.0) // same day as the 7.2 kW hour: only the day's highest counts
      .hour(oslo(2026, 3, 2, 18), 7.2)
      .hour(oslo(2026, 3, 10, 8), 5.4) // a tie on one day: the earlier hour is the day's peak
      .hour(oslo(2026, 3, 10, 20), 5.4)
      .hour(oslo(2026, 3, 15, 12), 5.0) // the fourth day: not counted
      .hour(oslo(2026, 3, 29, 3), 6.6) // 03:00 on the 23-hour day, 01:00 UTC
      .quarter(oslo(2026, 3, 31, 18), 3.0)
      .quarter(oslo(2026, 3, 31, 18, 15), 3.0);
    const m = machine(presets['no-3-daily-max'].rule, 'Europe/Oslo');
    const meter = new Meter(m, oslo(2026, 3, 1, 0), p);

    // The chosen instant: 31 March 18:20, 3.0 kW since 18:00, so 1.0 kWh in this hour's window so far.
    const chosen = oslo(2026, 3, 31, 18, 20);
    meter.run(chosen);
    const v = m.values(chosen, 3000);
    // The three highest hours on different days: 7.2 (2 March 18:00), 6.6 (29 March 03:00), 5.4 (10 March 08:00).
    expect(v.peaks.map((x) => [new Date(x.start).toISOString(), x.kW])).toEqual([
      ['2026-03-02T17:00:00.000Z', 7.2],
      ['2026-03-29T01:00:00.000Z', 6.6],
      ['2026-03-10T07:00:00.000Z', 5.4],
    ]);
    // (7.2 + 6.6 + 5.4) / 3 = 19.2 / 3 = 6.4 kW
    expect(v.valueKw).toBe(6.4);
    expect(v.billedKw).toBe(6.4);
    expect(v.twelveMonths).toBeNull();
    // The window so far: 1.0 kWh over a 1-hour window = 1.0 kW; projected at 3.0 kW for the 40 minutes left:
    // (1.0 + 3.0 × 40/60) / 1 = 3.0 kW.
    expect(v.window).toMatchObject({ start: oslo(2026, 3, 31, 18), averageKw: 1.0, projectedKw: 3.0, weight: 1, gap: false });
    // Headroom: this hour does not raise the value while it ends at or below the third peak, 5.4 kW (a tie changes no
    // sum); 5.4 kWh − 1.0 kWh used = 4.4 kWh over the 40 minutes left = 4.4 / (2/3) = 6.6 kW.
    expect(v.headroomKw).toBe(6.6);

    // Month rollover at local midnight (22:00 UTC): April starts with no peaks but the running hour's.
    meter.run(oslo(2026, 4, 1, 0, 30));
    const april = m.values(oslo(2026, 4, 1, 0, 30), 500);
    expect(april.peaks).toHaveLength(1);
    expect(april.peaks[0]).toMatchObject({ start: oslo(2026, 4, 1, 0), running: true });
    expect(april.valueKw).toBe(april.peaks[0]!.kW);
    expect(m.snapshot().history).toEqual([{ month: '2026-03', kW: 6.4, gap: false }]);
  });

  it('Flanders (be-flanders), October 2026 in Europe/Brussels with its 25-hour day: the peak in the repeated hour, the 12-month mean with the 2.5 kW floor', () => {
    const p = new Profile(2)
      .quarter(brussels(2026, 10, 3, 19, 30), 3.2)
      .quarter(Date.UTC(2026, 9, 25, 0, 15), 4.0) // 02:15 summer time
      .quarter(Date.UTC(2026, 9, 25, 1, 15), 4.88) // 02:15 again, winter time: a window of its own
      .quarter(brussels(2026, 10, 26, 10), 6.0)
      .quarter(brussels(2026, 10, 31, 23, 45), 6.4); // the last quarter of October
    const m = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    // The meter's own history (0-0:98.1.0) for the 11 months before: the monthly peaks of the example on
    // nl.wikibooks.org Energietransitie/Capaciteitstarief (May to March there, November 2025 to September 2026 here).
    const history = [0.632, 4.6, 0, 1.028, 3.444, 4.164, 4.564, 6.0, 9.2, 5.0, 4.12];
    expect(m.seedHistory(history.map((kW, i) => ({ at: brussels(2025 + Math.floor((10 + i) / 12), ((10 + i) % 12) + 1, 14, 12), kW })))).toBe(11);
    expect(m.snapshot().history.map((h) => h.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09']);
    const meter = new Meter(m, brussels(2026, 10, 1, 0), p);

    // The chosen instant: 26 October 10:05, 6.0 kW since 10:00: 0.5 kWh in the quarter so far.
    const chosen = brussels(2026, 10, 26, 10, 5);
    meter.run(chosen);
    const v = m.values(chosen, 6000);
    // The month's peak: 1.22 kWh in the second 02:15 quarter × 4 = 4.88 kW; the first one (4.0 kW) is another window.
    expect(v.peaks).toEqual([{ start: Date.UTC(2026, 9, 25, 1, 15), kW: 4.88, gap: false, running: false }]);
    expect(v.valueKw).toBe(4.88);
    // Each month at least 2.5 kW (0.632 → 2.5, 0 → 2.5, 1.028 → 2.5), then the mean of the 12:
    // (2.5 + 4.6 + 2.5 + 2.5 + 3.444 + 4.164 + 4.564 + 6.0 + 9.2 + 5.0 + 4.12 + 4.88) / 12 = 53.472 / 12 = 4.456 kW
    // (the wikibooks page prints 4,546, its own ratio 1,782 × 2.5 = 4.456 agrees with this).
    expect(v.twelveMonths).toEqual({ averageKw: 4.456, months: 12 });
    expect(v.billedKw).toBe(4.456);
    // The quarter so far: 0.5 kWh × 4 = 2.0 kW; projected: (0.5 + 6.0 × 10/60) × 4 = 1.5 × 4 = 6.0 kW.
    expect(v.window).toMatchObject({ averageKw: 2.0, projectedKw: 6.0 });
    // Headroom: the month's peak stays 4.88 kW while this quarter ends at or below it: 4.88 × 0.25 = 1.22 kWh, less
    // 0.5 used = 0.72 kWh over the 10 minutes left = 0.72 × 6 = 4.32 kW.
    expect(v.headroomKw).toBe(4.32);

    // Before the last quarter of October: the 10:00 quarter of 26 October went on at 6.0 kW and is the month's peak:
    // (2.5 + 4.6 + 2.5 + 2.5 + 3.444 + 4.164 + 4.564 + 6.0 + 9.2 + 5.0 + 4.12 + 6.0) / 12 = 54.592 / 12 = 4.549 kW.
    meter.run(brussels(2026, 10, 31, 23, 40));
    expect(m.values(brussels(2026, 10, 31, 23, 40), 0)).toMatchObject({ valueKw: 6.0, twelveMonths: { averageKw: 4.549, months: 12 } });

    // Month rollover at local midnight (23:00 UTC): the 23:45 quarter (6.4 kW) is October's, November starts afresh.
    meter.run(brussels(2026, 11, 1, 0, 5));
    const nov = m.values(brussels(2026, 11, 1, 0, 5), 300);
    expect(m.snapshot().history.at(-1)).toEqual({ month: '2026-10', kW: 6.4, gap: false });
    expect(nov.peaks.map((x) => x.running)).toEqual([true]);
    // November so far is below the floor: 2.5 kW. The 12 months are now December 2025 to November 2026:
    // (4.6 + 2.5 + 2.5 + 3.444 + 4.164 + 4.564 + 6.0 + 9.2 + 5.0 + 4.12 + 6.4 + 2.5) / 12 = 54.992 / 12 = 4.583 kW.
    expect(nov.valueKw).toBe(2.5);
    expect(nov.twelveMonths).toEqual({ averageKw: 4.583, months: 12 });
  });

  it('Ellevio (se-ellevio), October 2026 in Europe/Stockholm: nights at half, three days, a tie, the repeated hour', () => {
    const p = new Profile(3)
      .hour(stockholm(2026, 10, 5, 23), 8.0) // night: counts 4.0, below the same day's 4.5 at 19:00
      .hour(stockholm(2026, 10, 5, 19), 4.5)
      .hour(stockholm(2026, 10, 12, 7), 5.0)
      .hour(stockholm(2026, 10, 20, 3), 9.0) // night: counts 4.5, a tie with 5 October's
      .hour(Date.UTC(2026, 9, 25, 1), 6.0) // 02:00 again, winter time: night, counts 3.0
      .hour(stockholm(2026, 10, 25, 16), 3.5)
      .hour(stockholm(2026, 10, 28, 12), 4.2)
      .hour(stockholm(2026, 10, 30, 23), 2.0);
    const m = machine(presets['se-ellevio'].rule, 'Europe/Stockholm');
    const meter = new Meter(m, stockholm(2026, 10, 1, 0), p);
    const chosen = stockholm(2026, 10, 30, 23, 30);
    meter.run(chosen);
    const v = m.values(chosen, 2000);
    // Days' highest counted hours: 12 Oct 5.0, 5 Oct 4.5, 20 Oct 9.0 × 0.5 = 4.5, 28 Oct 4.2, 25 Oct 3.5 (its night
    // hour counts 6.0 × 0.5 = 3.0). The three highest: (5.0 + 4.5 + 4.5) / 3 = 14 / 3 = 4.667 kW.
    expect(v.peaks.map((x) => [new Date(x.start).toISOString(), x.kW])).toEqual([
      ['2026-10-12T05:00:00.000Z', 5.0],
      ['2026-10-05T17:00:00.000Z', 4.5],
      ['2026-10-20T01:00:00.000Z', 4.5],
    ]);
    expect(v.valueKw).toBe(4.667);
    // 23:30, 2.0 kW since 23:00: 1.0 kWh used, counted at half: 0.5 kW so far.
    expect(v.window).toMatchObject({ averageKw: 1.0, projectedKw: 2.0, weight: 0.5 });
    // Headroom: the hour may end at a counted 4.5 kW (the third peak, a tie) = 9.0 kWh drawn at night; 9.0 − 1.0 used
    // = 8.0 kWh over the half hour left = 16.0 kW.
    expect(v.headroomKw).toBe(16);
  });
});

describe('capacity edge cases', () => {
  const tenPeaks: CapacityRule = { ...presets['be-flanders'].rule, peaks: 10, aggregation: 'mean-of-peaks', floorKw: 0 };

  it('a restart mid-window keeps the peaks: the restored machine ends where an uninterrupted one does', () => {
    const p = () => new Profile(4).hour(oslo(2026, 3, 2, 18), 7.2).hour(oslo(2026, 3, 3, 9), 4.0);
    const rule = presets['no-3-daily-max'].rule;
    const end = oslo(2026, 3, 3, 12);
    const straight = new Meter(machine(rule, 'Europe/Oslo'), oslo(2026, 3, 2, 0), p()).run(end);

    const restartAt = oslo(2026, 3, 2, 18, 37, 20);
    const meter = new Meter(machine(rule, 'Europe/Oslo'), oslo(2026, 3, 2, 0), p()).run(restartAt);
    const saved: unknown = JSON.parse(JSON.stringify(meter.m.snapshot()));
    const restored = restoreCapacity(saved, { rule, steps: null, timeZone: 'Europe/Oslo', minGapMs: GAP });
    if (restored instanceof Error) throw restored;
    expect(restored.values(restartAt, 7200)).toEqual(meter.m.values(restartAt, 7200));
    // The restart takes 30 s (no frames from 18:37:30 to 18:37:50), shorter than a gap: the peak hour is whole.
    meter.m = restored;
    meter.run(end, (t) => t < restartAt + 40_000);
    expect(restored.values(end, 500)).toEqual(straight.m.values(end, 500));
    expect(restored.values(end, 500).peaks.slice(0, 2).map((x) => [x.start, x.kW, x.gap])).toEqual([
      [oslo(2026, 3, 2, 18), 7.2, false],
      [oslo(2026, 3, 3, 9), 4.0, false],
    ]);
  });

  it('a gap across a boundary flags both windows; energy is taken as the accounting takes it', () => {
    const p = new Profile(5).quarter(brussels(2026, 5, 4, 12), 4.0).quarter(brussels(2026, 5, 4, 12, 15), 3.0).quarter(brussels(2026, 5, 4, 12, 30), 2.0);
    const m = machine(tenPeaks, 'Europe/Brussels');
    // Frames stop after 12:14:00 and come back at 12:17:00: three minutes, more than the 60 s that make a gap.
    new Meter(m, brussels(2026, 5, 4, 12), p).run(brussels(2026, 5, 4, 12, 45), (t) => t > brussels(2026, 5, 4, 12, 14) && t < brussels(2026, 5, 4, 12, 17));
    const v = m.values(brussels(2026, 5, 4, 12, 45), 0);
    // The 12:15 boundary is read from the 12:14:00 frame (nearer than 12:17:00 and within 60 s of it):
    // 12:00 window: 1000 Wh × 14/15 = 933 Wh → 3.732 kW; 12:15 window: the rest of 12:00's (67 Wh) + 750 Wh = 817 Wh
    // → 3.268 kW. Both are flagged: frames were missing across their common boundary.
    expect(v.peaks.slice(0, 3).map((x) => [x.start, x.kW, x.gap])).toEqual([
      [brussels(2026, 5, 4, 12), 3.732, true],
      [brussels(2026, 5, 4, 12, 15), 3.268, true],
      [brussels(2026, 5, 4, 12, 30), 2.0, false],
    ]);
  });

  it('whole windows of silence: the last window keeps its energy up to its last frame as a lower bound, flagged', () => {
    const p = new Profile(6).quarter(brussels(2026, 5, 4, 12), 4.0);
    const m = machine(tenPeaks, 'Europe/Brussels');
    const meter = new Meter(m, brussels(2026, 5, 4, 12), p).run(brussels(2026, 5, 4, 12, 10));
    // Silent until 13:02: the 12:00 window closes when the clock says so, not when the meter comes back.
    expect(m.tick(brussels(2026, 5, 4, 12, 14))).toBe(false); // the window is not over
    expect(m.tick(brussels(2026, 5, 4, 12, 20))).toBe(true);
    // 12:00 to 12:10: 1000 Wh × 10/15 = 667 Wh → 2.668 kW, a lower bound of the window's 4.0 kW.
    expect(m.values(brussels(2026, 5, 4, 12, 20), null).peaks[0]).toMatchObject({ start: brussels(2026, 5, 4, 12), kW: 2.668, gap: true });
    meter.t = brussels(2026, 5, 4, 13, 2);
    meter.run(brussels(2026, 5, 4, 13, 30));
    const v = m.values(brussels(2026, 5, 4, 13, 30), null);
    expect(v.peaks.find((x) => x.start === brussels(2026, 5, 4, 12))).toMatchObject({ kW: 2.668, gap: true });
    // 13:00's window began 2 minutes before its first frame: flagged.
    expect(v.peaks.find((x) => x.start === brussels(2026, 5, 4, 13))?.gap).toBe(true);
    expect(v.peaks.find((x) => x.start === brussels(2026, 5, 4, 13, 15))?.gap).toBe(false);
  });

  it('a meter replaced mid-window (the register drops to 0.2 kWh, or jumps to 90 000 kWh) is neither a negative nor a huge peak', () => {
    for (const newOffsetWh of [200, 90_000_000]) {
      const p = new Profile(7).quarter(brussels(2026, 5, 4, 12), 2.0).quarter(brussels(2026, 5, 4, 12, 15), 1.0);
      const m = machine(tenPeaks, 'Europe/Brussels');
      const swap = brussels(2026, 5, 4, 12, 7);
      const meter = new Meter(m, brussels(2026, 5, 4, 11, 50), p).run(swap - STEP);
      // The new meter's first frame is 20 s later, its register counting from its own level.
      meter.offsetWh = newOffsetWh - meter.energyWh(swap + STEP);
      meter.t = swap + STEP;
      meter.run(brussels(2026, 5, 4, 12, 30));
      const v = m.values(brussels(2026, 5, 4, 12, 30), 0);
      const replaced = v.peaks.find((x) => x.start === brussels(2026, 5, 4, 12))!;
      // 2.0 kW all quarter, less the 20 s between the two meters' frames (11 Wh of 500): 489 Wh → 1.956 kW.
      expect(replaced.kW).toBeCloseTo(1.956, 2);
      expect(replaced.gap).toBe(true);
      expect(v.peaks.find((x) => x.start === brussels(2026, 5, 4, 12, 15))).toMatchObject({ kW: 1.0, gap: false });
    }
  });

  it('60-minute windows hold exactly the energy of the accounting hours, frames jittered at random', () => {
    const random = prng(seed ^ 0x27);
    const rule: CapacityRule = { ...tenPeaks, windowMinutes: 60, peaks: 10 };
    const m = machine(rule, 'Europe/Brussels');
    const acc = new Accounting('Europe/Brussels', GAP);
    const periods = emptyPeriods();
    let last: LastReading | null = null;
    const hours: number[] = [];
    const p = new Profile(8);
    const meter = new Meter(m, brussels(2026, 10, 24, 20), p);
    const end = brussels(2026, 10, 25, 8, 5); // across the 25-hour night
    for (let t = meter.t; t <= end; t += 4_000 + Math.floor(random() * 12_000)) {
      const kWh = meter.registerKwh(t);
      m.observe(t, kWh);
      const before = periods.previous.hour;
      acc.observe(periods, last, kWh, t);
      last = { value: kWh, at: t };
      const closed = periods.previous.hour;
      if (closed !== null && closed !== before && closed.value !== null) hours.push(closed.value);
    }
    const top = [...hours].sort((a, b) => b - a).slice(0, 10);
    expect(m.values(end, null).peaks.filter((x) => !x.running).map((x) => x.kW)).toEqual(top);
    expect(hours.length).toBe(13); // 20:00 to 08:00 of the night the clocks go back: 13 windows, 02:00 twice
  });

  it('export is ignored: a quarter of export leaves the import register still; a negative power projects nothing', () => {
    const p = new Profile(9).quarter(brussels(2026, 6, 10, 13), 0);
    const m = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    new Meter(m, brussels(2026, 6, 10, 12), p).run(brussels(2026, 6, 10, 13, 5));
    const v = m.values(brussels(2026, 6, 10, 13, 5), -3200);
    expect(v.window).toMatchObject({ averageKw: 0, projectedKw: 0 });
    // The floor: the month stays at 2.5 kW while this quarter ends at or below it: 2.5 × 0.25 = 0.625 kWh in the
    // 10 minutes left = 3.75 kW.
    expect(v.valueKw).toBe(2.5);
    expect(v.headroomKw).toBe(3.75);
  });

  it('the 2.5 kW floor, and fewer than 12 months of history: the mean is of the months there are', () => {
    const m = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    const p = new Profile(10).quarter(brussels(2026, 6, 10, 19), 3.6);
    const meter = new Meter(m, brussels(2026, 6, 1, 0), p).run(brussels(2026, 6, 5, 0));
    // Nothing above 1.4 kW yet: the month counts 2.5 kW; one month known.
    expect(m.values(brussels(2026, 6, 5, 0), null)).toMatchObject({ valueKw: 2.5, twelveMonths: { averageKw: 2.5, months: 1 } });
    expect(m.seedHistory([{ at: brussels(2026, 4, 20, 8), kW: 6.2 }, { at: brussels(2026, 5, 3, 8), kW: 1.1 }])).toBe(2);
    // (6.2 + max(2.5, 1.1) + 2.5) / 3 = 11.2 / 3 = 3.733 kW
    expect(m.values(brussels(2026, 6, 5, 0), null).twelveMonths).toEqual({ averageKw: 3.733, months: 3 });
    meter.run(brussels(2026, 6, 11, 0));
    // (6.2 + 2.5 + 3.6) / 3 = 12.3 / 3 = 4.1 kW
    expect(m.values(brussels(2026, 6, 11, 0), null)).toMatchObject({ valueKw: 3.6, twelveMonths: { averageKw: 4.1, months: 3 } });
    // The same history again changes nothing (it may come with every telegram); the running month is PowerMeter's; a
    // higher value for a known month raises it: (6.2 + 3.0 + 3.6) / 3 = 12.8 / 3 = 4.267 kW.
    expect(m.seedHistory([{ at: brussels(2026, 4, 20, 8), kW: 6.2 }, { at: brussels(2026, 5, 3, 8), kW: 1.1 }])).toBe(0);
    expect(m.seedHistory([{ at: brussels(2026, 6, 2, 8), kW: 9 }])).toBe(0);
    expect(m.seedHistory([{ at: brussels(2026, 5, 9, 8), kW: 3.0 }])).toBe(1);
    expect(m.values(brussels(2026, 6, 11, 0), null).twelveMonths).toEqual({ averageKw: 4.267, months: 3 });
  });

  it("the month closes on the clock for a silent meter; a reporting meter's month waits for its last window", () => {
    const p = () => new Profile(12).quarter(brussels(2026, 10, 31, 23, 45), 5.0);
    const reporting = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    const a = new Meter(reporting, brussels(2026, 10, 31, 22), p()).run(brussels(2026, 10, 31, 23, 59, 50));
    expect(reporting.tick(brussels(2026, 11, 1, 0))).toBe(false); // the 23:45 window is still open: it is October's
    a.run(brussels(2026, 11, 1, 0, 0, 10));
    expect(reporting.snapshot().history).toEqual([{ month: '2026-10', kW: 5.0, gap: false }]);

    const silent = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    new Meter(silent, brussels(2026, 10, 31, 22), p()).run(brussels(2026, 10, 31, 23, 30));
    expect(silent.tick(brussels(2026, 10, 31, 23, 50))).toBe(true); // the 23:30 window closes, with a gap
    expect(silent.tick(brussels(2026, 11, 1, 0, 0, 30))).toBe(true); // and October with it
    expect(silent.tick(brussels(2026, 11, 1, 0, 1))).toBe(false);
    expect(silent.snapshot().history).toMatchObject([{ month: '2026-10', gap: true }]);
    expect(silent.values(brussels(2026, 11, 1, 0, 1), null)).toMatchObject({ valueKw: 2.5, peaks: [{ running: true, kW: 0, gap: true }] });
  });

  it('every value is a number from the first frame on: the running window is a peak until others close', () => {
    const m = machine(presets['no-3-daily-max'].rule, 'Europe/Oslo');
    m.observe(oslo(2026, 1, 15, 9, 12), 1000);
    m.observe(oslo(2026, 1, 15, 9, 12, 10), 1000.01);
    const v = m.values(oslo(2026, 1, 15, 9, 12, 10), 3600);
    // 10 Wh in the window so far: 0.01 kW over the hour; 47 min 50 s left at 3.6 kW: 0.01 + 3.6 × 2870/3600 = 2.88 kW.
    expect(v.window).toMatchObject({ averageKw: 0.01, projectedKw: 2.88 });
    // The hour's first 12 minutes were not seen: flagged.
    expect(v.peaks).toEqual([{ start: oslo(2026, 1, 15, 9), kW: 0.01, gap: true, running: true }]);
    expect(v.valueKw).toBe(0.01);
    // One peak so far: any rise of this hour raises the value (the mean of what there is). Headroom 0.
    expect(v.headroomKw).toBe(0);
    // Before any frame: zeros, not unknowns.
    expect(machine(presets['be-flanders'].rule, 'Europe/Brussels').values(brussels(2026, 1, 1, 0, 5), null)).toMatchObject({ valueKw: 2.5, billedKw: 2.5, window: { averageKw: 0, projectedKw: 0 } });
  });

  it('windows outside the months, weekdays or hours that count have no limit (headroom null) and are never peaks', () => {
    // A Swedish high-load charge: November to March, weekdays, 07–19.
    const rule: CapacityRule = { ...presets['se-max-hour'].rule, months: [11, 12, 1, 2, 3], weekdays: [1, 2, 3, 4, 5], hours: [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] };
    const m = machine(rule, 'Europe/Stockholm');
    const p = new Profile(11).hour(stockholm(2026, 11, 7, 10), 9.0).hour(stockholm(2026, 11, 9, 10), 4.0).hour(stockholm(2026, 11, 9, 20), 8.0);
    const meter = new Meter(m, stockholm(2026, 11, 7, 0), p).run(stockholm(2026, 11, 7, 10, 30));
    // 7 November 2026 is a Saturday and 20:00 is after hours: the one peak is Monday 9 November 10:00.
    expect(m.values(stockholm(2026, 11, 7, 10, 30), 9000)).toMatchObject({ headroomKw: null, window: { weight: 0 } });
    meter.run(stockholm(2026, 11, 10, 10, 30));
    const v = m.values(stockholm(2026, 11, 10, 10, 30), 1000);
    expect(v.peaks.filter((x) => !x.running).map((x) => [x.start, x.kW])).toEqual([[stockholm(2026, 11, 9, 10), 4.0]]);
    expect(v.valueKw).toBe(4.0);
  });

  it('frames that are not newer, and values that are not numbers, are ignored', () => {
    const m = machine(presets['be-flanders'].rule, 'Europe/Brussels');
    const t = brussels(2026, 2, 2, 8, 1);
    expect(m.observe(t, 100)).toBe(true);
    expect(m.observe(t, 250)).toBe(false);
    expect(m.observe(t - 1000, 250)).toBe(false);
    expect(m.observe(t + 10_000, Number.NaN)).toBe(false);
    expect(m.observe(t + 10_000, 100.05)).toBe(false);
    expect(m.values(t + 10_000, 0).window.averageKw).toBe(0.2);
  });
});
