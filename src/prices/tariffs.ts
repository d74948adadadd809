import type { TariffRecord } from './answers.js';

/**
 * The tariff of one Danish local hour from price list records.
 *
 * A record covers a moment when `ValidFrom` ≤ its Danish wall time < `ValidTo` (null: open-ended), compared as the
 * service's own local-time text: an expired record (`ValidTo` passed) and a future one (`ValidFrom` ahead, published
 * before it takes effect) cover nothing now, and a future one takes over on its day by itself. `PriceN` is local hour
 * N−1: on the 25-hour day both 02:00 hours read `Price3`, on the 23-hour day hour 2 never comes.
 *
 * Two records valid on the same day — decided from the sources:
 * - **different `ChargeTypeCode`s are added up.** A company's second code is a discount ("CD R", "…R", "Rabat") and a
 *   bill lists both lines (Konstant's "Nettarif C 0,15361" and "Rabat på Nettarif C -0,02808" on one NRGi bill quoted
 *   in a public bill-parser test); openHAB adds codes (`PriceListParser.toHourly`, test `toHourlyTariffAndDiscountIsSum`:
 *   N1 `CD` 0.407717 + `CD R` −0.0202 = 0.387517 on 2022-11-30) and so does MTrab (`get_dated_tariff`). In openHAB's
 *   recorded N1 answer the December 2022 discount equals the tariff: the grid was free that month.
 * - **one `ChargeTypeCode` with two covering records: the latest `ValidFrom` wins.** A new price list replaces the old
 *   from its first day. openHAB takes the first covering record of the answer, which it asks newest first, i.e. the
 *   same; MTrab would add them up, doubling the tariff, which no bill shows. The answer's order is not relied on here.
 *
 * Null when no record of any code covers the hour: no price is guessed.
 */
export function tariffAt(records: readonly TariffRecord[], wallText: string, hour: number): number | null {
  const newest = new Map<string, TariffRecord>();
  for (const r of records) {
    if (r.validFrom > wallText || (r.validTo !== null && r.validTo <= wallText)) continue;
    const held = newest.get(r.code);
    if (!held || r.validFrom > held.validFrom) newest.set(r.code, r);
  }
  if (newest.size === 0) return null;
  let sum = 0;
  for (const r of newest.values()) sum += r.prices[hour] ?? 0;
  return sum;
}
