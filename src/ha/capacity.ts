import type { CapacityValues } from '../capacity/machine.js';
import type { CapacityRule } from '../capacity/rule.js';
import type { CapacitySteps } from '../capacity/steps.js';
import { slug, type Topics } from './discovery.js';

/**
 * The capacity tariff's entities on the meter's device (their components go into the meter's discovery message, their
 * states into its state message, their attributes on a topic of their own), all in kW. Power in kW is a unit Home
 * Assistant accepts for `device_class: power` (home-assistant/core homeassistant/components/sensor/const.py
 * DEVICE_CLASS_UNITS[SensorDeviceClass.POWER], commit 00eb6680fbf6bdf7af2499095f2e74fca980a148), with `state_class:
 * measurement`. Built as src/ha/discovery.ts builds the meter's: unique ids from the meter id and a key only, the state
 * topic the device message's own, every key a template reads present in every message.
 */

/** Which capacity entities a meter has: the step only with steps set, the 12-month mean only for rules that bill it. */
export interface CapacityEntities {
  readonly step: boolean;
  readonly twelveMonths: boolean;
}

export const capacityEntities = (rule: CapacityRule, steps: CapacitySteps | null): CapacityEntities => ({ step: steps !== null, twelveMonths: rule.aggregation === 'mean-of-12-months' });

/** Where the capacity entities' attributes go: each message holds every entity's, as an object. */
export const capacityTopic = (t: Topics, meterId: string): string => `${t.baseTopic}/${slug(meterId)}/capacity`;

export const capacityKeys = ['capacity_window_average', 'capacity_window_projected', 'capacity_peaks', 'capacity_value', 'capacity_headroom', 'capacity_step', 'capacity_12_month_average'] as const;
export type CapacityKey = (typeof capacityKeys)[number];

const names: Record<CapacityKey, string> = {
  capacity_window_average: 'Capacity window average',
  capacity_window_projected: 'Capacity window projected',
  capacity_peaks: 'Capacity peaks',
  capacity_value: 'Capacity value',
  capacity_headroom: 'Capacity headroom',
  capacity_step: 'Capacity step',
  capacity_12_month_average: 'Capacity 12-month average',
};

const present = (e: CapacityEntities) => (key: CapacityKey): boolean => (key === 'capacity_step' ? e.step : key === 'capacity_12_month_average' ? e.twelveMonths : true);

/** The capacity components of the meter's device discovery message. */
export function capacityComponents(t: Topics, meterId: string, e: CapacityEntities): Record<string, Record<string, unknown>> {
  const id = slug(meterId);
  const components: Record<string, Record<string, unknown>> = {};
  for (const key of capacityKeys.filter(present(e))) {
    components[key] = {
      platform: 'sensor',
      name: names[key],
      unique_id: `powermeter_${id}_${key}`,
      default_entity_id: `sensor.powermeter_${id}_${key}`,
      value_template: `{{ value_json.${key} }}`,
      enabled_by_default: true,
      device_class: 'power',
      state_class: 'measurement',
      unit_of_measurement: 'kW',
      suggested_display_precision: 2,
      json_attributes_topic: capacityTopic(t, meterId),
      json_attributes_template: `{{ value_json.${key} | tojson }}`,
    };
  }
  return components;
}

/**
 * The capacity keys of the meter's state message, in kW. `capacity_peaks` is the lowest of the counted peaks, the one
 * a new peak would replace (what users steer below, Danielhiversen/home_assistant_tibber_data#50); the peaks themselves
 * are its attributes. `capacity_headroom` is null (unknown in Home Assistant) in a window that does not count: there is
 * no limit in it. `capacity_step` is the step's lower threshold (fri-nettleie's `terskel`).
 */
export function capacityState(v: CapacityValues, e: CapacityEntities): Record<string, number | null> {
  const state: Record<string, number | null> = {
    capacity_window_average: v.window.averageKw,
    capacity_window_projected: v.window.projectedKw,
    capacity_peaks: v.peaks.at(-1)?.kW ?? 0,
    capacity_value: v.valueKw,
    capacity_headroom: v.headroomKw,
  };
  if (e.step) state.capacity_step = v.step?.thresholdKw ?? null;
  if (e.twelveMonths) state.capacity_12_month_average = v.twelveMonths?.averageKw ?? null;
  return state;
}

const iso = (t: number): string => new Date(t).toISOString();

/** A Belgian meter's own month peak (1-0:1.6.0), shown beside PowerMeter's. */
export interface MeterMonthPeak {
  readonly kW: number;
  /** As the meter stamped it (ISO 8601); null when it sent no valid time. */
  readonly at: string | null;
}

/**
 * The capacity entities' attributes, one object per entity (kept small: the recorder drops attributes over 16 KiB). A
 * Belgian meter's own month peak is an attribute of `capacity_value`, beside PowerMeter's figure.
 */
export function capacityAttributes(v: CapacityValues, e: CapacityEntities, meterPeak: MeterMonthPeak | null = null): Record<string, object> {
  const window = { window_start: iso(v.window.start), window_end: iso(v.window.end), gap: v.window.gap };
  const attributes: Record<string, object> = {
    capacity_window_average: { ...window, weight: v.window.weight },
    capacity_window_projected: window,
    capacity_peaks: { peaks: v.peaks.map((p) => ({ at: iso(p.start), kW: p.kW, ...(p.gap ? { gap: true } : {}), ...(p.running ? { running: true } : {}) })) },
    capacity_value: { billed_kw: v.billedKw, ...(meterPeak === null ? {} : { meter_month_peak_kw: meterPeak.kW, meter_month_peak_at: meterPeak.at }) },
    // A window that does not count has no limit: said, so that an automation can tell it from a missing value.
    capacity_headroom: { ...window, limited: v.headroomKw !== null },
  };
  if (e.step) attributes.capacity_step = v.step === null ? {} : { price: v.step.price, up_to_kw: v.step.upToKw };
  if (e.twelveMonths) attributes.capacity_12_month_average = { months: v.twelveMonths?.months ?? 0 };
  return attributes;
}
