import { encipher } from '../dlms/cipher.js';
import { hostTimeZone, offsetMinutes, wallTime, type WallTime } from '../accounting/time-zone.js';
import { crc16arc } from '../framing/crc16-arc.js';

/** The CRC a P1 telegram ends with, over its text from "/" to "!": four upper-case hex digits (DSMR 5.0.2 §6.2, CRC16/ARC). */
export const telegramCrc = (body: string): string => crc16arc(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0');

/**
 * A Dutch DSMR 5.0 meter's P1 port with a gas meter on M-Bus channel 1, for the demo and the service's tests: a
 * household load that drifts, energy by tariff that counts up with it, and a telegram with its CRC each time it is
 * asked (every second, as DSMR 5 sends). Optionally encrypted as Luxembourg and Austria send it (a general-glo-ciphering
 * APDU bare on the wire), or with a parity bit in bit 7, as a 9600 7E1 meter reads at 8N1.
 */
export interface SimulatedP1Options {
  /** The zone the meter's clock stands in (P1 time stamps are local time with an S/W flag); the host's by default. */
  readonly timeZone?: string;
  /** Seconds between telegrams for `stream`: 1 for DSMR 5 and e-MUCS, 10 for DSMR 4. */
  readonly cadenceSeconds?: number;
  /** Leave the gas meter out. */
  readonly noGas?: boolean;
  /** Send each telegram encrypted and authenticated (SC 0x30) in a bare general-glo-ciphering APDU. */
  readonly encryption?: { readonly keys: { encryption: Uint8Array; authentication: Uint8Array }; readonly systemTitle: Uint8Array; readonly frameCounter?: number };
  /** Even parity in bit 7 of every byte: a 7E1 line read at 8N1. */
  readonly parityBit?: boolean;
}

/** Engineering values by reading key that replace those of one telegram (a spike, a glitch). */
export type P1Override = Partial<Record<'active_power_import' | 'active_power_export' | 'voltage_l1' | 'gas', number>>;

const pad2 = (n: number): string => String(n).padStart(2, '0');
/** A number as DSMR writes it: fixed decimals, zero-padded to `width` characters. */
const fixed = (value: number, decimals: number, width: number): string => value.toFixed(decimals).padStart(width, '0');
const hexOf = (text: string): string => Buffer.from(text, 'latin1').toString('hex').toUpperCase();

/** `YYMMDDhhmmssX`: the local wall time and S while summer time is in force, W otherwise. */
export function p1Timestamp(instant: number, timeZone: string): string {
  const w: WallTime = wallTime(instant, timeZone);
  const year = new Date(instant).getUTCFullYear();
  const standard = Math.min(offsetMinutes(Date.UTC(year, 0, 1), timeZone), offsetMinutes(Date.UTC(year, 6, 1), timeZone));
  const flag = offsetMinutes(instant, timeZone) > standard ? 'S' : 'W';
  return `${pad2(w.year % 100)}${pad2(w.month)}${pad2(w.day)}${pad2(w.hour)}${pad2(w.minute)}${pad2(w.second)}${flag}`;
}

function withParity(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    let ones = 0;
    for (let x = bytes[i]! & 0x7f; x !== 0; x >>= 1) ones += x & 1;
    bytes[i] = (bytes[i]! & 0x7f) | ((ones & 1) << 7);
  }
  return bytes;
}

export class SimulatedP1Meter {
  private importWh = [1_234_567, 2_345_678];
  private exportWh = [123_456, 234_567];
  private gasLitres = 4_321_000;
  private t = 0;
  private frameCounter: number;
  private readonly timeZone: string;

  constructor(
    /** The equipment id (0-0:96.1.1), sent hex-encoded as DSMR does. */
    readonly equipmentId = 'E0044007382246019',
    private readonly options: SimulatedP1Options = {},
  ) {
    this.timeZone = options.timeZone ?? hostTimeZone();
    this.frameCounter = options.encryption?.frameCounter ?? 1;
  }

