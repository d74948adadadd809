import type { Data } from '../dlms/axdr.js';
import { codeOf } from '../dlms/obis.js';
import { kamstrup } from '../obis/profiles/kamstrup.js';
import { registers } from '../obis/registers.js';
import { isEnergy } from '../obis/readings.js';
import type { WallTime } from '../accounting/time-zone.js';
import { dateTimeBytes } from './encode.js';

/** Engineering values by reading key (kWh, W, var, V, A, ratio), as a Kamstrup meter would measure them. */
export type MeterValues = Partial<Record<string, number>>;

const obis = (a: number, c: number, d: number, e: number): Data => ({ type: 'octet-string', value: Uint8Array.of(a, 1, c, d, e, 255) });

/** Raw register value from an engineering value: the inverse of the profile's scaling. */
function raw(key: string, value: number, whPerUnit: number): Data {
  const spec = registers.find((f) => f.key === key)!;
  const energy = isEnergy(spec.quantity);
  const r = Math.round(energy ? (value * 1000) / whPerUnit : value / 10 ** (kamstrup.exponents[spec.quantity] ?? 0));
  const small = spec.quantity === 'voltage' || spec.quantity === 'power_factor';
  return { type: small ? 'long-unsigned' : 'double-long-unsigned', value: r };
}

function register(key: string, values: MeterValues, whPerUnit: number): Data[] {
  const v = values[key];
  if (v === undefined) return [];
  const code = codeOf(registers.find((f) => f.key === key)!.obis);
  return [obis(code.a, code.c, code.d, code.e), raw(key, v, whPerUnit)];
}

/** Danish "DLMS push 1" in Kamstrup's order (KAM-HAN §5.2); keys absent from `values` are left out, as a 1-phase meter does. */
const push1Order = [
  ['active_energy_import', 'active_energy_export', 'reactive_energy_import', 'reactive_energy_export'],
  ['active_power_import', 'active_power_export', 'reactive_power_import', 'reactive_power_export'],
  ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'current_l2', 'current_l3'],
  ['active_power_import_l1', 'active_power_import_l2', 'active_power_import_l3'],
  ['power_factor_l1', 'power_factor_l2', 'power_factor_l3', 'power_factor'],
  ['active_power_export_l1', 'active_power_export_l2', 'active_power_export_l3'],
  ['active_energy_export_l1', 'active_energy_export_l2', 'active_energy_export_l3'],
  ['active_energy_import_l1', 'active_energy_import_l2', 'active_energy_import_l3'],
] as const;

export function push1Body(meterNumber: number, clock: WallTime, values: MeterValues, whPerUnit = 10): Data {
  const items: Data[] = [{ type: 'visible-string', value: 'Kamstrup_V0001' }];
  const [energy, power, ...later] = push1Order;
  for (const key of energy) items.push(...register(key, values, whPerUnit));
  items.push(obis(1, 0, 0, 1), { type: 'double-long-unsigned', value: meterNumber });
  for (const key of power) items.push(...register(key, values, whPerUnit));
  items.push({ type: 'octet-string', value: Uint8Array.of(0, 1, 1, 0, 0, 255) }, { type: 'octet-string', value: dateTimeBytes(clock) });
  for (const group of later) for (const key of group) items.push(...register(key, values, whPerUnit));
  return { type: 'structure', items };
}

/** HAN-NVE list 1 (every 10 s) or list 2 (hourly: adds the clock and the energy registers). */
export function hanNveBody(list: 1 | 2, gs1: string, meterType: string, clock: WallTime, values: MeterValues, whPerUnit = 10): Data {
  const items: Data[] = [
    { type: 'visible-string', value: 'Kamstrup_V0001' },
    obis(1, 0, 0, 5),
    { type: 'visible-string', value: gs1 },
    obis(1, 96, 1, 1),
    { type: 'visible-string', value: meterType },
  ];
  const keys = ['active_power_import', 'active_power_export', 'reactive_power_import', 'reactive_power_export', 'current_l1', 'current_l2', 'current_l3', 'voltage_l1', 'voltage_l2', 'voltage_l3'];
  for (const key of keys) items.push(...register(key, values, whPerUnit));
  if (list === 2) {
    items.push({ type: 'octet-string', value: Uint8Array.of(0, 1, 1, 0, 0, 255) }, { type: 'octet-string', value: dateTimeBytes(clock) });
    for (const key of ['active_energy_import', 'active_energy_export', 'reactive_energy_import', 'reactive_energy_export']) items.push(...register(key, values, whPerUnit));
  }
  return { type: 'structure', items };
}
