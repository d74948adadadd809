import type { SpotPrice, TariffRecord } from './answers.js';
import { energinet } from './charge-owners.data.js';
import { addDays, danishDate, danishMidnight, danishWallTime, quarterStarts, type DanishDate } from './danish-time.js';
import type { PriceArea, PriceSettings } from './settings.js';
import { tariffAt } from './tariffs.js';

/**
 * The price of each quarter hour, from the last good answers: pure, no clock of its own (time comes in as a number).
 *
 * total = (spot/1000 + grid tariff of that local hour + system tariff + transmission tariff + elafgift + supplier
 *          markup) × (1 + VAT/100)                                      [DKK/kWh incl. VAT]
 * export = spot/1000 + export markup                                     [DKK/kWh, no VAT: a household sells without it]
 *
 * Spot is DKK/MWh in the data (divided by 1000); the others are DKK/kWh excl. VAT. Every part comes from the data:
 * elafgift too (0.8 øre in 2026–2027, 72 øre in 2025: a constant here would be wrong on 1 January).
 */
export const pricePartNames = ['spot', 'gridTariff', 'systemTariff', 'transmissionTariff', 'electricityTax'] as const;
export type PricePart = (typeof pricePartNames)[number];

export interface QuarterPrice {
  /** The quarter's start (UTC instant, ms). */
  readonly start: number;
  /** The five parts, DKK/kWh excl. VAT; null where the data has no value for this quarter. */
  readonly spot: number | null;
  readonly gridTariff: number | null;
  readonly systemTariff: number | null;
  readonly transmissionTariff: number | null;
  readonly electricityTax: number | null;
  /** DKK/kWh incl. VAT; null unless every part is known. */
  readonly total: number | null;
  /** DKK/kWh; null without a spot price. */
  readonly export: number | null;
}

export interface PriceDay {
  readonly date: DanishDate;
  /** Danish midnight starting the day. */
  readonly start: number;
  /** One entry per quarter hour, in order: 96, 92 on the spring DST day, 100 on the autumn one. */
  readonly quarters: readonly QuarterPrice[];
  /** The parts the data lacks for some quarter of the day (empty when every total is known). */
  readonly missing: readonly PricePart[];
}

/** The event payload the core receives: today's and tomorrow's quarter hours with their parts and totals. */
export interface PriceTable {
  readonly area: PriceArea;
  readonly gridCompany: string | null;
  readonly supplierMarkup: number;
  readonly vatPercent: number;
  readonly exportMarkup: number;
  readonly resolutionMinutes: 15;
  readonly today: PriceDay;
  /** Null until tomorrow's spot prices are published (early afternoon). */
  readonly tomorrow: PriceDay | null;
  /** When it was built (the instant passed in). */
  readonly builtAt: number;
}

/** The last good answers the table is built from; null where none has arrived yet. */
export interface PriceInputs {
  readonly spot: readonly SpotPrice[];
  /** The grid company's tariff records (unused when `gridCompany` is null). */
  readonly grid: readonly TariffRecord[] | null;
  /** Energinet's records (system tariff, transmission tariff, elafgift). */
  readonly energinet: readonly TariffRecord[] | null;
}

const byNote = (records: readonly TariffRecord[] | null, note: string): readonly TariffRecord[] => (records ?? []).filter((r) => r.note === note);

export function buildPriceDay(date: DanishDate, inputs: PriceInputs, settings: PriceSettings): PriceDay {
  const spotByStart = new Map<number, number | null>();
  for (const s of inputs.spot) spotByStart.set(s.start, s.dkkPerMWh);
  const system = byNote(inputs.energinet, energinet.notes.systemTariff);
  const transmission = byNote(inputs.energinet, energinet.notes.transmissionTariff);
  const tax = byNote(inputs.energinet, energinet.notes.electricityTax);
  const vat = 1 + settings.vatPercent / 100;
  const missing = new Set<PricePart>();
  const quarters = quarterStarts(date).map((start): QuarterPrice => {
    const wall = danishWallTime(start);
    const mwh = spotByStart.get(start) ?? null;
    const parts = {
      spot: mwh === null ? null : mwh / 1000,
      gridTariff: settings.gridCompany === null ? 0 : inputs.grid === null ? null : tariffAt(inputs.grid, wall.text, wall.hour),
      systemTariff: tariffAt(system, wall.text, wall.hour),
      transmissionTariff: tariffAt(transmission, wall.text, wall.hour),
      electricityTax: tariffAt(tax, wall.text, wall.hour),
    };
    let sum = settings.supplierMarkup;
    let known = true;
    for (const name of pricePartNames) {
      const v = parts[name];
      if (v === null) {
        known = false;
        missing.add(name);
      } else sum += v;
    }
    return { start, ...parts, total: known ? sum * vat : null, export: parts.spot === null ? null : parts.spot + settings.exportMarkup };
  });
  return { date, start: danishMidnight(date), quarters, missing: pricePartNames.filter((p) => missing.has(p)) };
}

/** Whether the spot data has a price for every quarter of a day (what "tomorrow has arrived" means). */
export function spotComplete(spot: readonly SpotPrice[], date: DanishDate): boolean {
  const have = new Set(spot.filter((s) => s.dkkPerMWh !== null).map((s) => s.start));
  return quarterStarts(date).every((t) => have.has(t));
}

export function buildPriceTable(now: number, inputs: PriceInputs, settings: PriceSettings): PriceTable {
  const today = danishDate(now);
  const tomorrow = addDays(today, 1);
  const tomorrowStart = danishMidnight(tomorrow);
  const tomorrowEnd = danishMidnight(addDays(today, 2));
  const anyTomorrow = inputs.spot.some((s) => s.start >= tomorrowStart && s.start < tomorrowEnd && s.dkkPerMWh !== null);
  return {
    area: settings.area,
    gridCompany: settings.gridCompany,
    supplierMarkup: settings.supplierMarkup,
    vatPercent: settings.vatPercent,
    exportMarkup: settings.exportMarkup,
    resolutionMinutes: 15,
    today: buildPriceDay(today, inputs, settings),
    tomorrow: anyTomorrow ? buildPriceDay(tomorrow, inputs, settings) : null,
    builtAt: now,
  };
}
