import { HISTORY_DAYS, HISTORY_HOURS, type EnergyBar, type MeterHistory, type PayloadView } from './contract.js';

/**
 * Where a meter's energy history comes from: the service's own record of closed periods (kept in its state file, so
 * it survives a restart), by meter id; null while it has none for that meter.
 */
export type HistorySource = (meterId: string) => MeterHistory | null;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Readonly<Record<string, unknown>> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : null);

/** The last 48 hours or 31 days before the newest bar: what a history shows, whoever kept it. */
export function recent(bars: readonly EnergyBar[], span: 'hours' | 'days'): EnergyBar[] {
  const newest = bars.at(-1)?.start;
  if (newest === undefined) return [];
  const [count, width] = span === 'hours' ? [HISTORY_HOURS, HOUR_MS] : [HISTORY_DAYS, DAY_MS];
  // A day is 23 to 25 hours long: its window is counted in whole days with an hour to spare.
  const from = newest - (count - 1) * width - (span === 'days' ? HOUR_MS : 0);
  return bars.filter((b) => b.start >= from).slice(-count);
}

/**
 * A meter's history as the page itself can keep it, from what the service publishes: each closed hour and day of the
 * accounting message (its `period_start` and `gap`), with its energy from the state message just before. Kept in
 * memory only: used until the service hands its own history over (a {@link HistorySource}).
 */
export class HistoryFromMessages {
  private hours: EnergyBar[] = [];
  private days: EnergyBar[] = [];
  private readonly last = { hour: null as string | null, day: null as string | null };

  /** An accounting message, with the state published just before it; true when a period closed (the view changed). */
  accounting(attributes: PayloadView, state: PayloadView | null): boolean {
    if (state === null) return false;
    const hour = this.closed('hour', attributes, state);
    if (hour) this.hours = recent([...this.hours, hour], 'hours');
    const day = this.closed('day', attributes, state);
    if (day) this.days = recent([...this.days, day], 'days');
    return hour !== null || day !== null;
  }

  view(): MeterHistory {
    return { hours: this.hours, days: this.days };
  }

  /** The period that closed since the last message, if one did: its bounds from the attributes, its energy from the state. */
  private closed(period: 'hour' | 'day', attributes: PayloadView, state: PayloadView): EnergyBar | null {
    const imp = record(attributes[`energy_import_previous_${period}`]);
    const exp = record(attributes[`energy_export_previous_${period}`]);
    const start = text(imp?.period_start) ?? text(exp?.period_start);
    if (start === null || start === this.last[period]) return null;
    const at = Date.parse(start);
    if (!Number.isFinite(at)) return null;
    this.last[period] = start;
    const partial = imp?.gap === true || exp?.gap === true;
    return {
      start: at,
      import: num(state[`energy_import_previous_${period}`]),
      export: num(state[`energy_export_previous_${period}`]),
      ...(partial ? { partial } : {}),
    };
  }
}
