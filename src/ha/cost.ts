import { slug, stateTopic, type Topics } from './discovery.js';

/** A meter's cost figures at an instant (DKK incl. VAT; the periods' starts as instants). */
export interface CostFigures {
  readonly costToday: number;
  readonly costMonth: number;
  readonly incomeToday: number;
  readonly dayStart: number;
  readonly monthStart: number;
  readonly missingToday: number;
  readonly missingMonth: number;
}

/**
 * What a meter cost and earned, on its own device: `cost_today` and `cost_this_month` (DKK incl. VAT) and
 * `export_income_today`, each a total that starts afresh with its period (`state_class: total` with `last_reset`, as
 * the energy periods in discovery.ts), `device_class: monetary` — the form the Energy dashboard takes as "an entity
 * tracking the total costs" (core energy/validate.py `_async_validate_cost_stat`: a monetary sensor, or a total).
 * The quarters without a price are an attribute: counted, never guessed.
 */
export const CURRENCY = 'DKK';

export const costKeys = ['cost_today', 'cost_this_month', 'export_income_today'] as const;
type CostKey = (typeof costKeys)[number];

const names: Record<CostKey, string> = { cost_today: 'Cost today', cost_this_month: 'Cost this month', export_income_today: 'Export income today' };

/** Components to add to the meter's device; export income only for a meter that has an export register. */
export function costComponents(t: Topics, meterId: string, withExport: boolean): Record<string, Record<string, unknown>> {
  const id = slug(meterId);
  const out: Record<string, Record<string, unknown>> = {};
  for (const key of costKeys) {
    if (key === 'export_income_today' && !withExport) continue;
    out[key] = {
      platform: 'sensor',
      name: names[key],
      unique_id: `powermeter_${id}_${key}`,
      default_entity_id: `sensor.powermeter_${id}_${key}`,
      value_template: `{{ value_json.${key} }}`,
      device_class: 'monetary',
      unit_of_measurement: CURRENCY,
      state_class: 'total',
      suggested_display_precision: 2,
      // '' when there is none: see discovery.ts for why not null.
      last_reset_value_template: `{{ value_json.${key}_last_reset or '' }}`,
      ...(key === 'export_income_today' ? {} : { json_attributes_topic: stateTopic(t, meterId), json_attributes_template: `{{ {'quarters_without_price': value_json.${key}_missing} | tojson }}` }),
      icon: key === 'export_income_today' ? 'mdi:cash-plus' : 'mdi:cash',
    };
  }
  return out;
}

/** The cost fields of the meter's state message (every key its templates read, always there). */
export function costState(v: CostFigures | null, withExport: boolean): Record<string, number | string | null> {
  const iso = (t: number) => new Date(t).toISOString();
  const out: Record<string, number | string | null> = {
    cost_today: v?.costToday ?? null,
    cost_today_last_reset: v ? iso(v.dayStart) : null,
    cost_today_missing: v?.missingToday ?? 0,
    cost_this_month: v?.costMonth ?? null,
    cost_this_month_last_reset: v ? iso(v.monthStart) : null,
    cost_this_month_missing: v?.missingMonth ?? 0,
  };
  if (withExport) {
    out.export_income_today = v?.incomeToday ?? null;
    out.export_income_today_last_reset = v ? iso(v.dayStart) : null;
  }
  return out;
}
