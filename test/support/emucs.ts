import { offsetMinutes, wallTime } from '../../src/accounting/time-zone.js';
import { telegramCrc } from '../../src/simulator/p1.js';

/**
 * A Belgian e-MUCS telegram with a CRC, in the shape of the e-MUCS P1 v1.7.1 example that ndokter/dsmr_parser keeps
 * (test/example_telegrams.py TELEGRAM_FLUVIUS_V171, test/fixtures/p1/telegrams.json `ndokter-fluvius-v171`): energy by
 * tariff (no 1.8.0), the running quarter-hour average (1-0:1.4.0), the month peak with its time (1-0:1.6.0), the peak
 * history (0-0:98.1.0), power, and a gas meter on channel 1. For tests of the service's Belgian capacity figures.
 */
export interface EmucsValues {
  readonly importKwh: number;
  readonly powerW: number;
  /** The running quarter's average, W. */
  readonly quarterW: number;
  readonly peak: { readonly at: number; readonly kW: number };
  /** Past months: the peak's time and value (the month stamp is the next month's first midnight, as e-MUCS writes it). */
  readonly history: readonly { readonly monthEnd: number; readonly at: number; readonly kW: number }[];
  readonly gasM3?: number;
  readonly gasAt?: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYMMDDhhmmssX` in the zone, S in summer time and W otherwise. */
export function p1Time(instant: number, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  const year = new Date(instant).getUTCFullYear();
  const standard = Math.min(offsetMinutes(Date.UTC(year, 0, 1), timeZone), offsetMinutes(Date.UTC(year, 6, 1), timeZone));
  return `${pad(w.year % 100)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}${offsetMinutes(instant, timeZone) > standard ? 'S' : 'W'}`;
}

export function emucsTelegram(at: number, v: EmucsValues, timeZone = 'Europe/Brussels'): Buffer {
  const kw = (w: number) => (w / 1000).toFixed(3).padStart(6, '0');
  const history = v.history.map((h) => `(${p1Time(h.monthEnd, timeZone)})(${p1Time(h.at, timeZone)})(${h.kW.toFixed(3).padStart(6, '0')}*kW)`).join('');
  const lines = [
    '0-0:96.1.4(50217)',
    '0-0:96.1.1(3153414733313031303231363035)',
    `0-0:1.0.0(${p1Time(at, timeZone)})`,
    `1-0:1.8.1(${(v.importKwh * 0.4).toFixed(3).padStart(10, '0')}*kWh)`,
    `1-0:1.8.2(${(v.importKwh * 0.6).toFixed(3).padStart(10, '0')}*kWh)`,
    '1-0:2.8.1(000000.000*kWh)',
    '1-0:2.8.2(000000.011*kWh)',
    '0-0:96.14.0(0001)',
    `1-0:1.4.0(${kw(v.quarterW)}*kW)`,
    `1-0:1.6.0(${p1Time(v.peak.at, timeZone)})(${v.peak.kW.toFixed(3).padStart(6, '0')}*kW)`,
    `0-0:98.1.0(${v.history.length})(1-0:1.6.0)(1-0:1.6.0)${history}`,
    `1-0:1.7.0(${kw(v.powerW)}*kW)`,
    '1-0:2.7.0(00.000*kW)',
    '1-0:32.7.0(234.7*V)',
    '1-0:31.7.0(003.48*A)',
    '0-0:96.3.10(1)',
    '0-0:17.0.0(999.9*kW)',
    '1-0:31.4.0(999*A)',
    '0-0:96.13.0()',
    '0-1:24.1.0(003)',
    '0-1:96.1.1(37464C4F32313139303333373333)',
    `0-1:24.2.3(${p1Time(v.gasAt ?? at - (at % 300_000), timeZone)})(${(v.gasM3 ?? 112.384).toFixed(3).padStart(9, '0')}*m3)`,
  ];
  const body = `/FLU5\\253769484_A\r\n\r\n${lines.map((l) => `${l}\r\n`).join('')}!`;
  return Buffer.from(`${body}${telegramCrc(body)}\r\n`, 'latin1');
}
