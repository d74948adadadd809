import { periodEnd, periodStart } from '../accounting/periods.js';
import { keepWindow, monthFigures, type Peak } from './peaks.js';
import { RegisterWindows } from '../accounting/register-windows.js';
import { peakCount, ruleKey, type CapacityRule } from './rule.js';
import { checkCapacityState, emptyCapacityState, type CapacityState, type CapacityStateError, type MonthValue } from './state.js';
import { stepFor, type CapacitySteps, type StepValue } from './steps.js';
import { monthKey, windowFacts, windowWeight, type WindowFacts } from './windows.js';

/**
 * The capacity tariff of one meter, sans-I/O: fed the import register at each frame's arrival, it keeps the month's
 * peaks under the rule and says what the running window, the month and the bill stand at. No clock of its own: every
 * time is passed in; the local calendar is the zone's (`timeZone`, as the energy periods').
 */
export interface CapacityOptions {
  readonly rule: CapacityRule;
  readonly steps: CapacitySteps | null;
  readonly timeZone: string;
  /** The shortest silence that counts as a gap: the service passes what it gives the energy periods. */
  readonly minGapMs: number;
  /** The most power the connection can draw, kW: a faster rise of the register is a meter replaced. Default 2000. */
  readonly maxPowerKw?: number;
}

export interface WindowValues {
  readonly start: number;
  readonly end: number;
  /**
   * `capacity_window_average`: the energy imported in the window so far, as a power over the whole window (kWh × 60 /
   * window minutes). It only grows, and at the window's end it is the window's value.
   */
  readonly averageKw: number;
  /** `capacity_window_projected`: the window's value if the rest of it goes on at the current power. */
  readonly projectedKw: number;
  /** The factor the window counts at (0 when its month, weekday or hour does not count; 0.5 in Ellevio's nights). */
  readonly weight: number;
  readonly gap: boolean;
}

export interface TwelveMonths {
  /** `capacity_12_month_average`: the mean of this month's value and the finished months of the last 12, each at least the floor. */
  readonly averageKw: number;
  /** How many months the mean is of (fewer than 12 until PowerMeter has seen, or been given, a year). */
  readonly months: number;
}

export interface CapacityValues {
  readonly window: WindowValues;
  /** `capacity_peaks`: the month's counted peaks, highest first, the running window among them while it is one. */
  readonly peaks: readonly Peak[];
  /** `capacity_value`: the month's value under the rule so far (the mean of its peaks, at least the floor). */
  readonly valueKw: number;
  /** For `mean-of-12-months` rules, the billed mean; null otherwise. */
  readonly twelveMonths: TwelveMonths | null;
  /** What the bill is computed from: the 12-month mean for `mean-of-12-months`, the month's value otherwise. */
  readonly billedKw: number;
  /** `capacity_step`: the step `billedKw` is on, when steps are set. */
  readonly step: StepValue | null;
  /**
   * `capacity_headroom`: the constant import power that may be drawn for the rest of this window without raising the
   * billed value. With A* the highest value the window may end at that leaves the month's value as it is (peaks.ts
   * `monthFigures`), w the window's weight, E the energy imported in it so far and T, R its length and remaining time
   * in hours: max(0, (A* ÷ w × T − E) ÷ R). Null when the window does not count: there is no limit in it.
   */
  readonly headroomKw: number | null;
}

const round = (kw: number): number => Math.round(kw * 1000) / 1000;
/**
 * Window values are compared at 1 mW: registers count whole Wh (or 10 Wh), so two windows of the same energy are equal,
 * not apart by the floating-point remainder of different register levels, and a tie goes to the earlier window.
 */
const exact = (kw: number): number => Math.round(kw * 1e6) / 1e6;
const HOUR_MS = 3_600_000;

export class CapacityMachine {
  private readonly register: RegisterWindows;
  private readonly peaks: number;
  private readonly facts = new Map<number, WindowFacts>();
  private month: { start: number; end: number } | null = null;

  /** A fresh machine; saved state comes back through `restoreCapacity`, which checks it first. */
  constructor(
    private readonly options: CapacityOptions,
    private state: CapacityState = emptyCapacityState(ruleKey(options.rule)),
  ) {
    this.register = new RegisterWindows(options.rule.windowMinutes, options.timeZone, options.minGapMs, options.maxPowerKw ?? 2000);
    this.peaks = peakCount(options.rule);
  }

