import { comparePeaks } from '../capacity/compare.js';
import { MONTH_PEAK } from '../ha/details.js';
import type { DemandPeak, MeterFrame } from '../obis/readings.js';
import type { CapacitySetting } from './extras.js';
import type { Meter } from './meter.js';
import type { Outbox } from './outbox.js';

const MINUTE_MS = 60_000;

/** What is kept of a meter's own peak registers between telegrams. */
interface Seen {
  /** The 13-month history as last seeded (a text that changes when the history does). */
  history: string | null;
  /** The window last compared in: once per window is enough. */
  comparedWindow: number;
  /** The first telegram of this run: the meter's peaks before it were not seen by PowerMeter. */
  readonly since: number;
  lastAt: number;
  intervalMs: number;
}

/**
 * A Belgian meter computes its capacity figures itself (e-MUCS: `1-0:1.6.0`, the month's highest quarter hour with its
 * time; `0-0:98.1.0`, the last 13 months' peaks; homebridge-p1#69, zuidwijk/dsmr#37). With a capacity rule set, the
 * history seeds the capacity machine's 12-month mean (`CapacityMachine.seedHistory`), so that it is right from the first
 * day instead of after a year; and the meter's month peak is compared with PowerMeter's own (src/capacity/compare.ts),
 * once per window and a minute into it (the meter updates its peak when a quarter hour ends), in the windows of this
 * run only: a difference beyond what rounding and the telegram cadence explain is said once. Both are shown side by
 * side on the meter's device (the month-peak sensor and the capacity sensors).
 */
export class BelgianPeaks {
  private readonly meters = new Map<string, Seen>();

  constructor(
    private readonly capacity: CapacitySetting | null,
    private readonly out: Outbox,
  ) {}

  /**
   * A P1 telegram, after the capacity machine took its import register. Returns true when the history raised or added
   * a month (the state is worth saving soon).
   */
  observe(meter: Meter, frame: MeterFrame, at: number): boolean {
    const machine = meter.capacity;
    if (this.capacity === null || machine === null) return false;
    let seen = this.meters.get(meter.id);
    if (seen === undefined) this.meters.set(meter.id, (seen = { history: null, comparedWindow: -1, since: at, lastAt: at, intervalMs: 1000 }));
    if (at > seen.lastAt) seen.intervalMs = at - seen.lastAt;
    seen.lastAt = at;
    let seeded = false;
    const history = frame.demandHistory;
    if (history !== undefined) {
      const text = history.map((h) => `${h.at}=${h.value}`).join();
      if (text !== seen.history) {
        seen.history = text;
        seeded = machine.seedHistory(monthsOf(history)) > 0;
      }
    }
    const windowMs = this.capacity.rule.windowMinutes * MINUTE_MS;
    const window = Math.floor(at / windowMs) * windowMs;
    // The meter's peak is of quarter hours; a rule of hours counts something else.
    if (this.capacity.rule.windowMinutes === 15 && window !== seen.comparedWindow && at - window >= MINUTE_MS) {
      seen.comparedWindow = window;
      this.compare(meter, seen);
    }
    return seeded;
  }

  private compare(meter: Meter, seen: Seen): void {
    const register = meter.readings.get(MONTH_PEAK)?.reading;
    const stamped = register?.at === undefined || register.at === null ? NaN : Date.parse(register.at);
    const month = meter.capacity?.snapshot().month;
    if (register === undefined || month === undefined || month === null || !Number.isFinite(stamped)) return;
    // Last month's peak until the meter starts the new month, or a peak PowerMeter was not there to see.
    if (stamped < month.start || stamped < seen.since + 15 * MINUTE_MS) return;
    let ours: { start: number; kW: number } | null = null;
    for (const w of month.windows) if (ours === null || w.kW > ours.kW) ours = w;
    if (ours === null) return;
    const c = comparePeaks({ kW: register.value / 1000, at: stamped }, { kW: ours.kW, at: ours.start }, { windowMinutes: 15, registerResolutionKwh: 0.001, frameIntervalMs: seen.intervalMs });
    if (!c.agree) this.out.say('capacity-peak-differs', meter.scope, { meter: meter.id, comparison: c.text });
  }
}

/** The 13-month history as the capacity machine takes it: each month's peak (kW) at its time. */
function monthsOf(history: readonly DemandPeak[]): { at: number; kW: number }[] {
  const out: { at: number; kW: number }[] = [];
  for (const h of history) {
    const at = h.at === null ? NaN : Date.parse(h.at);
    if (Number.isFinite(at)) out.push({ at, kW: h.value / 1000 });
  }
  return out;
}
