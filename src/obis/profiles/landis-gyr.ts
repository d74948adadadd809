import { obisAt as r, skip, type Position, type Profile } from '../profile.js';

/**
 * Landis+Gyr E450 in Austria (Netz Burgenland): a value-only list of 14, U L1-L3 (V), I L1-L3 (0.01 A), P+ P−
 * (W), A+ A− (Wh), three values whose meaning no source gives (not published), and the meter id.
 */
export const landisGyrAustria: Profile = {
  id: 'landis-gyr-at',
  manufacturer: 'Landis+Gyr',
  match: [{ flag: 'LGZ' }],
  lists: [
    {
      id: 'landis-gyr-e450-at',
      name: 'Landis+Gyr E450 (Austria)',
      positions: [
        r('1-*:32.7.0'),
        r('1-*:52.7.0'),
        r('1-*:72.7.0'),
        r('1-*:31.7.0'),
        r('1-*:51.7.0'),
        r('1-*:71.7.0'),
        r('1-*:1.7.0'),
        r('1-*:2.7.0'),
        r('1-*:1.8.0'),
        r('1-*:2.8.0'),
        ...Array<Position>(3).fill(skip('a value no source names (400, 53 and 295 in the Netz Burgenland capture)')),
        { role: 'meter-id' },
      ],
    },
  ],
  meterId: [],
  energyWhPerUnit: 1,
  exponents: { current: -2 },
};

/**
 * Landis+Gyr E450 in Switzerland: a push in general-block-transfer whose first element is its capture-object
 * list, naming each value by OBIS code; no scalers: power in W, energy in Wh, current in 0.01 A (AMS reader
 * golden values for issue 740).
 */
export const landisGyrSwiss: Profile = {
  id: 'landis-gyr-ch',
  manufacturer: 'Landis+Gyr',
  match: [{ described: true }],
  lists: [{ id: 'landis-gyr-e450-ch', name: 'Landis+Gyr E450 (Switzerland)', requires: ['1-*:1.7.0'] }],
  meterId: ['0-*:96.1.0'],
  energyWhPerUnit: 1,
  exponents: { current: -2 },
};

/**
 * Landis+Gyr E450 pushing its clock and 16 OBIS code and value pairs without scalers, encrypted and authenticated, in
 * a three-block general block transfer (esphome-libs/dlms_parser tests/dumps/hdlc_lgz_e450_2.log, whose decoded log
 * gives each value's unit): energy in Wh, reactive energy in varh, power in W and var, each a raw unit of 1. Energy
 * by tariff, active and reactive (1.8.1, 1.8.2, 2.8.1 … 4.8.2), is published like the totals (sensors created
 * disabled); the meter is named by its system title.
 */
export const landisGyrPairs: Profile = {
  id: 'landis-gyr-e450',
  manufacturer: 'Landis+Gyr',
  match: [{ flag: 'LGZ' }],
  lists: [{ id: 'landis-gyr-e450-obis', name: 'Landis+Gyr E450, OBIS code and value pairs', requires: ['1-*:1.8.0', '1-*:1.7.0'] }],
  meterId: ['0-*:96.1.0'],
  energyWhPerUnit: 1,
  exponents: {},
  unitRule: 'the standard units of their OBIS codes at scaler 0 (IEC 62056-61): W, var, Wh, varh',
};
