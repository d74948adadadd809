import type { Profile } from '../profile.js';

/**
 * Kamstrup OMNIPOWER push lists (Kamstrup "OMNIPOWER HAN interface specification" 5512-2584, §5), in Denmark,
 * Norway, Sweden and Switzerland. Kamstrup sends no scalers: energy raw × 10 Wh, current × 0.01 A, power factor
 * × 0.01, voltage in V, power in W/var (community-established; AMS reader IEC6205675.cpp, ESPHome dlms_meter).
 * Lists are read by OBIS code, never by position: single-phase meters send shorter lists.
 */
export const kamstrup: Profile = {
  id: 'kamstrup',
  manufacturer: 'Kamstrup',
  match: [{ version: 'Kamstrup_V' }],
  lists: [
    // Danish "DLMS push 1" (also Swiss meters), every 10 s: carries the meter number as a u32 and all registers.
    { id: 'kamstrup-dlms-push-1', name: 'Kamstrup DLMS push 1', requires: ['1-*:0.0.1'] },
    // HAN-NVE lists (NO/SE, and DK meters configured that way): list 2 is list 1 plus clock and energy, hourly.
    { id: 'kamstrup-han-nve-list-2', name: 'Kamstrup HAN-NVE list 2 (hourly)', requires: ['1-*:0.0.5', '1-*:1.8.0'] },
    { id: 'kamstrup-han-nve-list-1', name: 'Kamstrup HAN-NVE list 1', requires: ['1-*:0.0.5'] },
  ],
  meterId: ['1-*:0.0.1', '1-*:0.0.5'],
  model: '1-*:96.1.1',
  clock: '0-*:1.0.0',
  energyWhPerUnit: 10,
  exponents: { current: -2, power_factor: -2 },
};
