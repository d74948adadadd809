import { matchKeyOf } from '../dlms/obis.js';
import type { Measure } from './values.js';

/**
 * What the P1 objects that are not registers of `obis/registers.ts` mean: the meter's own data, counters, states,
 * texts, and the M-Bus channels' objects. Codes, meanings and units from dsmr_parser `obis_references.py` and
 * `telegram_specifications.py` (V2_2, V4, V5, BELGIUM_FLUVIUS, LUXEMBOURG_SMARTY, SWEDEN, Q3D, SAGEMCOM_T210_D_R,
 * EON_HUNGARY; ndokter/dsmr_parser at fa20ee45) and the telegrams of test/fixtures/p1/.
 */
export type P1Object =
  /** 1-3:0.2.8, the P1 version (42, 50): DSMR 4.2, 5.0. */
  | { readonly role: 'version' }
  /** 0-0:1.0.0, the telegram's time. */
  | { readonly role: 'clock' }
  /** A code the meter's id may be sent in; the lowest rank the telegram carries wins. */
  | { readonly role: 'id'; readonly rank: number }
  /** 0-0:96.1.4, the e-MUCS version of a Belgian meter (50217). */
  | { readonly role: 'emucs-version' }
  /** A count that only grows; no unit. */
  | { readonly role: 'count'; readonly key: string }
  /** A number whose unit must be one of these; its kind follows the unit. */
  | { readonly role: 'measure'; readonly key: string; readonly measures: readonly Measure[] }
  /** A text, sent as hex. */
  | { readonly role: 'text'; readonly key: string }
  | { readonly role: 'tariff' }
  | { readonly role: 'breaker' }
  | { readonly role: 'failure-log' }
  | { readonly role: 'demand-history' }
  /** Known and not used, with the reason (said nowhere: it is not a problem of the telegram). */
  | { readonly role: 'unused'; readonly why: string };

const perPhase = (c: readonly number[], d: number, e: number, key: string, make: (key: string) => P1Object): [string, P1Object][] =>
  c.map((cc, i) => [`1-0:${cc}.${d}.${e}`, make(`${key}_l${i + 1}`)]);

const meterObjects: [string, P1Object][] = [
  ['1-3:0.2.8', { role: 'version' }],
  ['0-0:1.0.0', { role: 'clock' }],
  // Most specific first: the equipment id of DSMR and e-MUCS, the logical device name of Smarty and E.ON Hungary, the
  // EasyMeter serial (HA dsmr Q3D_EQUIPMENT_IDENTIFIER), the Hungarian and Iskra IE serial, the Q3D property number.
  ['0-0:96.1.1', { role: 'id', rank: 0 }],
  ['0-0:42.0.0', { role: 'id', rank: 1 }],
  ['0-0:96.1.255', { role: 'id', rank: 2 }],
  ['0-0:96.1.0', { role: 'id', rank: 3 }],
  ['1-0:0.0.0', { role: 'id', rank: 4 }],
  ['0-0:96.1.4', { role: 'emucs-version' }],
  ['0-0:96.1.2', { role: 'unused', why: 'the EAN code of the connection (e-MUCS), not the meter' }],
  ['1-0:96.5.5', { role: 'unused', why: 'the EasyMeter status word' }],
  ['0-0:96.14.0', { role: 'tariff' }],
  ['0-0:96.7.21', { role: 'count', key: 'power_failures' }],
  ['0-0:96.7.9', { role: 'count', key: 'long_power_failures' }],
  ['1-0:99.97.0', { role: 'failure-log' }],
  ...perPhase([32, 52, 72], 32, 0, 'voltage_sags', (key) => ({ role: 'count', key })),
  ...perPhase([32, 52, 72], 36, 0, 'voltage_swells', (key) => ({ role: 'count', key })),
  ['0-0:96.13.0', { role: 'text', key: 'text_message' }],
  ['0-0:96.13.1', { role: 'text', key: 'text_message_code' }],
  // Smarty's further message slots.
  ['0-0:96.13.2', { role: 'text', key: 'text_message_2' }],
  ['0-0:96.13.3', { role: 'text', key: 'text_message_3' }],
  ['0-0:96.13.4', { role: 'text', key: 'text_message_4' }],
  ['0-0:96.13.5', { role: 'text', key: 'text_message_5' }],
  // The limiter's threshold: kW in DSMR 4/5 and e-MUCS, A in DSMR 3 (TELEGRAM_V3 `016*A`), kVA on Smarty.
  ['0-0:17.0.0', { role: 'measure', key: 'limiter_threshold', measures: ['power', 'current', 'apparent_power'] }],
  ['0-0:96.3.10', { role: 'breaker' }],
  ...perPhase([31, 51, 71], 4, 0, 'fuse_threshold', (key) => ({ role: 'measure', key, measures: ['current'] })),
  ['1-0:14.7.0', { role: 'measure', key: 'frequency', measures: ['frequency'] }],
  ['1-0:9.7.0', { role: 'measure', key: 'apparent_power_import', measures: ['apparent_power'] }],
  ['1-0:10.7.0', { role: 'measure', key: 'apparent_power_export', measures: ['apparent_power'] }],
  ['0-0:98.1.0', { role: 'demand-history' }],
];

/** The objects of the meter itself (B = 0, and every electricity object), by match key. */
export const meterObject = new Map<number, P1Object>(meterObjects.map(([code, o]) => [matchKeyOf(code), o]));

/** What an object on an M-Bus channel (0-n:…, n ≥ 1) is. */
export type ChannelObject = 'type' | 'id' | 'value' | 'value-2.2' | 'unused';

/** The objects of an M-Bus channel, by match key (B, the channel, is not part of it). */
export const channelObject = new Map<number, ChannelObject>(
  (
    [
      ['0-1:24.1.0', 'type'],
      ['0-1:96.1.0', 'id'],
      ['0-1:96.1.1', 'id'], // Belgium
      ['0-1:24.2.1', 'value'],
      ['0-1:24.2.3', 'value'], // Belgian gas, not temperature-corrected
      ['0-1:24.3.0', 'value-2.2'], // DSMR 2.2/3.0: the value on the line after
      ['0-1:24.4.0', 'unused'], // valve position
      ['0-1:96.3.10', 'unused'], // the device's breaker (e-MUCS)
      ['0-1:96.1.2', 'unused'], // the device's EAN code (e-MUCS)
    ] as const
  ).map(([code, o]) => [matchKeyOf(code), o]),
);

/** Channels PowerMeter reads: DSMR has four; a few more leave room, a large B is noise. */
export const MAX_CHANNEL = 9;

/** M-Bus device types (EN 13757-3 table 3, as Home Assistant's dsmr integration names them in `MbusDeviceType`). */
export const subMeterTypes: Readonly<Record<number, 'gas' | 'heat' | 'water' | 'heat-cool'>> = { 3: 'gas', 4: 'heat', 7: 'water', 12: 'heat-cool' };

/** Makers by the three letters of the header, beside the FLAG ids of DLMS system titles (`obis/profile.ts`). */
export const p1Makers: Readonly<Record<string, string>> = {
  KMP: 'Kamstrup', // DSMR 2.2 Kamstrup meters (athombv/node-dsmr-parser tests/telegrams/dsmr/dsmr-2.2-kfm-1.txt)
  ESY: 'EasyMeter',
};
