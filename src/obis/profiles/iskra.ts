import { obisAt as r, skip, unusedText, type ListSpec, type Position, type Profile } from '../profile.js';
import { austrianSix, emptyPair, timeAndDate } from './austria.js';

const meterId: Position = { role: 'meter-id' };
/** The second value of most Slovenian lists: the meter's device number ("16820005"), the AMS reader's "device id". */
const deviceId = unusedText('a second id, the device number, beside the logical device name that names the meter');

/**
 * Iskraemeco AM550 in Slovenia: lists of values without OBIS codes or units, whose layout the grid company chooses
 * (Elektro Ljubljana, Elektro Celje); every list but the 4-value one starts with the COSEM logical device name,
 * "ISK" and 13 digits, the meter id here. The field order is the AMS reader's (UtilitechAS/amsreader-firmware
 * src/decoder/src/IEC6205675.cpp, the Iskra branch, commit a88a0beb), who had it from the grid companies' answers in
 * its issues 615, 869 and 956; each list below was checked on the captures of those issues (test/payloads/
 * iskraemeco/, same commit; in test/fixtures/) against what the values must satisfy: per-phase powers add up to the
 * total, tariffs to their total, voltage × current to the power. Units: W, var, Wh, varh; voltage in 0.1 V, current
 * in 0.01 A. Two lists of one length are told apart by the kind of value at a position, as the AMS reader does.
 */
/** 2.8.1 and 2.8.2 to the AMS reader, but 0 in every capture of the single-phase 9-value list. */
const unconfirmedExport = skip('export energy by tariff to the AMS reader, but 0 in every capture: not published unconfirmed');

