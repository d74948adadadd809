import { matchKeyOf } from '../dlms/obis.js';
import type { DemandPeak, Detail, DetailKind, PowerFailure, Reading, Skipped, SubMeter } from '../obis/readings.js';
import { registerOf, type KnownRegister } from '../obis/registers.js';
import { channelObject, MAX_CHANNEL, meterObject, subMeterTypes, type P1Object } from './objects.js';
import type { Telegram, TelegramObject } from './telegram.js';
import { readTimestamp } from './timestamp.js';
import { decimal, hexText, integer, splitUnit, unitOf, type Measure } from './values.js';

/** 0-0:96.3.10 (DSMR 4.0 §6.12, the breaker): 0 disconnected, 1 connected, 2 ready for reconnection. */
const BREAKER = ['disconnected', 'connected', 'ready_for_reconnection'] as const;

const measureKinds: Partial<Record<Measure, DetailKind>> = { power: 'power', current: 'current', apparent_power: 'apparent_power', frequency: 'frequency', voltage: 'voltage' };

/** A sub-meter being read: its channel's objects may come in any order. */
interface Channel {
  deviceType: number | null;
  id: string | null;
  obis: string | null;
  value: number | null;
  unit: string | null;
  capturedAt: string | null;
}

/** Sums to 6 decimals (a thousandth of a Wh): 1581.123 + 1435.706 is 3016.829, not 3016.8289999999997. */
const roundSum = (x: number): number => Math.round(x * 1e6) / 1e6;

/** 0-0:42.0.0, the COSEM logical device name: Smarty and E.ON Hungary send their id in it. */
const LOGICAL_NAME = matchKeyOf('0-0:42.0.0');

/** Reads a telegram's objects one by one into readings, details and sub-meters (mapping.ts makes the frame of them). */
export class TelegramMapper {
  readonly readings: Reading[] = [];
  readonly details: Detail[] = [];
  readonly skipped: Skipped[];
  private readonly placeOf: number[] = [];
  private readonly channels: (Channel | undefined)[] = [];
  version: string | null = null;
  emucs: string | null = null;
  clock: string | null = null;
  id: string | null = null;
  private idRank = Infinity;
  logicalName = false;
  twoLineGas = false;
  tariff: { obis: string; code: number } | null = null;
  failureLog: PowerFailure[] | undefined;
  demandHistory: DemandPeak[] | undefined;

  constructor(
    telegram: Telegram,
    private readonly timeZone: string,
  ) {
    this.skipped = telegram.skipped; // the parse's own list, made for this telegram
  }

  private skip(o: TelegramObject, reason: string): void {
    this.skipped.push({ what: o.obis.toString(), reason });
  }

  read(o: TelegramObject): void {
    const obis = o.obis;
    if (obis.a === 0 && obis.b > 0) return this.channelObject(o);
    const known = registerOf(obis);
    if (known) return this.register(o, known);
    const spec = meterObject.get(obis.matchKey);
    if (spec === undefined) return this.skip(o, 'an OBIS code PowerMeter does not know');
    this.meterObject(o, spec);
  }

  private register(o: TelegramObject, known: KnownRegister): void {
    const values = o.values;
    let at: string | null | undefined;
    if (values.length === 2) {
      // A register with the time it was reached (1-0:1.6.0: the month's peak and when).
      at = readTimestamp(values[0]!, this.timeZone);
      if (at === null && !/^\d{12}[SWsw]?$/.test(values[0]!)) return this.skip(o, 'two values where a register has one, or a time and one');
    } else if (values.length !== 1) {
      return this.skip(o, `${values.length} values where a register has one`);
    }
    const { number, unit } = splitUnit(values[values.length - 1]!);
    const u = unitOf(unit);
    if (u === undefined) return this.skip(o, `the unit "${unit}" is not one PowerMeter knows`);
    let value: number;
    if (known.quantity === 'power_factor') {
      if (u !== null) return this.skip(o, `a power factor has no unit, this one came in ${unit}`);
      value = decimal(number);
    } else {
      if (u === null) return this.skip(o, `no unit: a ${known.quantity.replace('_', ' ')} is sent with its unit`);
      if (u.measure !== known.quantity) return this.skip(o, `the unit ${unit} contradicts the code, which is a ${known.quantity.replace('_', ' ')}`);
      value = decimal(number, u.exponent);
    }
    if (Number.isNaN(value)) return this.skip(o, `"${number}" is not a number`);
    const reading: Reading = at === undefined ? { key: known.key, obis: o.obis.toString(), quantity: known.quantity, value, unit: known.unit } : { key: known.key, obis: o.obis.toString(), quantity: known.quantity, value, unit: known.unit, at };
    this.place(reading, known);
  }

