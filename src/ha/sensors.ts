import type { Quantity } from '../obis/readings.js';

/**
 * How each quantity appears in Home Assistant. Units and state classes are the exact strings Home Assistant
 * accepts for the device class (it rejects the whole entity otherwise: `VAr` is not `var`); energy totals
 * are `total_increasing` so the Energy dashboard takes them.
 */
export interface SensorClass {
  readonly device_class: string;
  readonly state_class: 'measurement' | 'total' | 'total_increasing';
  readonly unit_of_measurement: string | null;
  readonly suggested_display_precision: number;
}

export const sensorClasses: Record<Quantity, SensorClass> = {
  energy: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh', suggested_display_precision: 2 },
  reactive_energy: { device_class: 'reactive_energy', state_class: 'total_increasing', unit_of_measurement: 'kvarh', suggested_display_precision: 2 },
  power: { device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W', suggested_display_precision: 0 },
  reactive_power: { device_class: 'reactive_power', state_class: 'measurement', unit_of_measurement: 'var', suggested_display_precision: 0 },
  voltage: { device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V', suggested_display_precision: 0 },
  current: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A', suggested_display_precision: 2 },
  power_factor: { device_class: 'power_factor', state_class: 'measurement', unit_of_measurement: null, suggested_display_precision: 2 },
};

/** Entity names (the device name is prepended by Home Assistant). */
const names: Record<string, string> = {
  active_energy_import: 'Energy import',
  active_energy_export: 'Energy export',
  reactive_energy_import: 'Reactive energy import',
  reactive_energy_export: 'Reactive energy export',
  active_power_import: 'Power import',
  active_power_export: 'Power export',
  reactive_power_import: 'Reactive power import',
  reactive_power_export: 'Reactive power export',
  voltage: 'Voltage',
  current: 'Current',
  power_factor: 'Power factor',
};

export function sensorName(key: string): string {
  // A register PowerMeter has no name for is called by its OBIS code: obis_1_0_13_7_0 → OBIS 1-0:13.7.0.
  const generic = /^obis_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)$/.exec(key);
  if (generic) return `OBIS ${generic[1]}-${generic[2]}:${generic[3]}.${generic[4]}.${generic[5]}`;
  const tariff = /_tariff_([1-9])$/.exec(key);
  if (tariff) return `${sensorName(key.slice(0, tariff.index))} tariff ${tariff[1]}`;
  const phase = /_(l[123])$/.exec(key);
  const base = phase ? key.slice(0, -3) : key;
  const name = names[base] ?? base.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return phase ? `${name} ${phase[1]!.toUpperCase()}` : name;
}
