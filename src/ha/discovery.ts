import type { MeterFrame, Quantity } from '../obis/readings.js';
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

export const availabilityTopic = (t: Topics): string => `${t.baseTopic}/availability`;
export const stateTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/state`;
export const discoveryTopic = (t: Topics, meterId: string): string => `${t.discoveryPrefix}/device/powermeter_${slug(meterId)}/config`;

/** Keys of the diagnostic part of the state message (not readings). */
export const METER_TIME = 'meter_time';

/**
 * Device-based discovery (Home Assistant 2024.12+): one retained message per meter with one component per
 * reading. `unique_id` is built from the meter id and the reading key only, so it never changes across
 * versions, sources or brokers.
 */
export function discoveryMessage(t: Topics, origin: Origin, meterId: string, frame: Pick<MeterFrame, 'manufacturer' | 'model' | 'readings'>): Record<string, unknown> {
  const id = slug(meterId);
  const components: Record<string, Record<string, unknown>> = {};
  for (const r of frame.readings) {
    const c = sensorClasses[r.quantity satisfies Quantity];
    components[r.key] = {
      platform: 'sensor',
      name: sensorName(r.key),
      unique_id: `powermeter_${id}_${r.key}`,
      default_entity_id: `sensor.powermeter_${id}_${r.key}`,
      value_template: `{{ value_json.${r.key} }}`,
      device_class: c.device_class,
      state_class: c.state_class,
      ...(c.unit_of_measurement === null ? {} : { unit_of_measurement: c.unit_of_measurement }),
      suggested_display_precision: c.suggested_display_precision,
    };
  }
  components[METER_TIME] = {
    platform: 'sensor',
    name: 'Meter clock',
    unique_id: `powermeter_${id}_${METER_TIME}`,
    default_entity_id: `sensor.powermeter_${id}_${METER_TIME}`,
    value_template: `{{ value_json.${METER_TIME} }}`,
    entity_category: 'diagnostic',
    icon: 'mdi:clock-outline',
  };
  const manufacturer = frame.manufacturer ?? 'Unknown';
  return {
    device: {
      identifiers: [`powermeter_${id}`],
      name: `${manufacturer} meter ${meterId}`,
      manufacturer,
      model: frame.model ?? (manufacturer === 'Kamstrup' ? 'OMNIPOWER' : 'Electricity meter'),
      serial_number: meterId,
    },
    origin,
    state_topic: stateTopic(t, meterId),
    availability: [{ topic: availabilityTopic(t), payload_available: 'online', payload_not_available: 'offline' }],
    components,
  };
}

/** The state message: one JSON object per verified frame, keyed like the components. */
export function stateMessage(frame: Pick<MeterFrame, 'readings' | 'meterTime'>): Record<string, number | string | null> {
  const state: Record<string, number | string | null> = {};
  for (const r of frame.readings) state[r.key] = r.value;
  state[METER_TIME] = frame.meterTime;
  return state;
}
