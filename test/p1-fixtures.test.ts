import { describe, expect, it } from 'vitest';
import { Decoder, type DecodedFrame, type DecodeResult } from '../src/decode/decoder.js';
import { bytesOf, resigned, telegrams, wire, zoneOf, type SourceAssert, type TelegramFixture } from './p1-fixtures.js';

/**
 * Every P1 fixture (test/fixtures/p1/telegrams.json) decodes, and each value its source asserts is what PowerMeter
 * reads, value by value, in the source's own unit: PowerMeter's value converted back (W to kW, kWh to Wh).
 */

function decodeAll(bytes: Uint8Array, timeZone: string): DecodeResult[] {
  const decoder = new Decoder({ timeZone });
  return [...decoder.push(bytes), ...decoder.end()];
}

function decodeOne(t: TelegramFixture): DecodedFrame {
  const results = decodeAll(bytesOf(wire(t)), zoneOf(t));
  expect(results.map((r) => (r.ok ? 'frame' : `${r.error.reason}: ${r.error.message}`))).toEqual(['frame']);
  const [r] = results;
  if (!r?.ok) throw new Error('no frame');
  return r.frame;
}

/** A source's unit → PowerMeter's unit, and the factor from PowerMeter's value to the source's. */
const units: Record<string, [string | null, number]> = {
  kWh: ['kWh', 1],
  Wh: ['kWh', 1000],
  kW: ['W', 0.001],
  W: ['W', 1],
  kvarh: ['kvarh', 1],
  varh: ['kvarh', 1000],
  kvar: ['var', 0.001],
  var: ['var', 1],
  kVA: ['VA', 0.001],
  V: ['V', 1],
  A: ['A', 1],
  Hz: ['Hz', 1],
  m3: ['m³', 1],
  GJ: ['GJ', 1],
};

/** The hex-decoding the DSMR texts get (done here without PowerMeter's code). */
function hexText(s: string): string {
  if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(s)) return s;
  const b = Buffer.from(s, 'hex');
  return b.every((x) => x >= 0x20 && x <= 0x7e) ? b.toString('latin1') : s;
}

const close = (actual: number | undefined, expected: number, what: string): void => {
  expect(actual, what).toBeDefined();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
};

/** Where the meter id comes from: the most specific code the telegram sends it in (dsmr/objects.ts). */
const idCodes = ['0-0:96.1.1', '0-0:42.0.0', '0-0:96.1.255', '0-0:96.1.0', '1-0:0.0.0'];

/**
 * Source assertions PowerMeter does not follow, each with the reason. A time stamp with a month 34 or 0 is no time;
 * the source's JavaScript Date rolls it over into another date.
 */
const notFollowed: Record<string, Record<string, string>> = {
  'athombv-kamstrup-OMNIA-e-meter-three-phase': { '0-0:1.0.0': '250000000000W has month 0: no time (the source rolls it over to 2024-11-30)' },
  'athombv-sagemcom-xt211': { '0-0:1.0.0': '123412341234W has month 34: no time (the source rolls it over to 2014-10-13)' },
};

/** A source's value as text (ids, messages, numbers too large for a double). */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));

