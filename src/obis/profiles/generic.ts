import type { Profile } from '../profile.js';

/**
 * Any list that gives each register's scaler and unit (Sagemcom T210-D, Aidon SE, meters not known by name):
 * registers PowerMeter knows get their usual keys, the others are published by OBIS code. The manufacturer
 * comes from the system title when the frame was ciphered.
 */
export const dlmsScaled: Profile = {
  id: 'dlms-scaled',
  manufacturer: null,
  match: [{ scaled: true }],
  lists: [{ id: 'dlms-scaled', name: 'DLMS list with scalers', requires: [] }],
  meterId: ['0-*:96.1.0', '0-*:96.1.1', '0-*:42.0.0'],
  clock: '0-*:1.0.0',
  energyWhPerUnit: 1,
  exponents: {},
  generic: true,
};
