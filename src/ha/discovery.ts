import type { Period } from '../accounting/periods.js';
import type { Partition } from '../source/partition.js';
import type { Quantity, Reading } from '../obis/readings.js';
import { sensorClasses, sensorName } from './sensors.js';

export interface Topics {
  readonly discoveryPrefix: string;
  readonly baseTopic: string;
  /**
   * This instance's share of a fleet, when several instances share one base topic (docs/scaling.md): each has its own
   * availability topic and its own PowerMeter device, so that none steps on another.
   */
  readonly partition?: Partition | null;
}

/** "_p1" for partition 1; nothing when the instance is alone. */
const instanceSuffix = (t: Topics): string => (t.partition ? `_p${t.partition.index}` : '');

export interface Origin {
  readonly name: string;
  readonly sw_version: string;
  readonly support_url: string;
}

/** The PowerMeter device's identifier: every meter device hangs under it (`via_device`). */
export const bridgeId = (t: Topics): string => `${slug(t.baseTopic)}_bridge${instanceSuffix(t)}`;

/**
 * Slugs made so far: a meter's state topic is built for every frame, and the regular expressions were the only ones
 * on a frame's way (13 µs of a processor gone cold between frames, under --jitless; issue #30). Bounded as the meters
 * are (2 000); a stranger's stream of ids only refills it.
 */
const slugs = new Map<string, string>();
const MAX_SLUGS = 4096;

/** Topic-safe, entity-id-safe form of a meter id ("5706567282299475", "1KFM0200169986"). */
export function slug(id: string): string {
  let s = slugs.get(id);
  if (s === undefined) {
    if (slugs.size >= MAX_SLUGS) slugs.clear();
    s = id.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'meter';
    slugs.set(id, s);
  }
  return s;
}

/**
 * The service is running and connected: the MQTT last will sets it `offline`. A meter's sensors hang on the
 * availability of the instance that decodes it, so a partitioned instance has its own.
 */
