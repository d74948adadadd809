import { obisAt as r, type Position, type Profile } from '../profile.js';

/** Kaifa MA304 list 2 (three-phase): identity, then P+ P− Q+ Q− (W, var), I L1-L3 (mA), U L1-L3 (0.1 V). */
const list2: Position[] = [
  { role: 'version' },
  { role: 'meter-id' },
  { role: 'model' },
  r('1-*:1.7.0'),
  r('1-*:2.7.0'),
  r('1-*:3.7.0'),
  r('1-*:4.7.0'),
  r('1-*:31.7.0'),
  r('1-*:51.7.0'),
  r('1-*:71.7.0'),
  r('1-*:32.7.0'),
  r('1-*:52.7.0'),
  r('1-*:72.7.0'),
];
/** Single-phase list 2: one current and one voltage. */
const list2Single: Position[] = [...list2.slice(0, 8), r('1-*:32.7.0')];
/** List 3 (hourly) adds the clock and the energy registers (Wh, varh; 64-bit on Swedish CT meters). */
const energy: Position[] = [{ role: 'clock' }, r('1-*:1.8.0'), r('1-*:2.8.0'), r('1-*:3.8.0'), r('1-*:4.8.0')];

/**
 * Kaifa MA304 (Norway, Sweden): values without OBIS codes, by position (roarfred/AmsToMqttBridge obisdata.md,
 * toreamun/amshan); currents in mA, voltages in 0.1 V, energy in Wh.
 */
export const kaifaNordic: Profile = {
  id: 'kaifa-nordic',
  manufacturer: 'Kaifa',
  match: [{ firstBare: 'KFM_001' }, { bareOnly: 1 }],
  lists: [
    { id: 'kaifa-list-1', name: 'Kaifa list 1', positions: [r('1-*:1.7.0')] },
    { id: 'kaifa-list-2', name: 'Kaifa list 2', positions: list2 },
    { id: 'kaifa-list-3', name: 'Kaifa list 3 (hourly)', positions: [...list2, ...energy] },
    { id: 'kaifa-list-2-single-phase', name: 'Kaifa list 2, single phase', positions: list2Single },
    { id: 'kaifa-list-3-single-phase', name: 'Kaifa list 3, single phase (hourly)', positions: [...list2Single, ...energy] },
  ],
  meterId: [],
  energyWhPerUnit: 1,
  exponents: { current: -3, voltage: -1 },
};

/**
 * Kaifa MA309 (Austria, Poland) over wired M-Bus, encrypted without authentication: registers as `{OBIS,
 * value, {scaler, unit}}`, the meter id in 0-0:96.1.0.255 ("1KFM…").
 */
export const kaifaMa309: Profile = {
  id: 'kaifa-ma309',
  manufacturer: 'Kaifa',
  match: [{ flag: 'KFM' }, { text: { obis: '0-*:96.1.0', prefix: '1KFM' } }],
  lists: [{ id: 'kaifa-ma309', name: 'Kaifa MA309', requires: ['0-*:96.1.0'] }],
  meterId: ['0-*:96.1.0'],
  clock: '0-*:1.0.0',
  energyWhPerUnit: 1,
  exponents: {},
  generic: true,
  skipped: { '0-*:42.0.0': 'the COSEM logical device name ("KFM1200200169986"), a second name for the meter 0-0:96.1.0 names' },
};

/**
 * Kaifa MA304H4 in Sweden (Mälarenergi): the same lists as in Norway, but each value follows its OBIS code, still
 * without scalers, the list version KFM_001 in 1-0:0.2.129 (the grid company's annotated frame, AMS reader issue 242,
 * test/payloads/kaifa/gh242-1.hex). The units are the Kaifa HAN list's, as in Norway: current in mA, voltage in
 * 0.1 V, power in W, energy in Wh (the example reads 232.2 V and 0.032 A at 3 W).
 */
export const kaifaSweden: Profile = {
  id: 'kaifa-se',
  manufacturer: 'Kaifa',
  match: [{ text: { obis: '1-*:0.2.129', prefix: 'KFM_' } }],
  lists: [
    { id: 'kaifa-se-list-3', name: 'Kaifa list 3 with OBIS codes (hourly)', requires: ['1-*:1.7.0', '1-*:1.8.0'] },
    { id: 'kaifa-se-list-2', name: 'Kaifa list 2 with OBIS codes', requires: ['1-*:1.7.0', '0-*:96.1.0'] },
  ],
  meterId: ['0-*:96.1.0'],
  model: '0-*:96.1.7',
  clock: '0-*:1.0.0',
  energyWhPerUnit: 1,
  exponents: { current: -3, voltage: -1 },
  skipped: { '1-*:0.2.129': 'the list version (KFM_001), by which the profile knows the list' },
};
