import type { Period } from '../accounting/periods.js';
import type { Quantity, Reading } from '../obis/readings.js';
import { sensorClasses, sensorName } from './sensors.js';

export interface Topics {
  readonly discoveryPrefix: string;
  readonly baseTopic: string;
}

export interface Origin {
  readonly name: string;
  readonly sw_version: string;
  readonly support_url: string;
}

/** Topic-safe, entity-id-safe form of a meter id ("5706567282299475", "1KFM0200169986"). */
export function slug(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'meter';
}

/** The service is running and connected: the MQTT last will sets it `offline`. */
export const availabilityTopic = (t: Topics): string => `${t.baseTopic}/availability`;
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

export interface MeterDevice {
  readonly meterId: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  /** Every reading the meter has sent so far: components are never dropped. */
  readonly readings: readonly Reading[];
  readonly hasFrameCounter: boolean;
}

type Component = Record<string, unknown>;

function entity(id: string, key: string, name: string, rest: Component): Component {
  return { platform: 'sensor', name, unique_id: `powermeter_${id}_${key}`, default_entity_id: `sensor.powermeter_${id}_${key}`, value_template: `{{ value_json.${key} }}`, ...rest };
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
          state_class: 'total',
          unit_of_measurement: 'kWh',
          suggested_display_precision: 2,
          last_reset_value_template: `{{ value_json.${key}_last_reset }}`,
          json_attributes_topic: accountingTopic(t, m.meterId),
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
  if (m.hasFrameCounter) components.frame_counter = entity(id, 'frame_counter', 'Frame counter', { entity_category: 'diagnostic', icon: 'mdi:counter' });
  const manufacturer = m.manufacturer ?? 'Unknown';
  return {
    device: {
      identifiers: [`powermeter_${id}`],
      name: `${manufacturer} meter ${m.meterId}`,
      manufacturer,
      model: m.model ?? (manufacturer === 'Kamstrup' ? 'OMNIPOWER' : 'Electricity meter'),
      serial_number: m.meterId,
    },
    origin,
    state_topic: stateTopic(t, m.meterId),
    availability: [{ topic: availabilityTopic(t) }, { topic: meterAvailabilityTopic(t, m.meterId) }],
    availability_mode: 'all',
    components,
  };
}
