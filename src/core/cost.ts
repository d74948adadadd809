import type { JSONSchemaType } from 'ajv';
import { RegisterWindows, type WindowState } from '../accounting/register-windows.js';
import { periodStart } from '../accounting/periods.js';
import { wallTime } from '../accounting/time-zone.js';
import type { CostFigures } from '../ha/cost.js';
import type { QuarterPrice } from '../prices/price-model.js';
import { MAX_POWER_KW } from './energy-guard.js';

/**
 * What a meter's electricity cost, exact to the quarter hour: each quarter's imported energy (the register's difference
 * across it, register-windows.ts) times that quarter's total price, summed over the local day and month; and what its
 * exported energy earned at that quarter's export price. A quarter without a price is counted as such, never guessed.
 * The running quarter counts with the energy so far at its own price, so the figures grow smoothly.
 */
export interface CostState {
  import: WindowState;
  export: WindowState;
  /** The local day (`YYYY-MM-DD`) and month (`YYYY-MM`) the sums are for. */
  day: string | null;
  month: string | null;
  /** DKK incl. VAT. */
  costToday: number;
  costMonth: number;
  incomeToday: number;
  /** Closed quarters of the day and month with energy but without a price. */
  missingToday: number;
  missingMonth: number;
}

export const emptyCost = (): CostState => ({
  import: { lastInterval: null, last: null, window: null },
  export: { lastInterval: null, last: null, window: null },
  day: null,
  month: null,
  costToday: 0,
  costMonth: 0,
  incomeToday: 0,
  missingToday: 0,
  missingMonth: 0,
});

/** The price of the quarter starting at an instant, or null when none is known. */
export type PriceOf = (quarterStart: number) => QuarterPrice | null;

/** A closed quarter's cost (DKK; null: it had energy but no price), for its hour and day (history.ts). */
export type Booked = (quarterStart: number, dkk: number | null) => void;

export type CostValues = CostFigures;

const pad = (n: number): string => String(n).padStart(2, '0');
const round = (dkk: number): number => Math.round(dkk * 10_000) / 10_000;

export class Cost {
  private readonly windows: RegisterWindows;

  constructor(
    private readonly timeZone: string,
    minGapMs: number,
  ) {
    this.windows = new RegisterWindows(15, timeZone, minGapMs, MAX_POWER_KW);
  }

  private keys(at: number): { day: string; month: string } {
    const w = wallTime(at, this.timeZone);
    const month = `${w.year}-${pad(w.month)}`;
    return { day: `${month}-${pad(w.day)}`, month };
  }

  /** Starts afresh the sums of a day or month that is over. */
  private roll(s: CostState, at: number): void {
    const { day, month } = this.keys(at);
    if (s.month !== month) {
      s.month = month;
      s.costMonth = 0;
      s.missingMonth = 0;
    }
    if (s.day !== day) {
      s.day = day;
      s.costToday = 0;
      s.incomeToday = 0;
      s.missingToday = 0;
    }
  }

  /** Register readings of an accepted frame (null: the frame has no such register). True when a quarter closed. */
  observe(s: CostState, at: number, importKwh: number | null, exportKwh: number | null, priceOf: PriceOf, booked?: Booked): boolean {
    let closed = false;
    if (importKwh !== null) {
      closed =
        this.windows.observe(s.import, at, importKwh, (start, kWh) => {
          this.roll(s, start);
          const total = priceOf(start)?.total ?? null;
          booked?.(start, total !== null ? kWh * total : kWh > 0 ? null : 0);
          if (total !== null) {
            s.costToday += kWh * total;
            s.costMonth += kWh * total;
          } else if (kWh > 0) {
            s.missingToday++;
            s.missingMonth++;
          }
        }) || closed;
    }
    if (exportKwh !== null) {
      closed =
        this.windows.observe(s.export, at, exportKwh, (start, kWh) => {
          this.roll(s, start);
          const price = priceOf(start)?.export ?? null;
          if (price !== null) s.incomeToday += kWh * price;
        }) || closed;
    }
    return closed;
  }

  /** The day's and month's figures at `at`, the running quarter included at its own price. */
  values(s: CostState, at: number, priceOf: PriceOf): CostValues {
    const { day, month } = this.keys(at);
    const sameDay = s.day === day;
    const sameMonth = s.month === month;
    const current = priceOf(this.windows.startOf(at));
    const runningCost = s.import.window !== null && s.import.window.start === this.windows.startOf(at) ? this.windows.used(s.import) * (current?.total ?? 0) : 0;
    const runningIncome = s.export.window !== null && s.export.window.start === this.windows.startOf(at) ? this.windows.used(s.export) * (current?.export ?? 0) : 0;
    return {
      costToday: round((sameDay ? s.costToday : 0) + runningCost),
      costMonth: round((sameMonth ? s.costMonth : 0) + runningCost),
      incomeToday: round((sameDay ? s.incomeToday : 0) + runningIncome),
      dayStart: periodStart('day', at, this.timeZone),
      monthStart: periodStart('month', at, this.timeZone),
      missingToday: sameDay ? s.missingToday : 0,
      missingMonth: sameMonth ? s.missingMonth : 0,
    };
  }
}

const instant = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;
const energy = { type: 'number', minimum: -1e12, maximum: 1e12 } as const;
const money = { type: 'number', minimum: -1e12, maximum: 1e12 } as const;
const count = { type: 'integer', minimum: 0, maximum: 100_000 } as const;
const orNull = <const S extends object>(schema: S) => ({ anyOf: [schema, { type: 'null', nullable: true }] }) as const;

const windowStateSchema: JSONSchemaType<WindowState> = {
  type: 'object',
  properties: {
    lastInterval: orNull({ type: 'number', minimum: 0 }),
    last: orNull({ type: 'object', properties: { at: instant, kWh: energy }, required: ['at', 'kWh'], additionalProperties: false }),
    window: orNull({
      type: 'object',
      properties: { start: instant, startKwh: energy, usedKwh: energy, gap: { type: 'boolean' } },
      required: ['start', 'startKwh', 'usedKwh', 'gap'],
      additionalProperties: false,
    }),
  },
  required: ['lastInterval', 'last', 'window'],
  additionalProperties: false,
};

/** The schema of a meter's cost in the state file (persisted.ts). */
export const costSchema: JSONSchemaType<CostState> = {
  type: 'object',
  properties: {
    import: windowStateSchema,
    export: windowStateSchema,
    day: orNull({ type: 'string', maxLength: 10 }),
    month: orNull({ type: 'string', maxLength: 7 }),
    costToday: money,
    costMonth: money,
    incomeToday: money,
    missingToday: count,
    missingMonth: count,
  },
  required: ['import', 'export', 'day', 'month', 'costToday', 'costMonth', 'incomeToday', 'missingToday', 'missingMonth'],
  additionalProperties: false,
};