const slovenianLists: ListSpec[] = [
  {
    // Elektro Ljubljana every 5 s (issue 615): 1393 W = 16 + 51 + 1325 per phase.
    id: 'iskra-am550-si-5s',
    name: 'Iskra AM550, Slovenia, 18 values',
    positions: [meterId, deviceId, r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:3.7.0'), r('1-*:4.7.0'), r('1-*:32.7.0'), r('1-*:52.7.0'), r('1-*:72.7.0'), r('1-*:31.7.0'), r('1-*:51.7.0'), r('1-*:71.7.0'), r('1-*:21.7.0'), r('1-*:41.7.0'), r('1-*:61.7.0'), r('1-*:22.7.0'), r('1-*:42.7.0'), r('1-*:62.7.0')],
  },
  {
    // Elektro Celje (issue 615, comment 40): voltages, currents, then the four powers.
    id: 'iskra-am550-si-12-instant',
    name: 'Iskra AM550, Slovenia, 12 values (voltage, current, power)',
    positions: [meterId, deviceId, r('1-*:32.7.0'), r('1-*:52.7.0'), r('1-*:72.7.0'), r('1-*:31.7.0'), r('1-*:51.7.0'), r('1-*:71.7.0'), r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:3.7.0'), r('1-*:4.7.0')],
  },
  {
    // Elektro Ljubljana every 15 min (issue 956): disconnect control and tariff name, then energy: 1.8.1 + 1.8.2 = 1.8.0.
    id: 'iskra-am550-si-12-energy',
    name: 'Iskra AM550, Slovenia, 12 values (energy by tariff, every 15 min)',
    positions: [
      meterId,
      deviceId,
      skip('the disconnect control\'s state (an enum), not a measurement'),
      unusedText('the name of the tariff in force ("0002"): the tariff registers carry its energy'),
      r('1-*:1.8.0'), r('1-*:1.8.1'), r('1-*:1.8.2'), r('1-*:2.8.0'), r('1-*:2.8.1'), r('1-*:2.8.2'), r('1-*:3.8.0'), r('1-*:4.8.0')],
  },
  {
    // Single phase, every 1-5 s (issue 869, zitko).
    id: 'iskra-am550-si-10',
    name: 'Iskra AM550, Slovenia, 10 values (single phase)',
    positions: [meterId, deviceId, r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:3.7.0'), r('1-*:4.7.0'), r('1-*:32.7.0'), r('1-*:31.7.0'), r('1-*:21.7.0'), r('1-*:22.7.0')],
  },
  {
    // Single phase, every 1-5 s (issue 869). The last two values are 2.8.1 and 2.8.2 to the AMS reader, but every
    // capture has them at 0: they are read past rather than published unconfirmed.
    id: 'iskra-am550-si-9',
    name: 'Iskra AM550, Slovenia, 9 values (single phase)',
    positions: [meterId, deviceId, r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:3.7.0'), r('1-*:4.7.0'), r('1-*:32.7.0'), unconfirmedExport, unconfirmedExport],
  },
  {
    // Every 1 s (issue 869, rvetrsek): power, then energy with tariffs that add up to their totals; 1.8.0 agrees with
    // the 4-value list of the same second.
    id: 'iskra-am550-si-9-energy',
    name: 'Iskra AM550, Slovenia, 9 values (power and energy)',
    positions: [meterId, r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:1.8.0'), r('1-*:1.8.1'), r('1-*:1.8.2'), r('1-*:2.8.0'), r('1-*:2.8.1'), r('1-*:2.8.2')],
  },
  {
    // Every 15 min (issue 869): the meter's 8-digit serial, not the logical device name the other lists carry, so
    // it is not taken as the meter id: the readings go to the meter the stream's other lists name.
    id: 'iskra-am550-si-4',
    name: 'Iskra AM550, Slovenia, 4 values (energy, every 15 min)',
    positions: [
      unusedText('the meter\'s 8-digit serial, not the logical device name the other lists name the meter by'),
      skip('a value the AMS reader leaves unnamed (0 in every capture)'),
      r('1-*:1.8.0'),
      r('1-*:2.8.0'),
    ],
  },
];

export const iskraSlovenia: Profile = {
  id: 'iskra-si',
  manufacturer: 'Iskraemeco',
  match: [{ firstBare: 'ISK' }, { bareOnly: 4 }],
  lists: slovenianLists,
  meterId: [],
  energyWhPerUnit: 1,
  exponents: { voltage: -1, current: -2 },
  unitRule: 'W, var, Wh and varh, voltage in 0.1 V, current in 0.01 A, as the AMS reader reads these lists, checked on captures (the per-phase powers add up to the total, voltage × current agrees with the power)',
};

/**
 * Iskraemeco IE.5 in Croatia (HEP ODS): 33 values without OBIS codes: the meter number, time and date, energy with
 * two tariffs each way, reactive energy by quadrant, power, power factor, power per phase each way, voltages and
 * currents, then values nobody has named. Field order: AMS reader pull request 1107 (src/decoder/src/IEC6205675.cpp,
 * the 0x21 branch, commit a88a0beb) from the decoded frame in its issue 1072 (comment 24); units per comment 27:
 * W, Wh, varh, voltage in 0.1 V, current in 0.01 A; the power factor in 0.001. Checked on the two complete
 * captures: the tariffs add up to their totals, the per-phase powers to the total.
 */
export const iskraCroatia: Profile = {
  id: 'iskra-hr',
  manufacturer: 'Iskraemeco',
  match: [{ bareOnly: 33 }],
  lists: [
    {
      id: 'iskra-ie5-hr',
      name: 'Iskra IE.5, Croatia, 33 values',
      positions: [
        meterId,
        unusedText('the time (4 bytes): the notification\'s own date-time is the meter\'s clock'),
        unusedText('the date (5 bytes), likewise'),
        r('1-*:1.8.0'),
        r('1-*:1.8.1'),
        r('1-*:1.8.2'),
        r('1-*:2.8.0'),
        r('1-*:2.8.1'),
        r('1-*:2.8.2'),
        r('1-*:5.8.0'),
        r('1-*:6.8.0'),
        r('1-*:7.8.0'),
        r('1-*:8.8.0'),
        r('1-*:1.7.0'),
        r('1-*:2.7.0'),
        r('1-*:13.7.0'),
        r('1-*:21.7.0'),
        r('1-*:41.7.0'),
        r('1-*:61.7.0'),
        r('1-*:22.7.0'),
        r('1-*:42.7.0'),
        r('1-*:62.7.0'),
        r('1-*:32.7.0'),
        r('1-*:52.7.0'),
        r('1-*:72.7.0'),
        r('1-*:31.7.0'),
        r('1-*:51.7.0'),
        r('1-*:71.7.0'),
        ...Array<Position>(5).fill(skip('values nobody has named (a number, three arrays, a boolean in the capture): the AMS reader reads them past too')),
      ],
    },
  ],
  meterId: [],
  energyWhPerUnit: 1,
  exponents: { voltage: -1, current: -2, power_factor: -3 },
  unitRule: 'W, Wh and varh, voltage in 0.1 V, current in 0.01 A as a user of the AMS reader had them from the grid company (its issue 1072); the power factor in 0.001 as the AMS reader reads it',
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
      positions: [...timeAndDate, ...austrianSix, ...emptyPair],
    },
  ],
  meterId: ['0-*:25.9.0'],
  energyWhPerUnit: 1,
  exponents: {},
};
