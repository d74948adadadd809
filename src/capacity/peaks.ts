import type { ClosedWindow, MonthWindows } from './state.js';

/**
 * The month's peaks under a rule: which windows are kept, the month's value, and the highest value the running window
 * may reach without raising it. Values here are counted kW (a window's average times the rule's weight).
 */

/** Higher first; of two equal windows the earlier first (AMS Reader's updateMax also keeps the first of a tie). */
const byRank = (a: { kW: number; start: number }, b: { kW: number; start: number }): number => b.kW - a.kW || a.start - b.start;

/**
 * Keeps a closed window in the month if it can still be a peak: with distinct days, the highest of its day (a tie keeps
 * the earlier); otherwise among the `peaks` highest of the month.
 */
export function keepWindow(month: MonthWindows, w: ClosedWindow, peaks: number, dayOf: ((start: number) => string) | null): void {
  if (w.gap) month.gap = true;
  if (dayOf !== null) {
    const day = dayOf(w.start);
    const i = month.windows.findIndex((k) => dayOf(k.start) === day);
    if (i < 0) month.windows.push(w);
    else if (w.kW > month.windows[i]!.kW) month.windows[i] = w;
    month.windows.sort(byRank);
    return;
  }
  month.windows.push(w);
  month.windows.sort(byRank);
  if (month.windows.length > peaks) month.windows.length = peaks;
}

export interface Peak {
  readonly start: number;
  readonly kW: number;
  readonly gap: boolean;
  /** The window still running: its value so far, which can only grow. */
  readonly running: boolean;
}

export interface MonthFigures {
  /** The peaks the month's value is the mean of, highest first. */
  readonly peaks: readonly Peak[];
  /** The mean of the peaks (0 with none), before the floor. */
  readonly rawKw: number;
  /** The month's value: the mean of the peaks, at least the floor. */
  readonly valueKw: number;
  /**
   * The highest counted value the running window can end at while the month's value stays as it is now (null when the
   * running window does not count). See `ceiling`.
   */
  readonly ceilingKw: number | null;
}

/**
 * The month's figures with the running window counted at `runningKw` (null when it does not count).
 *
 * The ceiling: let O be the kept windows the running one does not compete with (with distinct days, the other days'
 * highest; otherwise every kept window), m the highest closed window of the running window's own day (distinct days
 * only), x₀ the running window's value so far, N the peaks and F the floor. The month's value as a function of the
 * running window's final value x is f(x) = max(F, mean of the n = min(N, |O| + 1) highest of O ∪ {max(m, x)}). It is
 * flat up to, and rising after, A* = max(max(m, x₀), k, n·F − S): k is the N-th highest of O (when O has N windows,
 * else nothing): below it the running window is not among the peaks, at it a tie that changes no sum; n·F − S (S the
 * sum of the n − 1 highest of O) is where the mean reaches a floor it is below now.
 */
export function monthFigures(kept: readonly ClosedWindow[], running: { start: number; kW: number; gap: boolean } | null, peaks: number, floorKw: number, sameDay: ((start: number) => boolean) | null): MonthFigures {
  // Every frame asks: one pass over the kept windows (sorted highest first), no sort, objects only for the peaks.
  let today: ClosedWindow | null = null;
  const others: ClosedWindow[] = [];
  for (const k of kept) {
    if (sameDay !== null && sameDay(k.start)) today ??= k;
    else others.push(k);
  }
  const own: Peak | null =
    running !== null && (today === null || running.kW > today.kW)
      ? { start: running.start, kW: running.kW, gap: running.gap, running: true }
      : today === null
        ? null
        : { start: today.start, kW: today.kW, gap: today.gap, running: false };
  const counted: Peak[] = [];
  let pending = own;
  for (const k of others) {
    if (counted.length >= peaks) break;
    if (pending !== null && byRank(pending, k) < 0) {
      counted.push(pending);
      pending = null;
      if (counted.length >= peaks) break;
    }
    counted.push({ start: k.start, kW: k.kW, gap: k.gap, running: false });
  }
  if (pending !== null && counted.length < peaks) counted.push(pending);
  const rawKw = counted.length === 0 ? 0 : counted.reduce((sum, p) => sum + p.kW, 0) / counted.length;
  const valueKw = Math.max(floorKw, rawKw);
  if (running === null) return { peaks: counted, rawKw, valueKw, ceilingKw: null };
  // `others` is sorted highest first (kept windows are).
  const d0 = Math.max(today?.kW ?? 0, running.kW);
  const k = others.length >= peaks ? others[peaks - 1]!.kW : 0;
  const n = Math.min(peaks, others.length + 1);
  let s = 0;
  for (let i = 0; i < n - 1; i++) s += others[i]!.kW;
  const toFloor = floorKw > 0 ? n * floorKw - s : 0;
  return { peaks: counted, rawKw, valueKw, ceilingKw: Math.max(d0, k, toFloor) };
}