  /** A register sent twice is read once, in its first place, with its last value. */
  private place(reading: Reading, known: KnownRegister): void {
    const at = this.placeOf[known.index];
    if (at !== undefined) {
      this.readings[at] = reading;
      return;
    }
    this.placeOf[known.index] = this.readings.length;
    this.readings.push(reading);
  }

  private meterObject(o: TelegramObject, spec: P1Object): void {
    const first = o.values[0]!;
    switch (spec.role) {
      case 'version':
        this.version = first;
        return;
      case 'clock':
        this.clock = readTimestamp(first, this.timeZone);
        return;
      case 'id':
        if (o.obis.matchKey === LOGICAL_NAME) this.logicalName = true;
        if (first !== '' && spec.rank < this.idRank) {
          this.id = hexText(first);
          this.idRank = spec.rank;
        }
        return;
      case 'emucs-version':
        this.emucs = first;
        return;
      case 'count': {
        const n = integer(first);
        if (o.values.length !== 1 || Number.isNaN(n)) return this.skip(o, `a count is one whole number without a unit, not "${o.values.join(')(')}"`);
        this.details.push({ key: spec.key, obis: o.obis.toString(), kind: 'count', value: n, unit: null });
        return;
      }
      case 'measure':
        return this.measure(o, spec.key, spec.measures);
      case 'text':
        this.details.push({ key: spec.key, obis: o.obis.toString(), kind: 'text', value: hexText(first), unit: null });
        return;
      case 'tariff': {
        const code = integer(first);
        if (Number.isNaN(code)) return this.skip(o, `the tariff indicator "${first}" is not a number`);
        this.tariff = { obis: o.obis.toString(), code };
        return;
      }
      case 'breaker': {
        const state = BREAKER[integer(first)];
        if (state === undefined) return this.skip(o, `breaker state "${first}" is none of 0, 1, 2`);
        this.details.push({ key: 'breaker_state', obis: o.obis.toString(), kind: 'enum', value: state, unit: null, options: BREAKER });
        return;
      }
      case 'failure-log':
        return this.failures(o);
      case 'demand-history':
        return this.demand(o);
      case 'unused':
        return;
    }
  }

  private measure(o: TelegramObject, key: string, measures: readonly Measure[]): void {
    const { number, unit } = splitUnit(o.values[0]!);
    const u = unitOf(unit);
    if (u === undefined || u === null) return this.skip(o, u === null ? 'no unit' : `the unit "${unit}" is not one PowerMeter knows`);
    const kind = measureKinds[u.measure];
    if (!measures.includes(u.measure) || kind === undefined) return this.skip(o, `the unit ${unit} contradicts the code`);
    const value = decimal(number, u.exponent);
    if (Number.isNaN(value)) return this.skip(o, `"${number}" is not a number`);
    this.details.push({ key, obis: o.obis.toString(), kind, value, unit: u.unit });
    // Smarty sends the fuse threshold with a second value (1-1:31.4.0(100*A)(-063*A)) that no source explains.
    if (o.values.length > 1) this.skip(o, `the values after the first (${o.values.slice(1).join(', ')}) are not read: no specification at hand says what they are`);
  }

  /** 1-0:99.97.0(n)(0-0:96.7.19)(end)(duration*s)…: the last long power failures. */
  private failures(o: TelegramObject): void {
    const v = o.values;
    const n = integer(v[0]!);
    if (Number.isNaN(n) || v.length !== 2 + 2 * n) return this.skip(o, `the failure log says ${v[0]} entries and holds ${Math.max(0, (v.length - 2) / 2)}`);
    const log: PowerFailure[] = [];
    for (let k = 0; k < n; k++) {
      const { number, unit } = splitUnit(v[3 + 2 * k]!);
      const seconds = integer(number);
      if (unitOf(unit)?.measure !== 'duration' || Number.isNaN(seconds)) return this.skip(o, `a failure's duration "${v[3 + 2 * k]}" is not in seconds`);
      log.push({ end: readTimestamp(v[2 + 2 * k]!, this.timeZone), seconds });
    }
    this.failureLog = log;
  }

