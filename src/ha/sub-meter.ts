import type { PeriodValues } from '../accounting/accounting.js';
import type { SubMeterType } from '../obis/readings.js';
import { availabilityTopic, meterAvailabilityTopic, slug, type Origin, type Topics } from './discovery.js';

/**
 * A meter on an M-Bus channel of a P1 port (gas, water, heat) as a Home Assistant device of its own, hung under the
 * electricity meter it is read through (`via_device`). Its total is the one sensor with a device class: `gas` or
 * `water` in m³, `energy` in GJ or kWh (the units Home Assistant accepts for them: homeassistant/components/sensor/
 * const.py DEVICE_CLASS_UNITS; test/fixtures/home-assistant/ha-sensor-device-classes.json), `total_increasing` so that
 * the Energy dashboard takes it. Its own hour and day sums have no device class, so that the dashboard offers the
 * total alone; the time the sub-meter took its value is a timestamp sensor (home-assistant/core#80468: gas booked an
 * hour late when only the arrival is known).
 */
export interface SubMeterDevice {
  /** The electricity meter it is read through. */
  readonly meterId: string;
  readonly channel: number;
  readonly type: SubMeterType | null;
  /** Its equipment id (0-n:96.1.0, 96.1.1); null when it sends none. */
  readonly id: string | null;
  /** `m³`, `GJ` or `kWh`. */
  readonly unit: string;
}

/** What the device is called and what its total's key is, by its M-Bus device type. */
const kinds: Record<SubMeterType | 'unknown', { readonly key: string; readonly name: string; readonly total: string }> = {
  gas: { key: 'gas', name: 'Gas meter', total: 'Gas' },
  water: { key: 'water', name: 'Water meter', total: 'Water' },
  heat: { key: 'heat', name: 'Heat meter', total: 'Heat' },
  'heat-cool': { key: 'heat_cool', name: 'Heat/cooling meter', total: 'Heat and cooling' },
  unknown: { key: 'mbus', name: 'M-Bus meter', total: 'Meter reading' },
};

const kindOf = (d: Pick<SubMeterDevice, 'type'>) => kinds[d.type ?? 'unknown'];

/** The key of the sub-meter's total in its state message (`gas`, `water`, `heat`, `heat_cool`, `mbus`). */
export const subMeterTotalKey = (d: Pick<SubMeterDevice, 'type'>): string => kindOf(d).key;

/** What names the device: its equipment id, else the electricity meter and the channel. */
const nameOf = (d: SubMeterDevice): string => d.id ?? `${d.meterId}_mbus_${d.channel}`;

export const subMeterDiscoveryTopic = (t: Topics, d: SubMeterDevice): string => `${t.discoveryPrefix}/device/powermeter_${slug(nameOf(d))}/config`;
export const subMeterStateTopic = (t: Topics, d: SubMeterDevice): string => `${t.baseTopic}/${slug(nameOf(d))}/state`;

const ENERGY_UNITS = new Set(['GJ', 'kWh', 'MJ', 'MWh']);

/** The total's device class: an energy unit makes it `energy` (a heat meter), m³ `gas`, `water`, or plain `volume`. */
function deviceClassOf(d: SubMeterDevice): string {
  if (ENERGY_UNITS.has(d.unit)) return 'energy';
  return d.type === 'gas' ? 'gas' : d.type === 'water' ? 'water' : 'volume';
}

type Component = Record<string, unknown>;
const periodNames = { hour: 'this hour', day: 'today' } as const;
const previousNames = { hour: 'last hour', day: 'yesterday' } as const;

/** The sub-meter's device discovery message. */
export function subMeterDiscovery(t: Topics, origin: Origin, d: SubMeterDevice): Record<string, unknown> {
  const id = slug(nameOf(d));
  const kind = kindOf(d);
  const entity = (key: string, name: string, enabled: boolean, rest: Component): Component => ({
    platform: 'sensor',
    name,
    unique_id: `powermeter_${id}_${key}`,
    default_entity_id: `sensor.powermeter_${id}_${key}`,
    value_template: `{{ value_json.${key} }}`,
    enabled_by_default: enabled,
    ...rest,
  });
  const components: Record<string, Component> = {
    [kind.key]: entity(kind.key, kind.total, true, { device_class: deviceClassOf(d), state_class: 'total_increasing', unit_of_measurement: d.unit, suggested_display_precision: 3 }),
  };
  for (const period of ['hour', 'day'] as const) {
    const key = `${kind.key}_${period}`;
    // A running sum that starts afresh, as the meter's energy periods (src/ha/discovery.ts); no device class.
    components[key] = entity(key, `${kind.total} ${periodNames[period]}`, true, {
      state_class: 'total',
      unit_of_measurement: d.unit,
      suggested_display_precision: 3,
      last_reset_value_template: `{{ value_json.${key}_last_reset or '' }}`,
    });
    const previous = `${kind.key}_previous_${period}`;
    components[previous] = entity(previous, `${kind.total} ${previousNames[period]}`, false, { unit_of_measurement: d.unit, suggested_display_precision: 3 });
  }
  components.captured_at = entity('captured_at', 'Reading time', true, { device_class: 'timestamp', entity_category: 'diagnostic' });
  return {
    device: {
      identifiers: [`powermeter_${id}`],
      name: d.id === null ? `${kind.name} (M-Bus ${d.channel} of ${d.meterId})` : `${kind.name} ${d.id}`,
      model: kind.name,
      serial_number: nameOf(d),
      via_device: `powermeter_${slug(d.meterId)}`,
    },
    origin,
    state_topic: subMeterStateTopic(t, d),
    // Read through the electricity meter: available when it is.
    availability: [{ topic: availabilityTopic(t) }, { topic: meterAvailabilityTopic(t, d.meterId) }],
    availability_mode: 'all',
    components,
  };
}

/**
 * The sub-meter's state message: its total, when it took it, and its hour and day sums (booked by that time). Every
 * key a template of its discovery reads is there, null where there is no value yet.
 */
export function subMeterState(d: Pick<SubMeterDevice, 'type'>, value: number, capturedAt: number | null, periods: PeriodValues): Record<string, number | string | null> {
  const key = kindOf(d).key;
  const state: Record<string, number | string | null> = { [key]: value, captured_at: capturedAt === null ? null : new Date(capturedAt).toISOString() };
  for (const period of ['hour', 'day'] as const) {
    const v = periods[period];
    state[`${key}_${period}`] = v?.value ?? null;
    state[`${key}_${period}_last_reset`] = v === null ? null : new Date(v.start).toISOString();
    state[`${key}_previous_${period}`] = periods.previous[period]?.value ?? null;
  }
  return state;
}
