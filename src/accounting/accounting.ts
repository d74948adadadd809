import { periodEnd, periods, periodStart, type Period } from './periods.js';

/**
 * Energy per hour, day and month, from the meter's own registers (never by integrating power): the
 * difference of the register across the period. Periods are in the Home Assistant time zone. A period whose
 * data has a hole, or whose boundary was not seen, is marked `gap`; consumption during an outage that spans a
 * boundary is attributed to no period rather than folded into the next one.
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

export interface RegisterState {
  last: number | null;
  lastAt: number | null;
  lastInterval: number | null;
  current: Record<Period, OpenPeriod | null>;
  previous: Record<Period, ClosedPeriod | null>;
}

export interface AccountingState {
  version: 1;
  savedAt: number;
  /** meter id → register ("import", "export") → state */
  meters: Record<string, Record<string, RegisterState>>;
}

export const emptyState = (): AccountingState => ({ version: 1, savedAt: 0, meters: {} });

const round = (kwh: number): number => Math.round(kwh * 1000) / 1000;

export interface PeriodValue {
  value: number | null;
  start: number;
  end?: number;
  gap: boolean;
}

export class Accounting {
  constructor(
    readonly state: AccountingState,
    private readonly timeZone: string,
    /** The shortest silence that counts as a gap (the service uses twice its data timeout). */
    private readonly minGapMs: number,
  ) {}

  /**
   * The last period found, per kind: every frame asks for the periods of every accounted register, and the
   * answer changes once an hour. Exact, since a period is the interval [start, periodEnd(start)).
   */
  private readonly recent: Record<Period, { start: number; end: number } | null> = { hour: null, day: null, month: null };

  private periodStart(p: Period, at: number): number {
    const known = this.recent[p];
    if (known !== null && at >= known.start && at < known.end) return known.start;
    const start = periodStart(p, at, this.timeZone);
    this.recent[p] = { start, end: periodEnd(p, start, this.timeZone) };
    return start;
  }

  private threshold(r: RegisterState): number {
    return Math.max(this.minGapMs, 1.5 * (r.lastInterval ?? 0));
  }

  private register(meterId: string, name: string): RegisterState {
    const meter = (this.state.meters[meterId] ??= {});
    return (meter[name] ??= {
      last: null,
      lastAt: null,
      lastInterval: null,
      current: { hour: null, day: null, month: null },
      previous: { hour: null, day: null, month: null },
    });
  }

  /** A register reading at `at`. Returns true when a period closed (worth persisting at once). */
  observe(meterId: string, name: string, value: number, at: number): boolean {
    const r = this.register(meterId, name);
    const closed = this.advance(r, at, { value, at });
    const threshold = this.threshold(r);
    if (r.lastAt !== null) {
      const interval = at - r.lastAt;
      const outage = interval > threshold;
      if (outage) for (const p of periods) if (r.current[p]) r.current[p].gap = true;
      // Learn the register's cadence (10 s, or hourly for HAN-NVE list 2), but not from an outage.
      if (!outage || r.lastInterval === null) r.lastInterval = interval;
    }
    for (const p of periods) {
      if (r.current[p]) continue;
      const start = this.periodStart(p, at);
      r.current[p] = { start, startValue: value, gap: at - start > threshold };
    }
    r.last = value;
    r.lastAt = at;
    return closed;
  }

  /**
   * The clock's turn (each full hour): closes the periods of registers that have gone silent, so that
   * "previous hour" does not show a stale hour during an outage. Registers that are still reporting roll
   * over with their next reading, which knows the value at the boundary best.
   */
  tick(at: number): boolean {
    let closed = false;
    for (const meter of Object.values(this.state.meters)) {
      for (const r of Object.values(meter)) {
        if (r.lastAt === null || at - r.lastAt <= this.threshold(r)) continue;
        closed = this.advance(r, at, null) || closed;
      }
    }
    return closed;
  }

  private advance(r: RegisterState, at: number, reading: { value: number; at: number } | null): boolean {
    let closed = false;
    for (const p of periods) {
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
      if (boundary !== now || r.last === null || r.lastAt === null) {
        // Whole periods passed without data: the last one is unknown, and the next starts with the next reading.
        r.previous[p] = { start: this.periodStart(p, now - 1), end: now, value: null, gap: true };
        r.current[p] = null;
        continue;
      }
      // The register's value at the boundary: the reading nearest to it, before or after.
      const after = reading && reading.at - boundary < boundary - r.lastAt ? reading : null;
      const edge = after ?? { value: r.last, at: r.lastAt };
      const seen = Math.abs(edge.at - boundary) <= this.threshold(r);
      r.previous[p] = { start: cur.start, end: boundary, value: round(edge.value - cur.startValue), gap: cur.gap || !seen };
      r.current[p] = seen ? { start: boundary, startValue: edge.value, gap: false } : null;
    }
    return closed;
  }

  /** What to publish for one register: current and previous hour, day and month. */
  values(meterId: string, name: string): Record<Period, PeriodValue | null> & { previous: Record<Period, PeriodValue | null> } {
    const r = this.state.meters[meterId]?.[name];
    const current = (p: Period): PeriodValue | null => {
      const c = r?.current[p];
      return c && r?.last !== null && r?.last !== undefined ? { value: round(r.last - c.startValue), start: c.start, gap: c.gap } : null;
    };
    const previous = (p: Period): PeriodValue | null => r?.previous[p] ?? null;
    return {
      hour: current('hour'),
      day: current('day'),
      month: current('month'),
      previous: { hour: previous('hour'), day: previous('day'), month: previous('month') },
    };
  }

}

/** The last known register values of a meter, to seed the energy guard after a restart. */
export function lastValues(state: AccountingState, meterId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, r] of Object.entries(state.meters[meterId] ?? {})) if (r.last !== null) out[name] = r.last;
  return out;
}
