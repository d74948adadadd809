import type { DemandPeak, Detail, PowerFailure } from '../obis/readings.js';
import { slug, type Topics } from './discovery.js';
import { sensorClasses, sensorName } from './sensors.js';

/**
 * A P1 meter's details on its device (src/dsmr/mapping.ts makes them): the tariff as an enum sensor, the counters of
 * power failures and voltage sags and swells as diagnostic counters (created disabled, `total_increasing` as Home
 * Assistant's dsmr integration declares them), the text message as a diagnostic text sensor, frequency, apparent power,
 * the limiter's and fuses' thresholds and the breaker. Units are those Home Assistant accepts for each device class
 * (homeassistant/components/sensor/const.py DEVICE_CLASS_UNITS, test/fixtures/home-assistant/ha-sensor-device-classes.json):
 * `Hz` for frequency, `VA` for apparent power, `W` and `A` for the thresholds. The power-failure log is the
 * attributes of the long-failure counter, the Belgian month peak's time (and its 13-month history) those of the month
 * peak register, both on the details topic. Built as src/ha/discovery.ts builds the meter's own components: unique ids
 * from the meter id and a key only, every key a template reads in every message.
 */

/** Where the details' attributes go: every message holds every entity's, as an object ({} when there is none). */
export const detailsTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/details`;

/** 1-0:1.6.0, the Belgian month peak (W, with its time). */
export const MONTH_PEAK = 'active_power_import_month_peak';
/** The counter whose attributes are the power-failure log. */
export const LONG_FAILURES = 'long_power_failures';

/**
 * Home Assistant keeps a state of at most 255 characters (homeassistant/const.py MAX_LENGTH_STATE_STATE): a longer one
 * is refused with an error in its log, so a text message (DSMR allows 1024) is cut there.
 */
export const MAX_STATE_LENGTH = 255;

/** Texts enabled: the grid operator's message. Its further slots (Smarty) and code are there, disabled. */
const enabledDetails = new Set(['tariff', 'text_message']);

type Component = Record<string, unknown>;

function component(meterId: string, key: string, rest: Component): Component {
  const id = slug(meterId);
  return {
    platform: 'sensor',
    name: sensorName(key),
    unique_id: `powermeter_${id}_${key}`,
    default_entity_id: `sensor.powermeter_${id}_${key}`,
    value_template: `{{ value_json.${key} }}`,
    enabled_by_default: enabledDetails.has(key),
    ...rest,
  };
}

/** What a detail is to Home Assistant, by its kind. */
function detailClass(d: Detail): Component {
  const diagnostic = { entity_category: 'diagnostic' };
  switch (d.kind) {
    case 'enum':
      return { device_class: 'enum', options: [...(d.options ?? [])], ...(d.key === 'tariff' ? {} : diagnostic) };
    case 'count':
      // A count that only grows: statistics take it as a total (HA dsmr: SensorStateClass.TOTAL_INCREASING).
      return { state_class: 'total_increasing', icon: 'mdi:counter', ...diagnostic };
    case 'text':
      return { icon: 'mdi:message-text-outline', ...diagnostic };
    case 'frequency':
      return { device_class: 'frequency', state_class: 'measurement', unit_of_measurement: 'Hz', suggested_display_precision: 2 };
    case 'apparent_power':
      return d.key.includes('threshold')
        ? { device_class: 'apparent_power', unit_of_measurement: 'VA', ...diagnostic }
        : { device_class: 'apparent_power', state_class: 'measurement', unit_of_measurement: 'VA', suggested_display_precision: 0 };
    default: {
      // A threshold (the limiter's in W or A, a fuse's in A): a setting, not a measurement, so no state class.
      const c = sensorClasses[d.kind];
      return { device_class: c.device_class, ...(c.unit_of_measurement === null ? {} : { unit_of_measurement: c.unit_of_measurement }), suggested_display_precision: c.suggested_display_precision, ...diagnostic };
    }
  }
}

export interface DetailsDevice {
  readonly meterId: string;
  /** Every detail the meter has sent so far (components are never dropped). */
  readonly details: readonly Detail[];
  /** The meter sends the Belgian month peak (1-0:1.6.0): it and the quarter-hour average are created enabled. */
  readonly monthPeak: boolean;
}

/** The details' components of the meter's device discovery message. */
export function detailComponents(t: Topics, d: DetailsDevice): Record<string, Component> {
  const components: Record<string, Component> = {};
  for (const detail of d.details) {
    const c = component(d.meterId, detail.key, detailClass(detail));
    if (detail.key === LONG_FAILURES) Object.assign(c, attributesOf(t, d.meterId, LONG_FAILURES));
    components[detail.key] = c;
  }
  if (d.monthPeak) {
    const power = sensorClasses.power;
    components[MONTH_PEAK] = component(d.meterId, MONTH_PEAK, {
      enabled_by_default: true,
      device_class: power.device_class,
      state_class: power.state_class,
      unit_of_measurement: power.unit_of_measurement,
      suggested_display_precision: 0,
      ...attributesOf(t, d.meterId, MONTH_PEAK),
    });
  }
  return components;
}

function attributesOf(t: Topics, meterId: string, key: typeof LONG_FAILURES | typeof MONTH_PEAK): Component {
  return { json_attributes_topic: detailsTopic(t, meterId), json_attributes_template: `{{ value_json.${key} | tojson }}` };
}

/** The details' keys of the meter's state message: each detail's last value, a text cut to what Home Assistant keeps. */
export function detailState(details: readonly Detail[]): Record<string, number | string | null> {
  const state: Record<string, number | string | null> = {};
  for (const d of details) state[d.key] = typeof d.value === 'string' && d.value.length > MAX_STATE_LENGTH ? d.value.slice(0, MAX_STATE_LENGTH) : d.value;
  return state;
}

export interface DetailsAttributes {
  readonly failures: readonly PowerFailure[] | null;
  /** When the month peak was reached (ISO 8601), as the meter stamps it; null when it sent no valid time. */
  readonly monthPeakAt: string | null;
  readonly history: readonly DemandPeak[] | null;
}

/** The details topic's message: the failure log on the long-failure counter, the month peak's time and history. */
export function detailAttributes(a: DetailsAttributes): Record<string, object> {
  return {
    [LONG_FAILURES]: a.failures === null ? {} : { failures: a.failures.map((f) => ({ end: f.end, seconds: f.seconds })) },
    [MONTH_PEAK]:
      a.monthPeakAt === null && a.history === null
        ? {}
        : { at: a.monthPeakAt, ...(a.history === null ? {} : { history: a.history.map((h) => ({ month: h.month, at: h.at, kW: Math.round(h.value) / 1000 })) }) },
  };
}
