import { periodEnd, periods, periodStart, type Period } from './periods.js';

/**
 * Energy per hour, day and month, from the meter's own registers (never by integrating power): the difference of
 * the register across the period. Periods are in the Home Assistant time zone. A period whose data has a hole, or
 * whose boundary was not seen, is marked `gap`; consumption during an outage that spans a boundary is attributed to
 * no period rather than folded into the next one.
 *
 * The register's last value is not kept here: it is the meter's last accepted reading, which the caller passes in
 * (one place for a meter's last values). This module keeps only what the periods add to it.
 */
export interface OpenPeriod {
  start: number;
  startValue: number;
  gap: boolean;
}

export interface ClosedPeriod {
  start: number;
  end: number;
  /** kWh; null when no data covered the period at all. */
  value: number | null;
  gap: boolean;
}

/** The periods of one register. */
export interface RegisterPeriods {
  /** The register's usual interval between readings (10 s, or an hour for lists that send energy hourly). */
  lastInterval: number | null;
  current: Record<Period, OpenPeriod | null>;
  previous: Record<Period, ClosedPeriod | null>;
}

/** A register's last reading: its value and when it came. */
export interface LastReading {
  readonly value: number;
  readonly at: number;
}

export const emptyPeriods = (): RegisterPeriods => ({
  lastInterval: null,
  current: { hour: null, day: null, month: null },
  previous: { hour: null, day: null, month: null },
});

const round = (kwh: number): number => Math.round(kwh * 1000) / 1000;

export interface PeriodValue {
  value: number | null;
  start: number;
  end?: number;
  gap: boolean;
}

export type PeriodValues = Record<Period, PeriodValue | null> & { previous: Record<Period, PeriodValue | null> };

export class Accounting {
  constructor(
    private readonly timeZone: string,
    /** The shortest silence that counts as a gap (the service uses twice its data timeout). */
    private readonly minGapMs: number,
  ) {}

  /**
   * The last period found, per kind: every frame asks for the periods of every accounted register, and the answer
   * changes once an hour. Exact, since a period is the interval [start, periodEnd(start)).
   */
  private readonly recent: Record<Period, { start: number; end: number } | null> = { hour: null, day: null, month: null };

  private periodStart(p: Period, at: number): number {
    const known = this.recent[p];
    if (known !== null && at >= known.start && at < known.end) return known.start;
    const start = periodStart(p, at, this.timeZone);
    this.recent[p] = { start, end: periodEnd(p, start, this.timeZone) };
    return start;
  }

  private threshold(r: RegisterPeriods): number {
    return Math.max(this.minGapMs, 1.5 * (r.lastInterval ?? 0));
  }

  /**
   * A register reading at `at`, after `last` (null for the register's first). Returns true when a period opened,
   * closed or got a gap: what the periods' attributes show changed, and the state is worth saving at once.
   */
  observe(r: RegisterPeriods, last: LastReading | null, value: number, at: number): boolean {
    let changed = this.advance(r, last, at, { value, at });
    const threshold = this.threshold(r);
    if (last !== null) {
      const interval = at - last.at;
      const outage = interval > threshold;
      if (outage) {
        for (let i = 0; i < periods.length; i++) {
          const p = periods[i]!;
          const cur = r.current[p];
          if (cur && !cur.gap) {
            cur.gap = true;
            changed = true;
          }
        }
      }
      // Learn the register's cadence (10 s, or hourly for HAN-NVE list 2), but not from an outage.
      if (!outage || r.lastInterval === null) r.lastInterval = interval;
    }
    for (let i = 0; i < periods.length; i++) {
      const p = periods[i]!;
      if (r.current[p]) continue;
      const start = this.periodStart(p, at);
      r.current[p] = { start, startValue: value, gap: at - start > threshold };
      changed = true;
    }
    return changed;
  }

  /**
   * The clock's turn (each full hour): closes the periods of a register that has gone silent, so that "previous
   * hour" does not show a stale hour during an outage. A register that is still reporting rolls over with its next
   * reading, which knows the value at the boundary best. Returns true when a period closed.
   */
  tick(r: RegisterPeriods, last: LastReading | null, at: number): boolean {
    if (last === null || at - last.at <= this.threshold(r)) return false;
    return this.advance(r, last, at, null);
  }

  private advance(r: RegisterPeriods, last: LastReading | null, at: number, reading: LastReading | null): boolean {
    let closed = false;
    // Indexed, not for-of: every frame runs these loops for each register, and under --jitless each step of an array
    // iterator allocates its result (issue #30).
    for (let i = 0; i < periods.length; i++) {
      const p = periods[i]!;
      const now = this.periodStart(p, at);
      const cur = r.current[p];
      if (cur === null) {
        // Silent across a boundary: what came before now is unknown, and must not show as the last period's.
        const prev = r.previous[p];
        if (prev && prev.end < now) {
          r.previous[p] = { start: this.periodStart(p, now - 1), end: now, value: null, gap: true };
          closed = true;
        }
        continue;
      }
      if (cur.start === now) continue;
      closed = true;
      const boundary = periodEnd(p, cur.start, this.timeZone);
      if (boundary !== now || last === null) {
        // Whole periods passed without data: the last one is unknown, and the next starts with the next reading.
        r.previous[p] = { start: this.periodStart(p, now - 1), end: now, value: null, gap: true };
        r.current[p] = null;
        continue;
      }
      // The register's value at the boundary: the reading nearest to it, before or after.
      const after = reading && reading.at - boundary < boundary - last.at ? reading : null;
      const edge = after ?? last;
      const seen = Math.abs(edge.at - boundary) <= this.threshold(r);
      r.previous[p] = { start: cur.start, end: boundary, value: round(edge.value - cur.startValue), gap: cur.gap || !seen };
      r.current[p] = seen ? { start: boundary, startValue: edge.value, gap: false } : null;
    }
    return closed;
  }

  /** What to publish for one register: current and previous hour, day and month. */
  values(r: RegisterPeriods | undefined, last: LastReading | null): PeriodValues {
    // Written out, without a closure per period: every frame asks for each accounted register (issue #30).
    return {
      hour: currentValue(r?.current.hour, last),
      day: currentValue(r?.current.day, last),
      month: currentValue(r?.current.month, last),
      previous: { hour: r?.previous.hour ?? null, day: r?.previous.day ?? null, month: r?.previous.month ?? null },
    };
  }
}

/** An open period's value so far: the register's last value less its value at the period's start. */
function currentValue(c: OpenPeriod | null | undefined, last: LastReading | null): PeriodValue | null {
  return c && last !== null ? { value: round(last.value - c.startValue), start: c.start, gap: c.gap } : null;
}
