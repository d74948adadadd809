import { LOCAL_TIME_ZONE } from '../accounting/time-zone.js';
import { flags } from '../obis/profile.js';
import type { Detail, MeterFrame, SubMeter } from '../obis/readings.js';
import { TelegramMapper } from './mapper.js';
import { p1Makers } from './objects.js';
import { parseTelegram, type Telegram } from './telegram.js';

/**
 * A P1 telegram as PowerMeter's readings: registers by the one table every meter shares (`obis/registers.ts`), in the
 * units Home Assistant takes (kW × 1000 = W, Wh ÷ 1000 = kWh); besides them the details, the M-Bus sub-meters, the
 * failure log and the Belgian peak history. What cannot be read is skipped with its reason, never guessed.
 */
export interface TelegramFrame extends MeterFrame {
  readonly protocol: 'dsmr';
  readonly details: readonly Detail[];
  readonly subMeters: readonly SubMeter[];
}

/** The tariff indicator's names: DSMR 2.2 on, 1 is low and 2 normal; Belgium and E.ON Hungary the other way round. */
const TARIFFS = ['low', 'normal'] as const;
/** A version as written in 1-3:0.2.8: `42` is 4.2, `50` is 5.0. */
const versionName = (v: string): string => (/^\d\d$/.test(v) ? `${v[0]}.${v[1]}` : v);

/** The model in the header's ident: `\2MT382-1000` is an MT382-1000 (the `\2` is IEC 62056-21's enhanced-mode mark). */
function modelOf(ident: string): string | null {
  const text = ident.replace(/^\\./, '').replace(/[\x00-\x1f]/g, '').trim(); // eslint-disable-line no-control-regex
  return text === '' ? null : text;
}

/** Maps a parsed telegram; times are read in `timeZone` (see timestamp.ts). */
export function mapTelegram(telegram: Telegram, timeZone: string): TelegramFrame {
  const m = new TelegramMapper(telegram, timeZone);
  for (const o of telegram.objects) m.read(o);
  m.totals();
  const maker = telegram.maker.toUpperCase();
  const belgian = m.emucs !== null || maker === 'FLU';
  const hungarian = !belgian && m.logicalName && m.version === null;
  // Luxembourg: its header, or a logical device name beside a P1 version (Smarty sends both, E.ON Hungary no version).
  const smarty = maker === 'LUX' || (m.logicalName && m.version !== null);
  const details = m.details;
  if (m.tariff !== null) {
    // Home Assistant's dsmr integration, translate_tariff: swapped for "5B" (Belgium) and "5EONHU" (E.ON Hungary).
    const swapped = belgian || hungarian;
    const code = m.tariff.code;
    const name = code === 1 || code === 2 ? TARIFFS[(code - 1) ^ (swapped ? 1 : 0)]! : null;
    details.push({ key: 'tariff', obis: m.tariff.obis, kind: 'enum', value: name, unit: null, options: TARIFFS });
  }
  const list = belgian
    ? `e-MUCS${m.emucs === null ? '' : ` ${m.emucs}`}`
    : m.version !== null
      ? `DSMR ${versionName(m.version)}${smarty ? ' (Smarty)' : ''}`
      : hungarian
        ? 'P1 (E.ON Hungary)'
        : m.twoLineGas
          ? 'DSMR 2.2/3.0'
          : 'P1';
  return {
    meterId: m.id,
    meterTime: m.clock,
    list,
    manufacturer: flags[maker] ?? p1Makers[maker] ?? (telegram.maker || null),
    model: modelOf(telegram.ident),
    readings: m.readings,
    unitRule: null,
    protocol: 'dsmr',
    details,
    subMeters: m.subMeters(),
    ...(m.failureLog === undefined ? {} : { powerFailureLog: m.failureLog }),
    ...(m.demandHistory === undefined ? {} : { demandHistory: m.demandHistory }),
    ...(m.skipped.length === 0 ? {} : { skipped: m.skipped }),
  };
}

/** A telegram's bytes (from `/` to its trailer) as PowerMeter's frame; times in `timeZone`, the process's own by default. */
export function readTelegram(bytes: Uint8Array, timeZone: string = LOCAL_TIME_ZONE): TelegramFrame {
  return mapTelegram(parseTelegram(bytes), timeZone);
}
