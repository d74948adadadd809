import { matchKeyOf, type Obis } from '../dlms/obis.js';
import { isEnergy, unitOf, type Quantity } from './readings.js';

/**
 * The registers PowerMeter names, by OBIS code (IEC 62056-61, the OBIS list of DLMS UA). One table for every
 * meter: a register has the same key whether a Kamstrup, an Aidon or a Kaifa sends it, so that the Energy
 * dashboard and automations survive a meter exchange.
 */
export interface Register {
  readonly obis: string;
  readonly key: string;
  readonly quantity: Quantity;
}

/** A register of the table with its place in it, and what every reading of it needs, worked out once. */
export interface KnownRegister extends Register {
  readonly index: number;
  readonly energy: boolean;
  readonly unit: string | null;
}

const phases = (c: [number, number, number], d: number, key: string, quantity: Quantity): Register[] =>
  c.map((cc, i) => ({ obis: `1-*:${cc}.${d}.0`, key: `${key}_l${i + 1}`, quantity }));

/**
 * Energy by tariff, 1.8.1 to 1.8.4 (IEC 62056-61: E is the tariff, 0 the total): Sagemcom XT211 sends four active,
 * Iskra two; Landis+Gyr E450 sends two of each, reactive (3.8.1, 4.8.2 …) too.
 */
const tariffs = (c: 1 | 2 | 3 | 4, key: string, quantity: Quantity): Register[] => [1, 2, 3, 4].map((t) => ({ obis: `1-*:${c}.8.${t}`, key: `${key}_tariff_${t}`, quantity }));

export const registers: readonly Register[] = [
  { obis: '1-*:1.8.0', key: 'active_energy_import', quantity: 'energy' },
  { obis: '1-*:2.8.0', key: 'active_energy_export', quantity: 'energy' },
  { obis: '1-*:3.8.0', key: 'reactive_energy_import', quantity: 'reactive_energy' },
  { obis: '1-*:4.8.0', key: 'reactive_energy_export', quantity: 'reactive_energy' },
  { obis: '1-*:5.8.0', key: 'reactive_energy_q1', quantity: 'reactive_energy' },
  { obis: '1-*:6.8.0', key: 'reactive_energy_q2', quantity: 'reactive_energy' },
  { obis: '1-*:7.8.0', key: 'reactive_energy_q3', quantity: 'reactive_energy' },
  { obis: '1-*:8.8.0', key: 'reactive_energy_q4', quantity: 'reactive_energy' },
  { obis: '1-*:1.7.0', key: 'active_power_import', quantity: 'power' },
  { obis: '1-*:2.7.0', key: 'active_power_export', quantity: 'power' },
  { obis: '1-*:3.7.0', key: 'reactive_power_import', quantity: 'reactive_power' },
  { obis: '1-*:4.7.0', key: 'reactive_power_export', quantity: 'reactive_power' },
  { obis: '1-*:13.7.0', key: 'power_factor', quantity: 'power_factor' },
  ...phases([32, 52, 72], 7, 'voltage', 'voltage'),
  ...phases([31, 51, 71], 7, 'current', 'current'),
  ...phases([21, 41, 61], 7, 'active_power_import', 'power'),
  ...phases([22, 42, 62], 7, 'active_power_export', 'power'),
  ...phases([23, 43, 63], 7, 'reactive_power_import', 'reactive_power'),
  ...phases([24, 44, 64], 7, 'reactive_power_export', 'reactive_power'),
  ...phases([33, 53, 73], 7, 'power_factor', 'power_factor'),
  ...tariffs(1, 'active_energy_import', 'energy'),
  ...tariffs(2, 'active_energy_export', 'energy'),
  ...tariffs(3, 'reactive_energy_import', 'reactive_energy'),
  ...tariffs(4, 'reactive_energy_export', 'reactive_energy'),
  ...phases([21, 41, 61], 8, 'active_energy_import', 'energy'),
  ...phases([22, 42, 62], 8, 'active_energy_export', 'energy'),
  // Sent by P1 meters (dsmr_parser telegram_specifications.py): Belgian demand (e-MUCS: 1.4.0 the running quarter
  // hour's average, 1.6.0 the month's highest), E.ON Hungary's reactive power per quadrant and |+A|+|-A| total.
  { obis: '1-*:1.4.0', key: 'active_power_import_average', quantity: 'power' },
  { obis: '1-*:1.6.0', key: 'active_power_import_month_peak', quantity: 'power' },
  { obis: '1-*:5.7.0', key: 'reactive_power_q1', quantity: 'reactive_power' },
  { obis: '1-*:6.7.0', key: 'reactive_power_q2', quantity: 'reactive_power' },
  { obis: '1-*:7.7.0', key: 'reactive_power_q3', quantity: 'reactive_power' },
  { obis: '1-*:8.7.0', key: 'reactive_power_q4', quantity: 'reactive_power' },
  { obis: '1-*:15.8.0', key: 'active_energy_absolute', quantity: 'energy' },
];

const byMatchKey = new Map(registers.map((r, index): [number, KnownRegister] => [matchKeyOf(r.obis), { ...r, index, energy: isEnergy(r.quantity), unit: unitOf[r.quantity] }]));

export function registerOf(obis: Obis): KnownRegister | undefined {
  return byMatchKey.get(obis.matchKey);
}

/**
 * DLMS unit enumeration (Blue Book, class 3 "scaler_unit"), for the units a meter's registers use: what
 * quantity a value of that unit is when PowerMeter does not know the register, and the factor to the unit
 * Home Assistant shows (energy in kWh and kvarh).
 */
export const dlmsUnits: Readonly<Record<number, { quantity: Quantity; factor: number }>> = {
  27: { quantity: 'power', factor: 1 }, // W
  29: { quantity: 'reactive_power', factor: 1 }, // var
  30: { quantity: 'energy', factor: 1 / 1000 }, // Wh → kWh
  32: { quantity: 'reactive_energy', factor: 1 / 1000 }, // varh → kvarh
  33: { quantity: 'current', factor: 1 }, // A
  35: { quantity: 'voltage', factor: 1 }, // V
};

/** DLMS unit 255: "no unit, unitless count" (a power factor). */
export const UNITLESS = 255;
