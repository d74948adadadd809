import type { CapacitySetting } from '../../core/extras.js';
import { resolveCapacity, type CustomRule } from '../../capacity/settings.js';
import type { CapacityTariff, NightWeight } from '../../capacity/rule.js';
import { capacityTariffs } from '../../capacity/rule.js';
import { checkPriceSettings, type PriceArea, type PriceSettings } from '../../prices/settings.js';
import { defaults, type OptionsDocument } from './document.js';

/**
 * The options for prices and the capacity tariff, converted to what the price layer and the capacity machine take
 * (src/prices/settings.ts, src/capacity/settings.ts); their own checks say what is wrong, each line naming the option.
 */
export function priceSettings(o: OptionsDocument, problems: string[]): PriceSettings | null {
  const area = o.price_area ?? defaults.price_area;
  if (area === 'none') {
    if (o.grid_company !== undefined && o.grid_company !== 'none') problems.push('grid_company: is set, but price_area is none: choose DK1 (west of the Great Belt) or DK2 (east) to have prices');
    return null;
  }
  const settings: PriceSettings = {
    area: area satisfies PriceArea,
    gridCompany: (o.grid_company ?? defaults.grid_company) === 'none' ? null : (o.grid_company ?? null),
    supplierMarkup: o.supplier_markup ?? defaults.supplier_markup,
    vatPercent: o.vat_percent ?? defaults.vat_percent,
    exportMarkup: o.export_markup ?? defaults.export_markup,
  };
  const checked = checkPriceSettings(settings);
  if (!checked.ok) {
    const option: Record<keyof PriceSettings, string> = { area: 'price_area', gridCompany: 'grid_company', supplierMarkup: 'supplier_markup', vatPercent: 'vat_percent', exportMarkup: 'export_markup' };
    for (const e of checked.errors) problems.push(`${option[e.field]}: ${e.message}`);
    return null;
  }
  return settings;
}

/** "11-3", "1,2,12", "6-17": a list of whole numbers and wrapping ranges within [lo, hi]; null when not given. */
export function parseList(text: string | undefined, lo: number, hi: number, option: string, problems: string[]): number[] | null {
  if (text === undefined || text.trim() === '') return null;
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < lo || from > hi || to < lo || to > hi) {
      problems.push(`${option}: "${part.trim().slice(0, 20)}" is not a number or range from ${lo} to ${hi} (e.g. 11-3, or 1,2,12)`);
      return null;
    }
    // A range that wraps (11-3: November to March; 22-6: the night) runs over the end of the scale.
    for (let v = from; ; v = v === hi ? lo : v + 1) {
      if (!out.includes(v)) out.push(v);
      if (v === to) break;
    }
  }
  return out;
}

/** "22-6 0.5": from hour, to hour, weight. */
function parseNight(text: string | undefined, problems: string[]): NightWeight | null {
  if (text === undefined || text.trim() === '') return null;
  const m = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s+(\d*\.?\d+)\s*$/.exec(text);
  if (!m) {
    problems.push('capacity_night: must be the night hours and their weight, e.g. 22-6 0.5 (22:00 to 06:00 counted at half)');
    return null;
  }
  return { fromHour: Number(m[1]), toHour: Number(m[2]), weight: Number(m[3]) };
}

export function capacitySetting(o: OptionsDocument, problems: string[]): CapacitySetting | null {
  const tariff = o.capacity_tariff ?? defaults.capacity_tariff;
  const known = capacityTariffs.find((t): t is CapacityTariff => t === tariff) ?? 'none';
  const custom: CustomRule | null =
    known === 'custom'
      ? {
          windowMinutes: o.capacity_window ?? 60,
          peaks: o.capacity_peaks ?? 1,
          distinctDays: o.capacity_distinct_days ?? false,
          aggregation: o.capacity_aggregation ?? 'mean-of-peaks',
          floorKw: o.capacity_floor_kw ?? 0,
          night: parseNight(o.capacity_night, problems),
          months: parseList(o.capacity_months, 1, 12, 'capacity_months', problems),
          weekdays: parseList(o.capacity_weekdays, 1, 7, 'capacity_weekdays', problems),
          hours: parseList(o.capacity_hours, 0, 23, 'capacity_hours', problems),
        }
      : null;
  const list = o.capacity_steps ?? [];
  const steps = list.length === 0 ? null : { steps: list.map((s) => ({ fromKw: s.from_kw, price: s.price })), thresholdIncluded: o.capacity_step_included ?? false };
  const resolved = resolveCapacity({ tariff: known, custom, steps });
  switch (resolved.kind) {
    case 'none':
      if (steps !== null) problems.push('capacity_steps: are set, but capacity_tariff is none: choose the rule your grid company bills by');
      return null;
    case 'invalid':
      for (const e of resolved.errors) problems.push(e.startsWith('capacity_') ? e : `capacity (${known}): ${e}`);
      return null;
    case 'rule':
      return { rule: resolved.rule, steps: resolved.steps };
  }
}