  /** The import register (kWh, cumulative) at a frame's arrival. Returns true when the state is worth saving now. */
  observe(at: number, kWh: number): boolean {
    const changed = this.register.observe(this.state, at, kWh, (start, e, gap) => this.closed(this.state, start, e, gap));
    if (this.state.window !== null) this.monthOf(this.state, this.state.window.start);
    return changed;
  }

  /**
   * The clock's turn (at each window boundary, or each minute): closes the window of a silent meter, and its month when
   * the month is over. Returns true when the state is worth saving now.
   */
  tick(at: number): boolean {
    const closed = this.register.tick(this.state, at, (start, e, gap) => this.closed(this.state, start, e, gap));
    // A window still open belongs to its month: the month moves on when it closes (with the next frame), never before.
    const month = this.state.month;
    if (month === null || this.state.window !== null || this.monthSpan(at).start === month.start) return closed;
    this.monthOf(this.state, at);
    return true;
  }

  /**
   * What to publish at `at`, with the meter's current import power (W; negative or export counts as none; null when the
   * frame has no power, and the window's own average so far is projected instead). Pure: the state is not changed.
   */
  values(at: number, currentPowerW: number | null): CapacityValues {
    const s = this.settled(at);
    const rule = this.options.rule;
    const windowMs = this.register.windowLengthMs;
    const windowH = windowMs / HOUR_MS;
    const start = this.register.startOf(at);
    const open = s.window !== null && s.window.start === start ? s.window : null;
    const usedKwh = open === null ? 0 : this.register.used(s);
    const elapsedH = (at - start) / HOUR_MS;
    const remainingH = Math.max(windowH - elapsedH, 1 / HOUR_MS);
    const powerKw = currentPowerW === null || !Number.isFinite(currentPowerW) ? (elapsedH > 0 ? usedKwh / elapsedH : 0) : Math.max(0, currentPowerW / 1000);
    const averageKw = usedKwh / windowH;
    const facts = this.factsOf(start);
    const weight = windowWeight(rule, facts);
    const gap = open !== null ? open.gap : s.last !== null && at - s.last.at > this.register.threshold(s);
    const month = this.monthSpan(start);
    const kept = s.month !== null && s.month.start === month.start ? s.month.windows : [];
    const sameDay = rule.distinctDays ? (t: number) => this.factsOf(t).day === facts.day : null;
    const running = weight > 0 ? { start, kW: exact(weight * averageKw), gap } : null;
    const figures = monthFigures(kept, running, this.peaks, rule.floorKw, sameDay);
    const twelveMonths = rule.aggregation === 'mean-of-12-months' ? this.twelveMonths(s.history, facts.monthKey, figures.valueKw) : null;
    const billedKw = twelveMonths?.averageKw ?? figures.valueKw;
    const headroomKw = figures.ceilingKw === null ? null : Math.max(0, ((figures.ceilingKw / weight) * windowH - usedKwh) / remainingH);
    return {
      window: { start, end: start + windowMs, averageKw: round(averageKw), projectedKw: round((usedKwh + powerKw * remainingH) / windowH), weight, gap },
      peaks: figures.peaks.map((p) => ({ ...p, kW: round(p.kW) })),
      valueKw: round(figures.valueKw),
      twelveMonths: twelveMonths && { averageKw: round(twelveMonths.averageKw), months: twelveMonths.months },
      billedKw: round(billedKw),
      step: this.options.steps === null ? null : stepFor(this.options.steps, billedKw),
      headroomKw: headroomKw === null ? null : round(headroomKw),
    };
  }

  /** The state to save: plain JSON, restored by `restoreCapacity`. */
  snapshot(): CapacityState {
    return structuredClone(this.state);
  }

  /**
   * Monthly values from elsewhere (a Belgian meter's own 13-month history, `0-0:98.1.0`: each month's peak with its
   * time), so that the 12-month mean is right from the first day. A month PowerMeter knows too keeps the higher of the
   * two: its own value is a lower bound when it missed part of the month, the meter's is what is billed. The running
   * month is left to PowerMeter. Returns how many months were added or raised; passing the same history again changes
   * nothing, so it may be passed with every telegram.
   */
  seedHistory(months: readonly { readonly at: number; readonly kW: number }[]): number {
    const s = this.state;
    const current = s.month === null ? null : monthKey(s.month.start, this.options.timeZone);
    let changed = 0;
    for (const m of months) {
      if (!Number.isFinite(m.at) || !Number.isFinite(m.kW) || m.kW < 0 || m.at < 0) continue;
      const key = monthKey(m.at, this.options.timeZone);
      if (current !== null && key >= current) continue;
      if (mergeMonth(s.history, { month: key, kW: round(m.kW), gap: false })) changed++;
    }
    return changed;
  }

