import { obisAt as r, type Profile } from '../profile.js';

/**
 * Iskraemeco AM550 of Elektro Ljubljana (Slovenia), the 5-second list of 18 values without OBIS codes or units
 * (AMS reader issue 615). The layout is read from the capture itself, not from a specification: the three
 * per-phase powers add up to the total (16 + 51 + 1325 ≈ 1393 W), voltages are in 0.1 V, currents in 0.01 A
 * and agree with the per-phase powers. Other Slovenian and Austrian distributors use other layouts.
 */
export const iskraLjubljana: Profile = {
  id: 'iskra-si',
  manufacturer: 'Iskraemeco',
  match: [{ firstBare: 'ISK' }],
  lists: [
    {
      id: 'iskra-am550-si-5s',
      name: 'Iskra AM550, Elektro Ljubljana, 5 s list',
      positions: [
        { role: 'meter-id' },
        null,
        r('1-*:1.7.0'),
        r('1-*:2.7.0'),
        r('1-*:3.7.0'),
        r('1-*:4.7.0'),
        r('1-*:32.7.0'),
        r('1-*:52.7.0'),
        r('1-*:72.7.0'),
        r('1-*:31.7.0'),
        r('1-*:51.7.0'),
        r('1-*:71.7.0'),
        r('1-*:21.7.0'),
        r('1-*:41.7.0'),
        r('1-*:61.7.0'),
        r('1-*:22.7.0'),
        r('1-*:42.7.0'),
        r('1-*:62.7.0'),
      ],
    },
  ],
  meterId: [],
  energyWhPerUnit: 1,
  exponents: { voltage: -1, current: -2 },
};

/**
 * Iskraemeco AM550 of KELAG / Kärnten Netz (Austria), encrypted without authentication (AMS reader issue 787):
 * the push object's name paired with the meter id, then time and date, then six registers without OBIS codes
 * in the order of the Austrian customer-interface data set: A+, A− (Wh), R+, R− (varh), P+, P− (W). Read from
 * the capture (14 370 kWh imported, 9 W drawn at the time), not from a specification of this distributor.
 */
export const iskraKelag: Profile = {
  id: 'iskra-at',
  manufacturer: 'Iskraemeco',
  match: [{ flag: 'ISK' }],
  lists: [
    {
      id: 'iskra-am550-at',
      name: 'Iskra AM550, Kärnten Netz',
      requires: ['0-*:25.9.0'],
      positions: [null, null, r('1-*:1.8.0'), r('1-*:2.8.0'), r('1-*:3.8.0'), r('1-*:4.8.0'), r('1-*:1.7.0'), r('1-*:2.7.0'), null, null],
    },
  ],
  meterId: ['0-*:25.9.0'],
  energyWhPerUnit: 1,
  exponents: {},
};
