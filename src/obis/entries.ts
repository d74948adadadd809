import { expectBodyEnd } from '../dlms/apdu.js';
import { ApduError } from '../errors.js';
import { ARRAY, isNumeric, OCTET_STRING, Reader, STRUCTURE, TextMemo, type Data } from '../dlms/axdr.js';
import { ObisTable, type Obis } from './obis.js';

/** A register's value: a plain number for every numeric type (nearly every register), else its Data. */
export type Value = number | Data;

/** The number a value holds, or null for text, dates and structures. */
export function numberOf(v: Value | undefined): number | null {
  if (typeof v === 'number') return v;
  return v !== undefined && isNumeric(v) ? v.value : null;
}

/** One value of a push list, with its OBIS code when the list carries one. */
export interface Entry {
  readonly obis: Obis;
  readonly value: Value;
  /** Decimal exponent and DLMS unit enum, when the list sends a `{scaler, unit}` structure (Aidon, Kaifa AT, Sagemcom). */
  readonly scaler?: number;
  readonly unit?: number;
}

/**
 * What one decoder remembers of the lists it reads: a meter sends the same codes, in the same places, with the same
 * strings, every frame. Each decoder has its own, so that several sources in one process never share or thrash it.
 */
export class ListMemo {
  readonly codes = new ObisTable();
  readonly texts = new TextMemo();
  /**
   * The OBIS code of each register position in the last list read: comparing six bytes with the code found there
   * last time stays in the cache, where looking each one up in the table did not (4 % of a frame's decode, measured).
   */
  readonly lastCodes: (Obis | undefined)[] = [];
  /**
   * Match keys seen by `Registers.dedupe`, by a 10-bit hash stamped with a generation: a register sent twice is
   * rare, so the registers are searched only on a hash hit.
   */
  readonly seen = new Int32Array(1024);
  private generation = 0;

