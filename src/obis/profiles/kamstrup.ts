import type { FieldSpec, Profile } from '../profile.js';

/**
 * Kamstrup OMNIPOWER push lists (Kamstrup "OMNIPOWER HAN interface specification" 5512-2584, §5).
 * Kamstrup sends no scalers: energy raw × 10 Wh, current × 0.01 A, power factor × 0.01, voltage in V,
 * power in W/var (community-established; AMS reader IEC6205675.cpp, ESPHome dlms_meter). Lists are read
 * by OBIS code, never by position: single-phase meters send shorter lists.
 */
const fields: FieldSpec[] = [
  { key: 'active_energy_import', obis: '1-*:1.8.0', quantity: 'energy' },
  { key: 'active_energy_export', obis: '1-*:2.8.0', quantity: 'energy' },
  { key: 'reactive_energy_import', obis: '1-*:3.8.0', quantity: 'reactive_energy' },
  { key: 'reactive_energy_export', obis: '1-*:4.8.0', quantity: 'reactive_energy' },
  { key: 'active_power_import', obis: '1-*:1.7.0', quantity: 'power' },
  { key: 'active_power_export', obis: '1-*:2.7.0', quantity: 'power' },
  { key: 'reactive_power_import', obis: '1-*:3.7.0', quantity: 'reactive_power' },
  { key: 'reactive_power_export', obis: '1-*:4.7.0', quantity: 'reactive_power' },
  { key: 'voltage_l1', obis: '1-*:32.7.0', quantity: 'voltage' },
  { key: 'voltage_l2', obis: '1-*:52.7.0', quantity: 'voltage' },
  { key: 'voltage_l3', obis: '1-*:72.7.0', quantity: 'voltage' },
  { key: 'current_l1', obis: '1-*:31.7.0', quantity: 'current', exponent: -2 },
  { key: 'current_l2', obis: '1-*:51.7.0', quantity: 'current', exponent: -2 },
  { key: 'current_l3', obis: '1-*:71.7.0', quantity: 'current', exponent: -2 },
  { key: 'active_power_import_l1', obis: '1-*:21.7.0', quantity: 'power' },
  { key: 'active_power_import_l2', obis: '1-*:41.7.0', quantity: 'power' },
  { key: 'active_power_import_l3', obis: '1-*:61.7.0', quantity: 'power' },
  { key: 'active_power_export_l1', obis: '1-*:22.7.0', quantity: 'power' },
  { key: 'active_power_export_l2', obis: '1-*:42.7.0', quantity: 'power' },
  { key: 'active_power_export_l3', obis: '1-*:62.7.0', quantity: 'power' },
  { key: 'power_factor', obis: '1-*:13.7.0', quantity: 'power_factor', exponent: -2 },
  { key: 'power_factor_l1', obis: '1-*:33.7.0', quantity: 'power_factor', exponent: -2 },
  { key: 'power_factor_l2', obis: '1-*:53.7.0', quantity: 'power_factor', exponent: -2 },
  { key: 'power_factor_l3', obis: '1-*:73.7.0', quantity: 'power_factor', exponent: -2 },
  { key: 'active_energy_import_l1', obis: '1-*:21.8.0', quantity: 'energy' },
  { key: 'active_energy_import_l2', obis: '1-*:41.8.0', quantity: 'energy' },
  { key: 'active_energy_import_l3', obis: '1-*:61.8.0', quantity: 'energy' },
  { key: 'active_energy_export_l1', obis: '1-*:22.8.0', quantity: 'energy' },
  { key: 'active_energy_export_l2', obis: '1-*:42.8.0', quantity: 'energy' },
  { key: 'active_energy_export_l3', obis: '1-*:62.8.0', quantity: 'energy' },
];

export const kamstrup: Profile = {
  id: 'kamstrup',
  manufacturer: 'Kamstrup',
  versionPrefix: 'Kamstrup_V',
  lists: [
    // Danish "DLMS push 1", every 10 s: carries the meter number as a u32 and all registers.
    { id: 'kamstrup-dlms-push-1', name: 'Kamstrup DLMS push 1 (DK)', requires: ['1-*:0.0.1'] },
    // HAN-NVE lists (NO/SE, and DK meters configured that way): list 2 is list 1 plus clock and energy, hourly.
    { id: 'kamstrup-han-nve-list-2', name: 'Kamstrup HAN-NVE list 2 (hourly)', requires: ['1-*:0.0.5', '1-*:1.8.0'] },
    { id: 'kamstrup-han-nve-list-1', name: 'Kamstrup HAN-NVE list 1', requires: ['1-*:0.0.5'] },
  ],
  meterId: ['1-*:0.0.1', '1-*:0.0.5'],
  model: '1-*:96.1.1',
  clock: '0-*:1.0.0',
  energyWhPerUnit: 10,
  fields,
};
