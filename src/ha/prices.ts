import { danishIso, QUARTER_MS } from '../prices/danish-time.js';
import { dayStats, nextQuarter, quarterAt } from '../prices/lookup.js';
import type { PriceDay, PriceTable, QuarterPrice } from '../prices/price-model.js';
import type { PriceArea } from '../prices/settings.js';
import { availabilityTopic, bridgeId, slug, type Origin, type Topics } from './discovery.js';

/**
 * The *Electricity price DK1/DK2* device: pure builders of its discovery, state, attributes and availability, in the
 * conventions of discovery.ts (device-based discovery, `origin`, the service's availability and one of its own,
 * unique ids from fixed keys only).
 *
 * `price` is the Energy dashboard's price entity. core's `energy/validate.py` (`_async_validate_price_entity`,
 * home-assistant/core @ 97ee650) wants a numeric state and a unit ending in `/kWh`, nothing else; the entity follows
 * core's Nord Pool integration (`homeassistant/components/nordpool/sensor.py` @ 0e1c605: `current_price` has unit
 * `{currency}/kWh`, `state_class: measurement`, display precision 2 and no device class; `next_price`,
 * `lowest_price` and `highest_price` no state class, the latter two with `start`/`end` attributes; `daily_average`
 * `measurement`) — not `device_class: monetary`, which is for amounts of money, not prices per kWh.
 *
 * The day's prices travel as attributes of `price` in a separate, compact message: the recorder drops *every*
 * attribute of a state whose attributes exceed 16 KiB (`MAX_STATE_ATTRS_BYTES = 16384`, recorder/db_schema.py), and an
 * MQTT entity cannot mark attributes unrecorded, so two days of quarter hours go as two arrays of numbers (under 4 KB
 * for the 100-quarter day), not as objects.
 */
export const PRICE_UNIT = 'DKK/kWh';

const areaKey = (area: PriceArea): string => `price_${area.toLowerCase()}`;
const suffix = (t: Topics): string => (t.partition ? `_p${t.partition.index}` : '');

export const priceDeviceId = (t: Topics, area: PriceArea): string => `${slug(t.baseTopic)}_${areaKey(area)}${suffix(t)}`;
export const priceDiscoveryTopic = (t: Topics, area: PriceArea): string => `${t.discoveryPrefix}/device/${priceDeviceId(t, area)}/config`;
export const priceStateTopic = (t: Topics, area: PriceArea): string => `${t.baseTopic}/${areaKey(area)}${suffix(t)}/state`;
export const priceAttributesTopic = (t: Topics, area: PriceArea): string => `${t.baseTopic}/${areaKey(area)}${suffix(t)}/attributes`;
/** `online` while a total price covers now: a price is unavailable only then, never for a failed fetch alone. */
export const priceAvailabilityTopic = (t: Topics, area: PriceArea): string => `${t.baseTopic}/${areaKey(area)}${suffix(t)}/availability`;

export const priceKeys = [
  'price',
  'price_spot',
  'price_grid_tariff',
  'price_system_tariff',
  'price_transmission_tariff',
  'price_electricity_tax',
  'price_next',
  'price_today_min',
  'price_today_max',
  'price_today_mean',
  'price_export',
] as const;
export type PriceKey = (typeof priceKeys)[number];

interface EntitySpec {
  readonly name: string;
  /** Nord Pool's state classes: `measurement` for the current price and the day's mean, none for next/lowest/highest. */
  readonly measurement: boolean;
  readonly precision: number;
  readonly enabled: boolean;
}

const specs: Record<PriceKey, EntitySpec> = {
  price: { name: 'Price', measurement: true, precision: 2, enabled: true },
  price_spot: { name: 'Spot price (excl. VAT)', measurement: true, precision: 3, enabled: true },
  price_grid_tariff: { name: 'Grid tariff (excl. VAT)', measurement: true, precision: 3, enabled: true },
  price_system_tariff: { name: 'System tariff (excl. VAT)', measurement: true, precision: 3, enabled: true },
  price_transmission_tariff: { name: 'Transmission tariff (excl. VAT)', measurement: true, precision: 3, enabled: true },
  // 0.8 øre/kWh in 2026–2027: of little interest until the rate returns in 2028.
  price_electricity_tax: { name: 'Electricity tax (excl. VAT)', measurement: true, precision: 3, enabled: false },
  price_next: { name: 'Next price', measurement: false, precision: 2, enabled: true },
  price_today_min: { name: 'Lowest price today', measurement: false, precision: 2, enabled: true },
  price_today_max: { name: 'Highest price today', measurement: false, precision: 2, enabled: true },
  price_today_mean: { name: 'Average price today', measurement: true, precision: 2, enabled: true },
  price_export: { name: 'Export price', measurement: true, precision: 2, enabled: true },
};

