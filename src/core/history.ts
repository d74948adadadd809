import type { JSONSchemaType } from 'ajv';
import type { ClosedPeriod, RegisterPeriods } from '../accounting/accounting.js';
import { periodStart } from '../accounting/periods.js';

/**
 * A meter's energy history: its last 48 closed hours and 31 closed days of imported and exported energy, and with
 * prices on what each of them cost. The periods (accounting.ts) keep only the current and the previous hour, day and
 * month; each previous hour and day is copied here as it closes, and kept in the state file with the meter, so that
 * the page's hourly and daily plots survive a restart (issue #28 item 7), as the AMS Reader's day and month plots do.
 */

/** One closed hour or day, kWh (the register's difference across it, as accounting.ts counts it). */
export interface HistoryBar {
  start: number;
  import: number | null;
  export: number | null;
  /** The period was not seen whole (the register's `gap`): the add-on started, stopped or heard nothing in part of it. */
  partial?: true;
}

/**
 * The cost (DKK incl. VAT) of an hour or day: the sum of its quarters' cost as cost.ts books them (each quarter's
 * imported energy times that quarter's total price). Null once a quarter with energy had no price: a sum without it
 * would be a guess.
 */
export interface CostSum {
  start: number;
  dkk: number | null;
}

export interface HistoryState {
  /** Oldest first, at most HOURS and DAYS, each within its window of the newest. */
  hours: HistoryBar[];
  days: HistoryBar[];
  /** With prices on: the cost of the hours and days by their start, the open hour and day included. */
  cost?: { hours: CostSum[]; days: CostSum[] };
}

/** What the page is handed (src/page/contract.ts `MeterHistory`): copies, with each bar's cost when prices are on. */
export interface HistoryView {
  readonly hours: readonly ViewBar[];
  readonly days: readonly ViewBar[];
}
export type ViewBar = Readonly<HistoryBar> & { readonly cost?: number | null };

export const HOURS = 48;
export const DAYS = 31;

const HOUR_MS = 3_600_000;
const IMPORT = 'active_energy_import';
const EXPORT = 'active_energy_export';

const spans = [
  { key: 'hours', period: 'hour', count: HOURS, width: HOUR_MS, slack: 0 },
  // A day is 23 to 25 hours long: its window is counted in 24-hour days with an hour to spare.
  { key: 'days', period: 'day', count: DAYS, width: 24 * HOUR_MS, slack: HOUR_MS },
] as const;

export const emptyHistory = (): HistoryState => ({ hours: [], days: [] });

/** The last `count` bars within `count` periods of the newest one: what a history keeps. */
function bounded<T extends { start: number }>(items: T[], span: (typeof spans)[number], extra = 0): T[] {
  const newest = items.at(-1)?.start;
  if (newest === undefined) return items;
  const from = newest - (span.count + extra - 1) * span.width - span.slack;
  return items.filter((b) => b.start >= from).slice(-(span.count + extra));
}

/**
 * After the meter's periods changed: each hour and day that closed since the last call becomes a bar. A period that
 * closed with nothing known of it (no data covered it) adds none: there is nothing to draw. True when a bar was added.
 */
export function recordClosed(state: HistoryState, periods: Readonly<Record<string, RegisterPeriods>>): boolean {
  let added = false;
  for (const span of spans) {
    const imp = periods[IMPORT]?.previous[span.period] ?? null;
    const exp = periods[EXPORT]?.previous[span.period] ?? null;
    const start = Math.max(imp?.start ?? -Infinity, exp?.start ?? -Infinity);
    const bars = state[span.key];
    // Starts only grow: the periods replace their previous period by a later one (accounting.ts `advance`).
    if (start === -Infinity || start <= (bars.at(-1)?.start ?? -Infinity)) continue;
    const of = (p: ClosedPeriod | null): ClosedPeriod | null => (p?.start === start ? p : null);
    const [i, e] = [of(imp), of(exp)];
    if ((i?.value ?? null) === null && (e?.value ?? null) === null) continue;
    bars.push({ start, import: i?.value ?? null, export: e?.value ?? null, ...(i?.gap === true || e?.gap === true ? { partial: true as const } : {}) });
    state[span.key] = bounded(bars, span);
    if (state.cost) state.cost[span.key] = state.cost[span.key].filter((c) => c.start >= (state[span.key][0]?.start ?? start));
    added = true;
  }
  return added;
}