  /** A window ended with this much energy (a lower bound when `gap`): kept if it can be a peak. */
  private closed(s: CapacityState, start: number, kWh: number, gap: boolean): void {
    const month = this.monthOf(s, start);
    if (s.month === null || s.month.start !== month.start) return;
    const weight = windowWeight(this.options.rule, this.factsOf(start));
    if (weight === 0) return;
    const kW = exact((weight * kWh * HOUR_MS) / this.register.windowLengthMs);
    keepWindow(s.month, { start, kW, gap }, this.peaks, this.options.rule.distinctDays ? (t) => this.factsOf(t).day : null);
  }

  /** The local month that holds `t`. */
  private monthSpan(t: number): { start: number; end: number } {
    let m = this.month;
    if (m === null || t < m.start || t >= m.end) {
      const start = periodStart('month', t, this.options.timeZone);
      this.month = m = { start, end: periodEnd('month', start, this.options.timeZone) };
    }
    return m;
  }

  /**
   * The local month that holds `t`; moves the state on to it when it is later than the kept one, the finished month's
   * value going to the history.
   */
  private monthOf(s: CapacityState, t: number): { start: number; end: number } {
    const m = this.monthSpan(t);
    const kept = s.month;
    if (kept === null) s.month = { start: m.start, windows: [], gap: false };
    else if (kept.start < m.start) {
      const raw = monthFigures(kept.windows, null, this.peaks, 0, null).rawKw;
      mergeMonth(s.history, { month: monthKey(kept.start, this.options.timeZone), kW: round(raw), gap: kept.gap });
      s.month = { start: m.start, windows: [], gap: false };
    }
    return m;
  }

  /** The state as it stands at `at`: the same object, or a copy with the finished window and month closed. */
  private settled(at: number): CapacityState {
    const s = this.state;
    const windowOver = s.window !== null && at >= s.window.start + this.register.windowLengthMs;
    const monthOver = s.month !== null && s.month.start !== this.monthSpan(at).start;
    if (!windowOver && !monthOver) return s;
    const copy = structuredClone(s);
    this.register.settle(copy, at, (start, e, gap) => this.closed(copy, start, e, gap));
    this.monthOf(copy, at);
    return copy;
  }

  private twelveMonths(history: readonly MonthValue[], current: string, valueKw: number): TwelveMonths {
    const [y, m] = current.split('-').map(Number) as [number, number];
    const floor = this.options.rule.floorKw;
    let sum = valueKw;
    let months = 1;
    for (const h of history) {
      const [hy, hm] = h.month.split('-').map(Number) as [number, number];
      const ago = y * 12 + m - (hy * 12 + hm);
      if (ago < 1 || ago > 11) continue;
      sum += Math.max(floor, h.kW);
      months++;
    }
    return { averageKw: sum / months, months };
  }

  private factsOf(start: number): WindowFacts {
    let f = this.facts.get(start);
    if (f === undefined) {
      if (this.facts.size >= 128) this.facts.clear();
      this.facts.set(start, (f = windowFacts(start, this.options.timeZone)));
    }
    return f;
  }
}

/**
 * Puts a month's value in the history (oldest first, the last 12 kept); a month already there keeps the higher value.
 * Returns true when the history changed.
 */
function mergeMonth(history: MonthValue[], value: MonthValue): boolean {
  const i = history.findIndex((h) => h.month === value.month);
  if (i >= 0) {
    if (history[i]!.kW >= value.kW) return false;
    history[i] = value;
    return true;
  }
  history.push(value);
  history.sort((a, b) => (a.month < b.month ? -1 : 1));
  if (history.length > 12) history.splice(0, history.length - 12);
  return history.includes(value);
}

/** A machine from saved state, or why the state cannot be used (then start with `new CapacityMachine(options)`). */
export function restoreCapacity(doc: unknown, options: CapacityOptions): CapacityMachine | CapacityStateError {
  const checked = checkCapacityState(doc, ruleKey(options.rule));
  return checked instanceof Error ? checked : new CapacityMachine(options, structuredClone(checked));
}
