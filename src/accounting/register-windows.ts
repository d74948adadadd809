import { wallTime } from './time-zone.js';

/**
 * Fixed windows on the local clock (:00–:15 … or whole hours), by instant: the hour the clocks go back is two hours
 * and so four or eight windows of its own (a 25-hour day has 100 quarter hours, a 23-hour day 92). Every zone's offset
 * is a multiple of 15 minutes, so a window boundary is a whole quarter of the UTC clock too.
 */
export function windowStart(at: number, minutes: 15 | 60, timeZone: string): number {
  const w = wallTime(at, timeZone);
  return at - (((w.minute % minutes) * 60 + w.second) * 1000 + (((at % 1000) + 1000) % 1000));
}

/** A register reading: when, and its value in kWh. */
export interface Reading {
  readonly at: number;
  readonly kWh: number;
}

export interface OpenWindow {
  readonly start: number;
  /** The register at the window's start, or at the last rebase after the register broke (a meter replaced). */
  startKwh: number;
  /** Energy of the window counted before the last rebase. */
  usedKwh: number;
  /** Frames were missing in the window or across one of its boundaries, or the register broke in it. */
  gap: boolean;
}

/** What a register's windows keep: plain JSON, saved by their owner (the capacity machine, the cost of each quarter). */
export interface WindowState {
  /** The register's usual interval between readings, ms. */
  lastInterval: number | null;
  last: Reading | null;
  window: OpenWindow | null;
}

/**
 * Energy per window (a quarter hour or an hour) from a register, never from integrated power: the register's difference across the
 * window. The register's value at a boundary is the reading nearest to it, before or after, as the energy periods take
 * it (src/accounting/accounting.ts `advance`), so an hour window holds exactly the energy of the accounting's hour.
 *
 * Where the rules differ from the hour/day/month periods (accounting.ts), for capacity and cost: a window is flagged `gap` when frames are missing across
 * either of its boundaries (not only inside it); a window left by whole windows of silence keeps its energy up to its
 * last reading, flagged `gap`, as a lower bound that can still be a peak (the accounting counts such a period as
 * unknown). The grid company's meter still counts what happened during the gap.
 *
 * A register that goes down, or rises faster than any connection can draw, is a meter replaced (or reset): the window
 * keeps the energy counted before the break, restarts from the new level, and is flagged `gap`, so that a replaced
 * meter is never a huge negative or positive peak.
 */
export type ClosedCallback = (start: number, kWh: number, gap: boolean) => void;

/** Energy a register may rise by beyond the power bound: its last digit and clocks read to the millisecond. */
const SLACK_KWH = 0.05;

export class RegisterWindows {
  private readonly windowMs: number;
  /** The last window found: every frame asks, and the answer changes once a window. */
  private recent: { start: number; end: number } | null = null;

  constructor(
    private readonly windowMinutes: 15 | 60,
    private readonly timeZone: string,
    /** The shortest silence that counts as a gap (the service passes twice its data timeout, as for the periods). */
    private readonly minGapMs: number,
    /** The most power the connection can draw (src/core/energy-guard.ts MAX_POWER_KW is the service's bound). */
    private readonly maxPowerKw: number,
  ) {
    this.windowMs = windowMinutes * 60_000;
  }

  get windowLengthMs(): number {
    return this.windowMs;
  }

  /** Start of the window that holds `at`. */
  startOf(at: number): number {
    const known = this.recent;
    if (known !== null && at >= known.start && at < known.end) return known.start;
    const start = windowStart(at, this.windowMinutes, this.timeZone);
    this.recent = { start, end: start + this.windowMs };
    return start;
  }

  threshold(s: WindowState): number {
    return Math.max(this.minGapMs, 1.5 * (s.lastInterval ?? 0));
  }

  /** Energy counted in the open window so far. */
  used(s: WindowState): number {
    const w = s.window;
    return w === null || s.last === null ? 0 : Math.max(0, w.usedKwh + s.last.kWh - w.startKwh);
  }

  /** True when `next` cannot follow `last` on the same register. */
  private broken(last: Reading, next: Reading): boolean {
    return next.kWh < last.kWh || next.kWh - last.kWh > (this.maxPowerKw * (next.at - last.at)) / 3_600_000 + SLACK_KWH;
  }

  /**
   * A register reading. Returns true when a window closed or opened, or got a gap: the state is worth saving at once.
   * Readings that are not newer than the last (a replayed or reordered frame) and values that are not numbers are
   * ignored.
   */
  observe(s: WindowState, at: number, kWh: number, closed: ClosedCallback): boolean {
    if (!Number.isFinite(at) || !Number.isFinite(kWh)) return false;
    const last = s.last;
    if (last !== null && at <= last.at) return false;
    const reading = { at, kWh };
    const threshold = this.threshold(s);
    const broken = last !== null && this.broken(last, reading);
    const silent = last !== null && at - last.at > threshold;
    let changed = this.advance(s, at, reading, broken, closed);
    const w = s.window;
    if (w !== null && last !== null) {
      if (broken) {
        w.usedKwh = Math.max(0, w.usedKwh + last.kWh - w.startKwh);
        w.startKwh = kWh;
      }
      if ((broken || silent) && !w.gap) {
        w.gap = true;
        changed = true;
      }
    } else if (w === null) {
      const start = this.startOf(at);
      s.window = { start, startKwh: kWh, usedKwh: 0, gap: broken || at - start > threshold };
      changed = true;
    }
    // Learn the register's cadence (10 s, 1 s, or hourly), but not from an outage.
    if (last !== null && (!silent || s.lastInterval === null)) s.lastInterval = at - last.at;
    s.last = reading;
    return changed;
  }

  /**
   * The clock's turn: closes the window of a register that has gone silent, so that a finished window does not wait
   * for the next frame. A register that is still reporting rolls over with its next reading, which knows the value at
   * the boundary best. Returns true when a window closed.
   */
  tick(s: WindowState, at: number, closed: ClosedCallback): boolean {
    if (s.last === null || at - s.last.at <= this.threshold(s)) return false;
    return this.advance(s, at, null, false, closed);
  }

  /**
   * Closes the open window when `at` is past it, as `tick` would whether or not the register is silent: what the
   * values show between the end of a window and the next reading.
   */
  settle(s: WindowState, at: number, closed: ClosedCallback): boolean {
    return this.advance(s, at, null, false, closed);
  }

  private advance(s: WindowState, at: number, reading: Reading | null, broken: boolean, closed: ClosedCallback): boolean {
    const w: OpenWindow | null = s.window;
    const last = s.last;
    if (w === null || last === null || at < w.start + this.windowMs) return false;
    const boundary = w.start + this.windowMs;
    const threshold = this.threshold(s);
    const missing = (reading ?? { at }).at - last.at > threshold;
    if (!broken && this.startOf(at) === boundary) {
      // The register's value at the boundary: the reading nearest to it, before or after (ties: the one before).
      const edge = reading !== null && reading.at - boundary < boundary - last.at ? reading : last;
      const seen = Math.abs(edge.at - boundary) <= threshold;
      closed(w.start, Math.max(0, w.usedKwh + edge.kWh - w.startKwh), w.gap || !seen || missing);
      s.window = seen ? { start: boundary, startKwh: edge.kWh, usedKwh: 0, gap: missing } : null;
    } else {
      // Whole windows passed without data, or the register broke across the boundary: the window's energy up to its
      // last reading is all that is known of it.
      closed(w.start, Math.max(0, w.usedKwh + last.kWh - w.startKwh), true);
      s.window = null;
    }
    return true;
  }
}