  nextGeneration(): number {
    if (++this.generation === 0x7fffffff) {
      this.seen.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

/**
 * A list's registers in frame order, one per match key, as parallel arrays: an object per register was
 * measurable in every frame. A second value for the same register replaces the first.
 */
export class Registers {
  private codes: Obis[] = [];
  private values: Value[] = [];
  /** Filled only by lists that send `{scaler, unit}` (Aidon, Kaifa AT, Sagemcom). */
  private scalers: (number | undefined)[] | null = null;
  private units: (number | undefined)[] | null = null;

  get length(): number {
    return this.codes.length;
  }

  /** The list sends `{scaler, unit}` with at least one register. */
  get scaled(): boolean {
    return this.units !== null;
  }

  obis(i: number): Obis {
    return this.codes[i]!;
  }

  value(i: number): Value {
    return this.values[i]!;
  }

  scaler(i: number): number | undefined {
    return this.scalers?.[i];
  }

  unit(i: number): number | undefined {
    return this.units?.[i];
  }

  /** The registers are exactly these codes, in this order. */
  hasCodes(codes: readonly Obis[]): boolean {
    const mine = this.codes;
    if (mine.length !== codes.length) return false;
    for (let i = 0; i < mine.length; i++) if (mine[i] !== codes[i]) return false;
    return true;
  }

  /** The index of the register with an OBIS match key (see `patternKey`), or -1. */
  indexOf(key: number): number {
    const codes = this.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i]!.matchKey === key) return i;
    return -1;
  }

  valueOf(key: number): Value | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  /** Adds a register, or replaces the value of the one with the same match key. */
  set(obis: Obis, value: Value, scaler?: number, unit?: number): void {
    const known = this.indexOf(obis.matchKey);
    if (known < 0) return this.append(obis, value, scaler, unit);
    this.codes[known] = obis;
    this.values[known] = value;
    this.scale(known, scaler, unit);
  }

  /** Adds a register without looking for one with the same key: `dedupe` must follow, unless none can be. */
  append(obis: Obis, value: Value, scaler?: number, unit?: number): void {
    this.codes.push(obis);
    this.values.push(value);
    this.scale(this.codes.length - 1, scaler, unit);
  }

  private scale(i: number, scaler: number | undefined, unit: number | undefined): void {
    if (unit === undefined && !this.units) return;
    (this.scalers ??= [])[i] = scaler;
    (this.units ??= [])[i] = unit;
  }

  /** Folds registers sent twice into the first place, with the last value. */
  dedupe(memo: ListMemo): void {
    const seen = memo.seen;
    const stamp = memo.nextGeneration();
    let repeated = false;
    for (let i = 0; i < this.codes.length; i++) {
      const slot = Math.imul(this.codes[i]!.matchKey, 0x9e3779b1) >>> 22;
      if (seen[slot] !== stamp) seen[slot] = stamp;
      else if (this.indexOf(this.codes[i]!.matchKey) < i) repeated = true;
    }
    if (!repeated) return;
    const kept = new Registers();
    for (let i = 0; i < this.codes.length; i++) kept.set(this.codes[i]!, this.values[i]!, this.scaler(i), this.unit(i));
    this.codes = kept.codes;
    this.values = kept.values;
    this.scalers = kept.scalers;
    this.units = kept.units;
  }

  copy(): Registers {
    const copy = new Registers();
    for (let i = 0; i < this.codes.length; i++) copy.append(this.codes[i]!, this.values[i]!, this.scaler(i), this.unit(i));
    return copy;
  }

  /** As objects, for tools and tests. */
  entries(): Entry[] {
    return this.codes.map((obis, i) => {
      const scaler = this.scaler(i);
      const unit = this.unit(i);
      return unit === undefined || scaler === undefined ? { obis, value: this.values[i]! } : { obis, value: this.values[i]!, scaler, unit };
    });
  }
}

export interface ListContent {
  /** A list-version string ("Kamstrup_V0001", Aidon's "AIDON_V0001"). */
  readonly version: string | null;
  readonly registers: Registers;
  /** Elements that belong to no OBIS code, in order (value-only lists such as Kaifa NO, Landis+Gyr AT). */
  readonly bare: readonly Data[];
  /** The list named its values with a capture-object list (Landis+Gyr's Swiss push). */
  readonly described: boolean;
  /** Each value came with its COSEM attribute descriptor, untagged (Sagemcom XT211's Czech push). */
  readonly descriptors: boolean;
}

function isObis(d: Data | undefined): d is { type: 'octet-string'; value: Uint8Array } {
  return d !== undefined && d.type === 'octet-string' && d.value.length === 6;
}

export function textOf(d: Value | undefined): string | null {
  if (d === undefined) return null;
  if (typeof d === 'number') return String(d);
  if (d.type === 'visible-string' || d.type === 'utf8-string') return d.value;
  if (d.type === 'octet-string') return Buffer.from(d.value).toString('latin1');
  if (isNumeric(d)) return String(d.value);
  return null;
}

/** `{scaler: integer, unit: enum}` (Blue Book scal_unit_type). */
function scalerUnit(d: Data | undefined): { scaler: number; unit: number } | null {
  if (d?.type !== 'structure' || d.items.length !== 2) return null;
  const [s, u] = d.items;
  return s?.type === 'integer' && u?.type === 'enum' ? { scaler: s.value, unit: u.value } : null;
}

/** `{09 06 OBIS, value}` or `{09 06 OBIS, value, {scaler, unit}}` as Aidon and Kaifa AT send each register. */
function registerStructure(d: Data, codes: ObisTable): Entry | null {
  if (d.type !== 'structure' || d.items.length < 2 || d.items.length > 3 || !isObis(d.items[0])) return null;
  const entry: Entry = { obis: codes.fromBytes(d.items[0].value), value: d.items[1]! };
  const su = scalerUnit(d.items[2]);
  return su ? { ...entry, ...su } : entry;
}

/**
 * A capture-object list as the first element (`{class, OBIS, attribute, data-index}` per value), the values
 * after it: Landis+Gyr E450's Swiss push names its values this way instead of pairing them with OBIS codes.
 * Returns the OBIS code of each position (null where the position holds no attribute-2 value), or null when
 * `head` is not such a list.
 */
function capturedObjects(head: Data, count: number, codes: ObisTable): (Obis | null)[] | null {
  if (head.type !== 'array' || head.items.length !== count) return null;
  const objects: (Obis | null)[] = [null];
  for (let i = 1; i < count; i++) {
    const d = head.items[i];
    if (d?.type !== 'structure' || d.items.length !== 4 || !isObis(d.items[1]) || d.items[2]?.type !== 'integer') return null;
    // attribute 2 is the value; 1 is the object's own name
    objects.push(d.items[2].value === 2 ? codes.fromBytes(d.items[1].value) : null);
  }
  return objects;
}

/** Interface classes whose attribute 2 is a value: data, register, extended register, demand register. */
const VALUE_CLASSES = new Set([1, 3, 4, 5]);

/** `00 cc` + six OBIS bytes + attribute: a COSEM attribute descriptor as XT211 sends it, without A-XDR tags. */
function atDescriptor(b: Uint8Array, p: number): boolean {
  return p + 10 <= b.length && b[p] === 0x00 && b[p + 1]! > 0 && b[p + 1]! < 0x80 && b[p + 8]! > 0 && b[p + 8]! < 0x20;
}

/**
 * `{enum, array of {descriptor, value}}` where each descriptor is a class id, an OBIS code and an attribute index
 * written as bare bytes (Sagemcom XT211 in the Czech Republic; esphome-libs/dlms_parser
 * tests/dumps/raw_sagecom_xt211_decoded.log). A-XDR would tag them as a structure; read as tags they look like
 * null-data followed by garbage ("unknown A-XDR type tag 0x60"). Attribute 2 of a value class is a register; the
 * rest (a disconnect control's state, a limiter) is read past. Returns false, having read nothing, when the body is
 * not such a list.
 */
function readAttributeList(r: Reader, registers: Registers, memo: ListMemo): boolean {
  const b = r.buf;
  const p = r.pos;
  if (b[p] !== STRUCTURE || b[p + 1] !== 2 || b[p + 2] !== ENUM || b[p + 4] !== ARRAY || b[p + 6] !== STRUCTURE || b[p + 7] !== 2 || !atDescriptor(b, p + 8)) return false;
  r.skip(5);
  const count = r.count();
  for (let i = 0; i < count; i++) {
    if (r.peek() !== STRUCTURE || r.peek(1) !== 2 || !atDescriptor(b, r.pos + 2)) throw new ApduError(`attribute list: element ${i + 1} has no attribute descriptor`);
    const at = r.pos + 2;
    const classId = b[at + 1]!;
    const attribute = b[at + 8]!;
    const obis = codeAt(memo, b, at + 2, registers.length);
    r.skip(2 + 9);
    const value = r.value(1);
    if (attribute === 2 && VALUE_CLASSES.has(classId)) registers.set(obis, value);
  }
  return true;
}

/** Aidon's list version sits in a register of its own, 1-1:0.2.129.255. */
const VERSION_REGISTER = { c: 0, d: 2, e: 129 };

const INTEGER = 0x0f;
const ENUM = 0x16;

const MAX_REMEMBERED = 256;
function codeAt(memo: ListMemo, buf: Uint8Array, at: number, index: number): Obis {
  const last = memo.lastCodes[index];
  if (
    last !== undefined &&
    last.a === buf[at] &&
    last.b === buf[at + 1] &&
    last.c === buf[at + 2] &&
    last.d === buf[at + 3] &&
    last.e === buf[at + 4] &&
    last.f === buf[at + 5]
  ) {
    return last;
  }
  const obis = memo.codes.at(buf, at);
  if (index < MAX_REMEMBERED) memo.lastCodes[index] = obis;
  return obis;
}

/** `09 06` + six bytes: an OBIS code, recognised without building anything. */
function atObis(r: Reader): boolean {
  const b = r.buf;
  return b[r.pos] === OCTET_STRING && b[r.pos + 1] === 6 && r.pos + 8 <= b.length;
}

/** `02 02 0F s 16 u`: a {scaler, unit} structure, read in place. */
function readScalerUnit(r: Reader): { scaler: number; unit: number } | null {
  if (r.buf[r.pos] !== STRUCTURE || r.peek(1) !== 2 || r.peek(2) !== INTEGER || r.peek(4) !== ENUM || r.peek(5) === -1) return null;
  const su = { scaler: (r.peek(3) << 24) >> 24, unit: r.peek(5) };
  r.skip(6);
  return su;
}

/**
 * Reads a notification body, at `at` in the APDU, in any of the shapes meters use: a flat structure of
 * OBIS/value pairs (Kamstrup; the version string has no OBIS, so strict alternation cannot be assumed),
 * OBIS/value/scaler triples (Sagemcom), an array or structure of register structures (Aidon, Kaifa AT), a
 * capture-object list with values (Landis+Gyr CH), or bare values (Kaifa NO). It reads the bytes directly:
 * the OBIS/value pairs that make up nearly every frame build no Data tree. The body must end the APDU.
 */
export function readList(apdu: Uint8Array, at: number, memo: ListMemo = new ListMemo()): ListContent {
  const r = new Reader(apdu, at, memo.texts);
  const registers = new Registers();
  const bare: Data[] = [];
  // Its third byte is an enum's tag: one comparison for every other list.
  if (apdu[at + 2] === ENUM && readAttributeList(r, registers, memo)) {
    expectBodyEnd(apdu, r.pos);
    return { version: null, registers, bare, described: false, descriptors: true };
  }
  let version: string | null = null;
  const tag = r.peek();
  let count = 1;
  if (tag === STRUCTURE || tag === ARRAY) {
    r.skip(1);
    count = r.count();
  }
  let i = 0;
  if (count > 0 && r.peek() === ARRAY) {
    const head = r.data(1);
    const objects = capturedObjects(head, count, memo.codes);
    if (objects) {
      for (i = 1; i < count; i++) {
        const value = r.data(1);
        const obis = objects[i];
        if (obis) registers.set(obis, value);
      }
      expectBodyEnd(apdu, r.pos);
      return { version: null, registers, bare, described: true, descriptors: false };
    }
    bare.push(head);
    i = 1;
  }
  for (; i < count; i++) {
    if (i + 1 < count && atObis(r)) {
      const obis = codeAt(memo, r.buf, r.pos + 2, registers.length);
      r.skip(8);
      const value = r.value(1);
      i++;
      // The first byte checked here: a call per register to find no {scaler, unit} showed in the benchmark.
      const su = i + 1 < count && r.buf[r.pos] === STRUCTURE ? readScalerUnit(r) : null;
      if (su) i++;
      registers.append(obis, value, su?.scaler, su?.unit);
      continue;
    }
    const item = r.data(1);
    const register = registerStructure(item, memo.codes);
    if (register) {
      const { c, d, e } = register.obis;
      if (c === VERSION_REGISTER.c && d === VERSION_REGISTER.d && e === VERSION_REGISTER.e) version = textOf(register.value);
      else registers.set(register.obis, register.value, register.scaler, register.unit);
    } else if (i === 0 && item.type === 'visible-string') {
      version = item.value;
    } else {
      bare.push(item);
    }
  }
  expectBodyEnd(apdu, r.pos);
  registers.dedupe(memo);
  return { version, registers, bare, described: false, descriptors: false };
}