/**
 * A quarter hour's cost as cost.ts booked it (null: it had energy but no price), added to its hour and its day in the
 * zone of the periods. Quarters come in order; one older than the sums kept is dropped.
 */
export function bookCost(state: HistoryState, quarterStart: number, dkk: number | null, timeZone: string): void {
  state.cost ??= { hours: [], days: [] };
  for (const span of spans) {
    const start = periodStart(span.period, quarterStart, timeZone);
    const sums = state.cost[span.key];
    const sum = sums.findLast((c) => c.start === start);
    if (sum) sum.dkk = sum.dkk === null || dkk === null ? null : sum.dkk + dkk;
    else if (start > (sums.at(-1)?.start ?? -Infinity)) {
      sums.push({ start, dkk });
      // The open period's sum beside the closed ones.
      state.cost[span.key] = bounded(sums, span, 1);
    }
  }
}

const round = (n: number, scale: number): number => Math.round(n * scale) / scale;

/** The page's view: copies, each bar with its cost (null when unknown) when `withCost`. */
export function historyView(state: HistoryState, withCost: boolean): HistoryView {
  const view = (bars: readonly HistoryBar[], sums: readonly CostSum[] | undefined): ViewBar[] =>
    bars.map((b) => {
      if (!withCost) return { ...b };
      const dkk = sums?.find((c) => c.start === b.start)?.dkk ?? null;
      return { ...b, cost: dkk === null ? null : round(dkk, 10_000) };
    });
  return { hours: view(state.hours, state.cost?.hours), days: view(state.days, state.cost?.days) };
}

/**
 * A history read from the state file (which the schema below bounds and types): in order, one bar per start, within
 * its bounds, whatever wrote it.
 */
export function restoreHistory(saved: HistoryState | undefined): HistoryState {
  if (saved === undefined) return emptyHistory();
  const clean = <T extends { start: number }>(items: readonly T[], span: (typeof spans)[number], extra = 0): T[] => {
    const sorted = [...items].sort((a, b) => a.start - b.start).filter((b, i, all) => i === 0 || all[i - 1]!.start !== b.start);
    return bounded(sorted, span, extra);
  };
  const out: HistoryState = { hours: clean(saved.hours, spans[0]), days: clean(saved.days, spans[1]) };
  if (saved.cost) out.cost = { hours: clean(saved.cost.hours, spans[0], 1), days: clean(saved.cost.days, spans[1], 1) };
  return out;
}

const instant = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;
/** Energy of an hour or a day, and money: bounded, so that no file holds a number the page cannot draw. */
const amount = { anyOf: [{ type: 'number', minimum: -1e12, maximum: 1e12 }, { type: 'null', nullable: true }] } as const;

const barSchema: JSONSchemaType<HistoryBar> = {
  type: 'object',
  properties: { start: instant, import: amount, export: amount, partial: { type: 'boolean', enum: [true], nullable: true } },
  required: ['start', 'import', 'export'],
  additionalProperties: false,
};
const sumSchema: JSONSchemaType<CostSum> = {
  type: 'object',
  properties: { start: instant, dkk: amount },
  required: ['start', 'dkk'],
  additionalProperties: false,
};

/** The schema of a meter's history in the state file (persisted.ts): its bounds are the ones kept. */
export const historySchema: JSONSchemaType<HistoryState> = {
  type: 'object',
  properties: {
    hours: { type: 'array', maxItems: HOURS, items: barSchema },
    days: { type: 'array', maxItems: DAYS, items: barSchema },
    cost: {
      type: 'object',
      nullable: true,
      properties: { hours: { type: 'array', maxItems: HOURS + 1, items: sumSchema }, days: { type: 'array', maxItems: DAYS + 1, items: sumSchema } },
      required: ['hours', 'days'],
      additionalProperties: false,
    },
  },
  required: ['hours', 'days'],
  additionalProperties: false,
};