  /** The text of the next telegram, `seconds` after the last one: from "/" to the CRC and its line end. */
  text(at: Date, seconds = this.options.cadenceSeconds ?? 1, override: P1Override = {}): string {
    this.t += seconds;
    const instant = at.getTime();
    const p = [900, 420, 610].map((base, i) => Math.round(base + 250 * Math.sin(this.t / 60 + i)));
    const solar = Math.max(0, Math.round(1500 * Math.sin(this.t / 300)));
    const load = p.reduce((a, b) => a + b, 0);
    const importW = override.active_power_import ?? Math.max(0, load - solar);
    const exportW = override.active_power_export ?? Math.max(0, solar - load);
    // Dutch tariffs: 1 (low) at night, 2 (normal) by day.
    const hour = wallTime(instant, this.timeZone).hour;
    const tariff = hour >= 23 || hour < 7 ? 0 : 1;
    this.importWh[tariff] = this.importWh[tariff]! + (importW * seconds) / 3600;
    this.exportWh[tariff] = this.exportWh[tariff]! + (exportW * seconds) / 3600;
    this.gasLitres += (0.3 * seconds) / 60;
    const kWh = (wh: number) => fixed(Math.floor(wh) / 1000, 3, 10);
    const kW = (w: number) => fixed(w / 1000, 3, 6);
    const volts = [override.voltage_l1 ?? 231.2, 229.8, 232.5];
    // DSMR 5 gas meters report every five minutes; the capture time is when the gas meter took the value.
    const capture = Math.floor(instant / 300_000) * 300_000;
    const lines = [
      '1-3:0.2.8(50)',
      `0-0:1.0.0(${p1Timestamp(instant, this.timeZone)})`,
      `0-0:96.1.1(${hexOf(this.equipmentId)})`,
      `1-0:1.8.1(${kWh(this.importWh[0]!)}*kWh)`,
      `1-0:1.8.2(${kWh(this.importWh[1]!)}*kWh)`,
      `1-0:2.8.1(${kWh(this.exportWh[0]!)}*kWh)`,
      `1-0:2.8.2(${kWh(this.exportWh[1]!)}*kWh)`,
      `0-0:96.14.0(000${tariff + 1})`,
      `1-0:1.7.0(${kW(importW)}*kW)`,
      `1-0:2.7.0(${kW(exportW)}*kW)`,
      '0-0:96.7.21(00005)',
      '0-0:96.7.9(00001)',
      '1-0:99.97.0(1)(0-0:96.7.19)(250101120000W)(0000000240*s)',
      '1-0:32.32.0(00002)',
      '1-0:52.32.0(00000)',
      '1-0:72.32.0(00000)',
      '1-0:32.36.0(00000)',
      '1-0:52.36.0(00000)',
      '1-0:72.36.0(00000)',
      '0-0:96.13.0()',
      ...volts.map((v, i) => `1-0:${[32, 52, 72][i]}.7.0(${fixed(v, 1, 5)}*V)`),
      ...p.map((w, i) => `1-0:${[31, 51, 71][i]}.7.0(${fixed(Math.round(w / volts[i]!), 0, 3)}*A)`),
      ...p.map((w, i) => `1-0:${[21, 41, 61][i]}.7.0(${kW(w * (importW > 0 ? 1 : 0))}*kW)`),
      ...p.map((w, i) => `1-0:${[22, 42, 62][i]}.7.0(${kW(importW > 0 ? 0 : (w * exportW) / Math.max(1, load))}*kW)`),
    ];
    if (!this.options.noGas) {
      const gas = override.gas ?? Math.floor(this.gasLitres) / 1000;
      lines.push('0-1:24.1.0(003)', `0-1:96.1.0(${hexOf(`G${this.equipmentId.slice(1)}`)})`, `0-1:24.2.1(${p1Timestamp(capture, this.timeZone)})(${fixed(gas, 3, 9)}*m3)`);
    }
    const body = `/ISK5\\2M550T-1012\r\n\r\n${lines.map((l) => `${l}\r\n`).join('')}!`;
    return `${body}${telegramCrc(body)}\r\n`;
  }

  /** The next telegram as the port sends it: text (with a parity bit if asked), or encrypted. */
  telegram(at: Date, seconds?: number, override?: P1Override): Buffer {
    const text = Buffer.from(this.text(at, seconds, override), 'latin1');
    const e = this.options.encryption;
    if (e) return Buffer.from(encipher(text, { systemTitle: e.systemTitle, frameCounter: this.frameCounter++, securityControl: 0x30, keys: e.keys }));
    return this.options.parityBit ? withParity(text) : text;
  }

  /** `count` telegrams from `from` on, one every `cadenceSeconds`, as one capture of the port. */
  stream(from: Date, count: number): Buffer {
    const cadence = this.options.cadenceSeconds ?? 1;
    return Buffer.concat(Array.from({ length: count }, (_, i) => this.telegram(new Date(from.getTime() + i * cadence * 1000), cadence)));
  }
}