export const availabilityTopic = (t: Topics): string => (t.partition ? `${t.baseTopic}/partition_${t.partition.index}/availability` : `${t.baseTopic}/availability`);
/** This meter's frames are fresh. */
export const meterAvailabilityTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/availability`;
export const stateTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/state`;
export const accountingTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/accounting`;
export const discoveryTopic = (t: Topics, meterId: string): string => `${t.discoveryPrefix}/device/powermeter_${slug(meterId)}/config`;

/** Registers that get hourly, daily and monthly sensors, and the name part of those sensors. */
export const accountedRegisters: Record<string, string> = { active_energy_import: 'energy_import', active_energy_export: 'energy_export' };
const periodNames: Record<Period, string> = { hour: 'this hour', day: 'today', month: 'this month' };
const previousNames: Record<Period, string> = { hour: 'last hour', day: 'yesterday', month: 'last month' };

export function accountingKey(register: string, period: Period, previous: boolean): string {
  return `${accountedRegisters[register]}_${previous ? 'previous_' : ''}${period}`;
}

/**
 * The sensors most users look at, created enabled: the energy totals and power the Energy dashboard takes, voltage
 * and current per phase, and this hour / today / this month. Everything else (reactive quantities, power factors,
 * per-phase power and energy, the frame counter, the meter clock and its drift, registers known only by OBIS code,
 * the previous periods) is created disabled: one click enables it (DOCS.md lists them).
 */
const enabledReadings = new Set([
  'active_energy_import',
  'active_energy_export',
  'active_power_import',
  'active_power_export',
  'voltage_l1',
  'voltage_l2',
  'voltage_l3',
  'current_l1',
  'current_l2',
  'current_l3',
  // The demand a capacity tariff bills (a Belgian meter's running quarter hour and month peak, 1-0:1.4.0 and 1.6.0).
  'active_power_import_average',
  'active_power_import_month_peak',
]);

export function enabledByDefault(key: string): boolean {
  return enabledReadings.has(key) || /^energy_(import|export)_(hour|day|month)$/.test(key);
}

export interface MeterDevice {
  readonly meterId: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  /** Every reading the meter has sent so far: components are never dropped. */
  readonly readings: readonly Reading[];
  readonly hasFrameCounter: boolean;
  /** Components of what the service adds to the meter (its cost, its capacity tariff), built by their own modules. */
  readonly extra?: Readonly<Record<string, Record<string, unknown>>>;
  /** Readings created enabled on this meter beyond the usual (a P1 meter's tariffs when their sum is its total). */
  readonly enabled?: readonly string[];
}

type Component = Record<string, unknown>;

function entity(id: string, key: string, name: string, rest: Component): Component {
  return {
    platform: 'sensor',
    name,
    unique_id: `powermeter_${id}_${key}`,
    default_entity_id: `sensor.powermeter_${id}_${key}`,
    value_template: `{{ value_json.${key} }}`,
    enabled_by_default: enabledByDefault(key),
    ...rest,
  };
}

/**
 * Device-based discovery (Home Assistant 2024.12+): one retained message per meter with one component per
 * reading, the meter's diagnostics and its energy periods. `unique_id` is built from the meter id and a
 * key only, so it never changes across versions, sources or brokers.
 */
export function meterDiscovery(t: Topics, origin: Origin, m: MeterDevice): Record<string, unknown> {
  const id = slug(m.meterId);
  const components: Record<string, Component> = {};
  for (const r of m.readings) {
    const c = sensorClasses[r.quantity satisfies Quantity];
    components[r.key] = entity(id, r.key, sensorName(r.key), {
      device_class: c.device_class,
      state_class: c.state_class,
      ...(c.unit_of_measurement === null ? {} : { unit_of_measurement: c.unit_of_measurement }),
      suggested_display_precision: c.suggested_display_precision,
    });
  }
  for (const register of Object.keys(accountedRegisters)) {
    if (!m.readings.some((r) => r.key === register)) continue;
    const direction = register.endsWith('import') ? 'import' : 'export';
    for (const previous of [false, true]) {
      for (const period of ['hour', 'day', 'month'] as const) {
        const key = accountingKey(register, period, previous);
        components[key] = entity(id, key, `Energy ${direction} ${(previous ? previousNames : periodNames)[period]}`, {
          device_class: 'energy',
          unit_of_measurement: 'kWh',
          suggested_display_precision: 2,
          // A running period is a total that starts afresh: statistics add it up per period (sensor/recorder.py
          // compile_statistics, on a change of last_reset). A closed one is a plain value: no state class, so that it
          // is neither booked a period late nor offered to the Energy dashboard (energy/validate.py).
          ...(previous
            ? {}
            : {
                state_class: 'total',
                // '' when there is no period yet (after an outage): mqtt/sensor.py `_update_last_reset` ignores an empty
                // result quietly, but warns "Invalid last_reset message" on the text None that a null would render.
                last_reset_value_template: `{{ value_json.${key}_last_reset or '' }}`,
              }),
          json_attributes_topic: accountingTopic(t, m.meterId),
          // Every accounting message holds every period, as an object ({} until it has bounds): `tojson` on a missing
          // key raises, and on null gives the text null, which mqtt logs as "JSON result was not a dictionary".
          json_attributes_template: `{{ value_json.${key} | tojson }}`,
        });
      }
    }
  }
  components.meter_time = entity(id, 'meter_time', 'Meter clock', { device_class: 'timestamp', entity_category: 'diagnostic' });
  components.clock_drift = entity(id, 'clock_drift', 'Meter clock drift', {
    device_class: 'duration',
    state_class: 'measurement',
    unit_of_measurement: 's',
    entity_category: 'diagnostic',
  });
  for (const key of m.enabled ?? []) if (components[key]) components[key].enabled_by_default = true;
  if (m.hasFrameCounter) components.frame_counter = entity(id, 'frame_counter', 'Frame counter', { entity_category: 'diagnostic', icon: 'mdi:counter' });
  Object.assign(components, m.extra ?? {});
  const manufacturer = m.manufacturer ?? 'Unknown';
  return {
    device: {
      identifiers: [`powermeter_${id}`],
      name: `${manufacturer} meter ${m.meterId}`,
      manufacturer,
      model: m.model ?? (manufacturer === 'Kamstrup' ? 'OMNIPOWER' : 'Electricity meter'),
      serial_number: m.meterId,
      via_device: bridgeId(t),
    },
    origin,
    state_topic: stateTopic(t, m.meterId),
    availability: [{ topic: availabilityTopic(t) }, { topic: meterAvailabilityTopic(t, m.meterId) }],
    availability_mode: 'all',
    components,
  };
}
