import type { Profile } from '../profile.js';

/**
 * Aidon (Norway, Sweden): every register as `{OBIS, value, {scaler, unit}}`, the list version "AIDON_V0001" in
 * 1-1:0.2.129.255. List 1 carries power only (every 2.5 s), list 2 adds the meter id, currents and voltages
 * (every 10 s), list 3 the clock and the energy registers (hourly). Source: toreamun/amshan tests, AMS reader.
 */
export const aidon: Profile = {
  id: 'aidon',
  manufacturer: 'Aidon',
  match: [{ version: 'AIDON_V' }, { flag: 'AID' }],
  lists: [
    { id: 'aidon-list-3', name: 'Aidon list 3 (hourly)', requires: ['1-*:1.8.0'] },
    { id: 'aidon-list-2', name: 'Aidon list 2', requires: ['0-*:96.1.0'] },
    { id: 'aidon-list-1', name: 'Aidon list 1', requires: ['1-*:1.7.0'] },
  ],
  meterId: ['0-*:96.1.0'],
  model: '0-*:96.1.7',
  clock: '0-*:1.0.0',
  energyWhPerUnit: 1,
  exponents: {},
  generic: true,
  // Norwegian Aidon meters state a deviation of 0 and no daylight saving all year, yet count local time.
  localClock: true,
};