/** State keys holding `{start, end}` of the lowest and highest quarter (`{}` when there is none). */
const statsAttributes: Partial<Record<PriceKey, string>> = { price_today_min: 'price_today_min_at', price_today_max: 'price_today_max_at' };

export function priceDiscovery(t: Topics, origin: Origin, area: PriceArea): Record<string, unknown> {
  const id = priceDeviceId(t, area);
  const components: Record<string, Record<string, unknown>> = {};
  for (const key of priceKeys) {
    const spec = specs[key];
    const attributesKey = statsAttributes[key];
    components[key] = {
      platform: 'sensor',
      name: spec.name,
      unique_id: `${id}_${key}`,
      default_entity_id: `sensor.${id}_${key}`,
      value_template: `{{ value_json.${key} }}`,
      unit_of_measurement: PRICE_UNIT,
      ...(spec.measurement ? { state_class: 'measurement' } : {}),
      suggested_display_precision: spec.precision,
      enabled_by_default: spec.enabled,
      icon: 'mdi:cash',
      ...(key === 'price' ? { json_attributes_topic: priceAttributesTopic(t, area) } : {}),
      // Always an object in the state message ({} when there is no day yet): `tojson` of a missing key raises.
      ...(attributesKey ? { json_attributes_topic: priceStateTopic(t, area), json_attributes_template: `{{ value_json.${attributesKey} | tojson }}` } : {}),
    };
  }
  return {
    device: {
      identifiers: [id],
      name: `Electricity price ${area}`,
      manufacturer: 'Energi Data Service',
      model: 'Spot price, tariffs and taxes',
      via_device: bridgeId(t),
    },
    origin,
    state_topic: priceStateTopic(t, area),
    availability: [{ topic: availabilityTopic(t) }, { topic: priceAvailabilityTopic(t, area) }],
    availability_mode: 'all',
    components,
  };
}

const round = (value: number | null, decimals: number): number | null => (value === null ? null : Number(value.toFixed(decimals)));

export type PriceStateMessage = Record<PriceKey, number | null> & { price_today_min_at: Record<string, string>; price_today_max_at: Record<string, string> };

const span = (q: QuarterPrice | undefined): Record<string, string> => (q ? { start: danishIso(q.start), end: danishIso(q.start + QUARTER_MS) } : {});

/**
 * The state message at `now`: every key a template reads is always there, null where the data has no value (mqtt's
 * sensor takes the rendered None as unknown without a warning, see state.ts). DKK/kWh to 5 decimals (0.001 øre).
 */
export function priceState(table: PriceTable, now: number): PriceStateMessage {
  const q = quarterAt(table, now);
  const next = nextQuarter(table, now);
  const stats = dayStats(table.today);
  const r = (v: number | null | undefined) => round(v ?? null, 5);
  return {
    price: r(q?.total),
    price_spot: r(q?.spot),
    price_grid_tariff: r(q?.gridTariff),
    price_system_tariff: r(q?.systemTariff),
    price_transmission_tariff: r(q?.transmissionTariff),
    price_electricity_tax: r(q?.electricityTax),
    price_next: r(next?.total),
    price_today_min: r(stats?.min),
    price_today_max: r(stats?.max),
    price_today_mean: r(stats?.mean),
    price_export: r(q?.export),
    price_today_min_at: span(stats?.minAt),
    price_today_max_at: span(stats?.maxAt),
  };
}

export interface PriceAttributes {
  /** Today's Danish midnight with its offset. */
  readonly start: string;
  readonly resolution_minutes: 15;
  /** Total price incl. VAT per quarter hour from `start` (92, 96 or 100); null for a quarter without one. */
  readonly today: (number | null)[];
  readonly tomorrow: (number | null)[] | null;
}

/** Totals to 4 decimals (0.01 øre): the arrays stay compact (about 7 bytes a quarter). */
const totals = (day: PriceDay): (number | null)[] => day.quarters.map((q) => round(q.total, 4));

export function priceAttributes(table: PriceTable): PriceAttributes {
  return { start: danishIso(table.today.start), resolution_minutes: 15, today: totals(table.today), tomorrow: table.tomorrow ? totals(table.tomorrow) : null };
}

export const priceAvailable = (table: PriceTable | null, now: number): boolean => (table ? (quarterAt(table, now)?.total ?? null) !== null : false);