  /** 0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0)(month)(when)(peak*kW)…: the Belgian monthly peaks (e-MUCS). */
  private demand(o: TelegramObject): void {
    const v = o.values;
    const n = integer(v[0]!);
    if (Number.isNaN(n) && /^\d{12}[SW]$/.test(v[0]!)) return this.skip(o, 'this form of 0-0:98.1.0 (the billing-period values E.ON Hungary sends) is not read');
    if (Number.isNaN(n) || v.length !== 3 + 3 * n) return this.skip(o, `the peak history says ${v[0]} months and holds ${Math.max(0, Math.floor((v.length - 3) / 3))}`);
    const history: DemandPeak[] = [];
    for (let k = 0; k < n; k++) {
      const { number, unit } = splitUnit(v[5 + 3 * k]!);
      const u = unitOf(unit);
      const value = u?.measure === 'power' ? decimal(number, u.exponent) : NaN;
      if (Number.isNaN(value)) return this.skip(o, `a monthly peak "${v[5 + 3 * k]}" is not a power`);
      history.push({ month: readTimestamp(v[3 + 3 * k]!, this.timeZone), at: readTimestamp(v[4 + 3 * k]!, this.timeZone), value });
    }
    this.demandHistory = history;
  }

  private channelObject(o: TelegramObject): void {
    const part = channelObject.get(o.obis.matchKey);
    if (part === undefined) return this.skip(o, 'an M-Bus channel object PowerMeter does not know');
    if (part === 'unused') return;
    const b = o.obis.b;
    if (b > MAX_CHANNEL) return this.skip(o, `M-Bus channel ${b} is beyond the ${MAX_CHANNEL} PowerMeter reads`);
    const ch = (this.channels[b] ??= { deviceType: null, id: null, obis: null, value: null, unit: null, capturedAt: null });
    const v = o.values;
    if (part === 'type') {
      const t = integer(v[0]!);
      ch.deviceType = Number.isNaN(t) ? null : t;
      return;
    }
    if (part === 'id') {
      ch.id = v[0] === '' ? null : hexText(v[0]!);
      return;
    }
    // 24.2.1 (time)(value*unit); DSMR 2.2: 24.3.0 (time)(status)(period)(count)(code)(unit), then (value).
    const twoLine = part === 'value-2.2';
    if (twoLine) this.twoLineGas = true;
    if (twoLine ? v.length < 7 : v.length !== 2) return this.skip(o, twoLine ? 'the DSMR 2.2 gas reading without its value line' : 'an M-Bus reading is a time and a value');
    const { number, unit } = twoLine ? { number: v[6]!, unit: v[5]! } : splitUnit(v[1]!);
    // An empty channel: no unit, a time of 1970 or none at all (TELEGRAM_V5_TWO_MBUS; Smarty 632525252525S).
    if (unit === null || unit === '') return;
    const u = unitOf(unit);
    if (u === undefined || u === null || (u.measure !== 'volume' && u.measure !== 'heat' && u.measure !== 'energy')) return this.skip(o, `an M-Bus reading in ${unit}, not in m³, GJ or kWh`);
    const value = decimal(number, u.exponent);
    if (Number.isNaN(value)) return this.skip(o, `"${number}" is not a number`);
    ch.obis = o.obis.toString();
    ch.value = value;
    ch.unit = u.unit;
    ch.capturedAt = readTimestamp(v[0]!, this.timeZone);
  }

  subMeters(): SubMeter[] {
    const out: SubMeter[] = [];
    this.channels.forEach((ch, channel) => {
      if (ch === undefined || ch.value === null || ch.unit === null || ch.obis === null) return;
      const type = ch.deviceType === null ? null : (subMeterTypes[ch.deviceType] ?? null);
      out.push({ channel, type, deviceType: ch.deviceType, id: ch.id, obis: ch.obis, value: ch.value, unit: ch.unit, capturedAt: ch.capturedAt });
    });
    return out;
  }

  /**
   * The import and export totals a Dutch or Belgian meter does not send: the sums of its tariffs (IEC 62056-61: E = 0
   * is the total over the tariffs), each tariff once however often it was sent.
   */
  totals(): void {
    this.total(1, 'active_energy_import');
    this.total(2, 'active_energy_export');
  }

  private total(c: 1 | 2, key: string): void {
    let sum = 0;
    let ab: string | null = null;
    for (const r of this.readings) {
      if (r.key === key) return;
      if (r.key.startsWith(key) && r.key.startsWith('_tariff_', key.length)) {
        sum += r.value;
        ab = r.obis.slice(0, r.obis.indexOf(':'));
      }
    }
    if (ab !== null) this.readings.push({ key, obis: `${ab}:${c}.8.0.255`, quantity: 'energy', value: roundSum(sum), unit: 'kWh' });
  }
}
