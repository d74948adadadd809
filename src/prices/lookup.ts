import { QUARTER_MS } from './danish-time.js';
import type { PriceDay, PriceTable, QuarterPrice } from './price-model.js';

/** What the core asks of a price table at an instant: pure reads, no clock of their own. */

/** The quarter covering `instant`, or null when the table has none (then no price covers now). */
export function quarterAt(table: PriceTable, instant: number): QuarterPrice | null {
  for (const day of table.tomorrow ? [table.today, table.tomorrow] : [table.today]) {
    const q = day.quarters.find((x) => x.start <= instant && instant < x.start + QUARTER_MS);
    if (q) return q;
  }
  return null;
}

/** The quarter after the one covering `instant` (Nord Pool's `next_price`). */
export const nextQuarter = (table: PriceTable, instant: number): QuarterPrice | null => quarterAt(table, Math.floor(instant / QUARTER_MS) * QUARTER_MS + QUARTER_MS);

export interface DayStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** The first quarter at the minimum / maximum (Nord Pool gives `start` and `end` of its lowest and highest). */
  readonly minAt: QuarterPrice;
  readonly maxAt: QuarterPrice;
  /** How many quarters had a total: less than the day's quarters when the data lacks some. */
  readonly count: number;
}

/** Minimum, maximum and mean of a day's totals over the quarters that have one; null when none has. */
export function dayStats(day: PriceDay): DayStats | null {
  let minAt: QuarterPrice | null = null;
  let maxAt: QuarterPrice | null = null;
  let sum = 0;
  let count = 0;
  for (const q of day.quarters) {
    if (q.total === null) continue;
    if (minAt === null || q.total < (minAt.total ?? Infinity)) minAt = q;
    if (maxAt === null || q.total > (maxAt.total ?? -Infinity)) maxAt = q;
    sum += q.total;
    count++;
  }
  if (minAt === null || maxAt === null || minAt.total === null || maxAt.total === null) return null;
  return { min: minAt.total, max: maxAt.total, mean: sum / count, minAt, maxAt, count };
}