function check(t: TelegramFixture, f: DecodedFrame, a: SourceAssert): void {
  const what = `${t.id} ${a.obis}${a.index === undefined ? '' : `[${a.index}]`}`;
  if (notFollowed[t.id]?.[a.obis]) {
    expect(f.meterTime, what).toBeNull();
    return;
  }
  const [ab, cde] = a.obis.split(':') as [string, string];
  const b = Number(ab.split('-')[1]);
  const full = `${a.obis}.255`;
  const value = a.value;
  const detail = (obis: string) => f.details?.find((d) => d.obis === obis);
  const sub = f.subMeters?.find((s) => s.channel === b);
  if (b > 0 && ab.startsWith('0-')) {
    // An M-Bus channel.
    if (cde === '24.1.0') return void expect(sub?.deviceType, what).toBe(Number(value));
    // An empty id on a channel without a reading: the channel makes no sub-meter at all.
    if (cde === '96.1.0' || cde === '96.1.1') return void expect(sub?.id ?? null, what).toBe(value === '' || value === null ? null : hexText(textOf(value)));
    if (cde === '24.4.0') return; // the valve position: not published
    expect(['24.2.1', '24.2.3', '24.3.0'], what).toContain(cde);
    expect(sub?.obis, what).toBe(full);
    if (a.unit !== undefined) expect(sub?.unit, what).toBe(units[a.unit!]![0]);
    close(sub?.value, Number(value), what);
    if (a.captured?.wall) expect(sub?.capturedAt?.slice(0, 19), what).toBe(a.captured.wall);
    return;
  }
  switch (cde) {
    case '0.2.8':
      return void expect(f.list, what).toMatch(new RegExp(`^DSMR ${(Number(value) >= 10 ? Number(value) / 10 : Number(value)).toFixed(1).replace('.', '\\.')}`));
    case '1.0.0': {
      const v = value as { instant?: string; wall?: string };
      if (v.instant) return void expect(Date.parse(f.meterTime!), what).toBe(Date.parse(v.instant));
      return void expect(f.meterTime?.slice(0, 19), what).toBe(v.wall);
    }
    case '96.1.4':
      return void expect(f.list, what).toBe(`e-MUCS ${textOf(value)}`);
    case '96.14.0': {
      // Home Assistant's translate_tariff: 1 low, 2 normal; swapped in Belgium (e-MUCS) and for E.ON Hungary.
      const swapped = /^e-MUCS|Hungary/.test(f.list ?? '');
      const code = Number(value);
      return void expect(detail(full)?.value, what).toBe(['low', 'normal'][(code - 1) ^ (swapped ? 1 : 0)]);
    }
    case '96.3.10':
      return void expect(detail(full)?.value, what).toBe(['disconnected', 'connected', 'ready_for_reconnection'][Number(value)]);
    case '96.13.0':
    case '96.13.1':
      // A source that asserts only that the message has no unit: it is there, as text.
      if (value === undefined) return void expect(detail(full)?.kind, what).toBe('text');
      return void expect(detail(full)?.value, what).toBe(value === null || value === 0 ? '' : hexText(textOf(value)));
    case '98.1.0': {
      const peak = f.demandHistory?.[a.index!];
      close(peak?.value, Number(value) / units[a.unit!]![1], what);
      expect(Date.parse(peak!.month!), what).toBe(Date.parse(a.datetime!.instant!));
      expect(Date.parse(peak!.at!), what).toBe(Date.parse(a.occurred!.instant!));
      return;
    }
  }
  if (idCodes.includes(a.obis)) {
    const used = idCodes.find((code) => new RegExp(`^${code.replace(/\./g, '\\.')}(\\*255)?\\([^)]`, 'm').test(t.telegram));
    if (typeof value === 'object' && value !== null) return void expect(f.meterId, what).toBe((value as { decoded: string }).decoded);
    if (a.obis === used) return void expect(f.meterId, what).toBe(hexText(textOf(value)));
    return; // a less specific id than the one the meter id is taken from: not published
  }
  // A register or a measured detail, or a count.
  const reading = f.readings.find((r) => r.obis === full);
  const d = detail(full);
  if (a.unit === null || a.unit === undefined) {
    if (reading) return close(reading.value, Number(value), what); // a power factor
    expect(d?.kind, what).toBe('count');
    return void expect(d?.value, what).toBe(Number(value));
  }
  const [unit, factor] = units[a.unit]!;
  const mine = reading ?? d;
  expect(mine?.unit, what).toBe(unit);
  close(typeof mine?.value === 'number' ? mine.value * factor : undefined, Number(value), what);
  if (a.datetime?.instant) expect(Date.parse(reading!.at!), what).toBe(Date.parse(a.datetime.instant));
}

describe('P1 fixtures, value by value as their sources assert them', () => {
  it.each(telegrams.map((t) => [t.id, t] as const))('%s', (_id, t) => {
    const f = decodeOne(t);
    expect(f.protocol).toBe('dsmr');
    expect(f.framing).toBe('p1');
    for (const a of t.source_asserts) check(t, f, a);
  });

  it('checks more than a few values: every fixture with a test at its source has its assertions checked', () => {
    const checked = telegrams.reduce((n, t) => n + t.source_asserts.length, 0);
    expect(checked).toBeGreaterThan(700);
    expect(telegrams.filter((t) => t.source_asserts.length === 0).map((t) => t.id)).toEqual([
      'ndokter-unpadded-crc',
      'ndokter-fluvius-v171-alt',
      'ndokter-esy5q3db1024-v304',
      'ndokter-esy5q3da1004-v304',
      'ndokter-sagemcom-t210-d-r',
    ]);
  });
});

describe('P1 fixtures as their sources keep them', () => {
  it.each(telegrams.filter((t) => t.source_crc_valid === false).map((t) => [t.id, t] as const))('%s: the CRC its source says does not hold is refused as a checksum error', (_id, t) => {
    const results = decodeAll(bytesOf(t.telegram), zoneOf(t));
    expect(results.map((r) => (r.ok ? 'frame' : r.error.reason))).toEqual(['checksum']);
    expect(decodeAll(bytesOf(resigned(t.telegram)), zoneOf(t)).map((r) => r.ok)).toEqual([true]);
  });

  it('a telegram whose source file has no "!" is said to be cut short at the end of the input', () => {
    const t = telegrams.find((x) => x.id === 'athombv-iskra-mt-382-no-crc')!;
    const results = decodeAll(bytesOf(t.telegram), 'Europe/Amsterdam');
    expect(results.map((r) => (r.ok ? 'frame' : `${r.error.reason}: ${r.error.message}`))).toEqual([expect.stringMatching(/^closing-flag: input ended inside a P1 telegram/)]);
  });

  it('the sources whose tests validate the checksum decode as they are', () => {
    for (const t of telegrams.filter((x) => x.id.startsWith('ndokter-'))) expect(wire(t), t.id).toBe(t.telegram);
  });
});
