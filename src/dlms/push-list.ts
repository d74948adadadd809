import { ApduError, type DumpedValue } from '../base/errors.js';
import { latin1 } from '../base/bytes.js';
import { expectBodyEnd } from './apdu.js';
import { ARRAY, ENUM, INTEGER, isNumeric, OCTET_STRING, Reader, STRUCTURE, type Data } from './axdr.js';
import { Obis } from './obis.js';

/**
 * The list a meter pushes, read from a data-notification body (Green Book §9.4.6.4 data-notification; the values
 * are A-XDR Data): registers by OBIS code where the list names them, bare values where it does not. What the
 * values mean is the profile's business (src/obis/), not this reader's.
 */

/** A register's value: a plain number for every numeric type (nearly every register), else its Data. */
export type Value = number | Data;

/** One register of a push list. */
export interface ListRegister {
  readonly obis: Obis;
  readonly value: Value;
  /** Decimal exponent and DLMS unit enum, when the list sends a `{scaler, unit}` structure (Aidon, Kaifa AT, Sagemcom). */
  readonly scaler?: number;
  readonly unit?: number;
}

export interface PushList {
  /** A list-version string ("Kamstrup_V0001", Aidon's "AIDON_V0001"). */
  readonly version: string | null;
  /** In frame order, as sent (a register sent twice is there twice: the profile decides what that means). */
  readonly registers: readonly ListRegister[];
  /** Elements that belong to no OBIS code, in order (value-only lists such as Kaifa NO, Landis+Gyr AT, Iskra SI). */
  readonly bare: readonly Data[];
  /** The list named its values with a capture-object list (Landis+Gyr's Swiss push). */
  readonly described: boolean;
  /** Each value came with its COSEM attribute descriptor, untagged (Sagemcom XT211's Czech push). */
  readonly descriptors: boolean;
}

/** The number a value holds, or null for text, dates and structures. */
export function numberOf(v: Value | undefined): number | null {
  if (typeof v === 'number') return v;
  return v !== undefined && isNumeric(v) ? v.value : null;
}

export function textOf(d: Value | undefined): string | null {
  if (d === undefined) return null;
  if (typeof d === 'number') return String(d);
  if (d.type === 'visible-string' || d.type === 'utf8-string') return d.value;
  if (d.type === 'octet-string') return latin1(d.value);
  if (isNumeric(d)) return String(d.value);
  return null;
}

/** The register with this match key, or undefined. */
export function registerAt(registers: readonly ListRegister[], matchKey: number): ListRegister | undefined {
  for (const r of registers) if (r.obis.matchKey === matchKey) return r;
  return undefined;
}

/** `{scaler: integer, unit: enum}` (Blue Book scal_unit_type) at the reader, read in place; null when it is not one. */
function scalerUnitAt(r: Reader): { scaler: number; unit: number } | null {
  if (r.peek() !== STRUCTURE || r.peek(1) !== 2 || r.peek(2) !== INTEGER || r.peek(4) !== ENUM || r.peek(5) === -1) return null;
  const su = { scaler: (r.peek(3) << 24) >> 24, unit: r.peek(5) };
  r.skip(6);
  return su;
}

function scalerUnitOf(d: Data | undefined): { scaler: number; unit: number } | null {
  if (d?.type !== 'structure' || d.items.length !== 2) return null;
  const [s, u] = d.items;
  return s?.type === 'integer' && u?.type === 'enum' ? { scaler: s.value, unit: u.value } : null;
}

function isObis(d: Data | undefined): d is { type: 'octet-string'; value: Uint8Array } {
  return d !== undefined && d.type === 'octet-string' && d.value.length === 6;
}

/** `{09 06 OBIS, value}` or `{09 06 OBIS, value, {scaler, unit}}`, as Aidon and Kaifa AT send each register. */
function registerStructure(d: Data): ListRegister | null {
  if (d.type !== 'structure' || d.items.length < 2 || d.items.length > 3 || !isObis(d.items[0])) return null;
  const obis = Obis.at(d.items[0].value, 0);
  const su = scalerUnitOf(d.items[2]);
  return su ? { obis, value: d.items[1]!, ...su } : { obis, value: d.items[1]! };
}

/** Aidon's list version sits in a register of its own, 1-1:0.2.129.255. */
const isVersionRegister = (o: Obis): boolean => o.c === 0 && o.d === 2 && o.e === 129;

/**
 * A capture-object list as the first element (`{class, OBIS, attribute, data-index}` per value), the values after
 * it: Landis+Gyr E450's Swiss push names its values this way instead of pairing them with OBIS codes. The OBIS code
 * of each position (null where the position holds no attribute-2 value), or null when `head` is not such a list.
 */
function capturedObjects(head: Data, count: number): (Obis | null)[] | null {
  if (head.type !== 'array' || head.items.length !== count) return null;
  const objects: (Obis | null)[] = [null];
  for (let i = 1; i < count; i++) {
    const d = head.items[i];
    if (d?.type !== 'structure' || d.items.length !== 4 || !isObis(d.items[1]) || d.items[2]?.type !== 'integer') return null;
    // attribute 2 is the value; 1 is the object's own name
    objects.push(d.items[2].value === 2 ? Obis.at(d.items[1].value, 0) : null);
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
 * rest (a disconnect control's state, a limiter) is read past. False, having read nothing, when the body is not
 * such a list.
 */
function readAttributeList(r: Reader, registers: ListRegister[]): boolean {
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
    const obis = Obis.at(b, at + 2);
    r.skip(2 + 9);
    const value = r.value(1);
    if (attribute === 2 && VALUE_CLASSES.has(classId)) registers.push({ obis, value });
  }
  return true;
}

/** `09 06` + six bytes at the reader: an OBIS code. */
function atObis(r: Reader): boolean {
  const b = r.buf;
  return b[r.pos] === OCTET_STRING && b[r.pos + 1] === 6 && r.pos + 8 <= b.length;
}

/**
 * Reads a notification body, at `at` in the APDU, in any of the shapes meters use: a flat structure of OBIS/value
 * pairs (Kamstrup; the version string has no OBIS code, so strict alternation cannot be assumed), OBIS/value/
 * {scaler, unit} triples (Sagemcom T210-D), an array or structure of register structures (Aidon, Kaifa AT), a
 * capture-object list with values (Landis+Gyr CH), attribute descriptors with values (Sagemcom XT211) or bare values
 * (Kaifa NO, Iskra). The pairs that make up nearly every frame are read in place: an OBIS code builds no Data. The
 * body must end the APDU. With `valueAt`, where each register's value starts in the APDU (its tag), by the register's
 * index; -1 for a register read from a structure or a capture-object list (a list plan reads only pairs).
 */
export function readPushList(apdu: Uint8Array, at: number, valueAt?: number[]): PushList {
  const r = new Reader(apdu, at);
  const registers: ListRegister[] = [];
  const bare: Data[] = [];
  if (readAttributeList(r, registers)) {
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
    const objects = capturedObjects(head, count);
    if (objects) {
      for (i = 1; i < count; i++) {
        const value = r.data(1);
        const obis = objects[i];
        if (obis) registers.push({ obis, value });
      }
      expectBodyEnd(apdu, r.pos);
      return { version: null, registers, bare, described: true, descriptors: false };
    }
    bare.push(head);
    i = 1;
  }
  for (; i < count; i++) {
    if (i + 1 < count && atObis(r)) {
      const obis = Obis.at(apdu, r.pos + 2);
      r.skip(8);
      valueAt?.push(r.pos);
      const value = r.value(1);
      i++;
      // The first byte tested here: a call per register to find no {scaler, unit} showed under --jitless.
      const su = i + 1 < count && apdu[r.pos] === STRUCTURE ? scalerUnitAt(r) : null;
      if (su) i++;
      registers.push(su ? { obis, value, scaler: su.scaler, unit: su.unit } : { obis, value });
      continue;
    }
    const item = r.data(1);
    const register = registerStructure(item);
    if (register && isVersionRegister(register.obis)) version = textOf(register.value);
    else if (register) {
      valueAt?.push(-1);
      registers.push(register);
    }
    else if (i === 0 && item.type === 'visible-string') version = item.value;
    else bare.push(item);
  }
  expectBodyEnd(apdu, r.pos);
  return { version, registers, bare, described: false, descriptors: false };
}

/** A value as text for a person: numbers as they are, strings in quotes, octet strings in hex, structures in brackets. */
function show(d: Value): string {
  if (typeof d === 'number') return String(d);
  switch (d.type) {
    case 'null':
      return 'null';
    case 'array':
    case 'structure':
      return `[${d.items.map(show).join(', ')}]`;
    case 'boolean':
      return String(d.value);
    case 'bit-string':
      return `bits ${Buffer.from(d.value).toString('hex')}`;
    case 'octet-string':
    case 'date-time':
    case 'date':
    case 'time': {
      const hex = Buffer.from(d.value).toString('hex').toUpperCase();
      const text = Buffer.from(d.value).toString('latin1');
      return /^[\x20-\x7e]+$/.test(text) ? `${hex} ("${text}")` : hex;
    }
    case 'visible-string':
    case 'utf8-string':
      return JSON.stringify(d.value);
    default:
      return String(d.value);
  }
}

/** Every value of a list as it was sent: what `decode --dump` prints of a list no profile knows. */
export function dumpList(list: PushList): DumpedValue[] {
  const out: DumpedValue[] = [];
  for (const r of list.registers) {
    out.push({ obis: r.obis.toString(), type: typeof r.value === 'number' ? 'numeric' : r.value.type, value: show(r.value), ...(r.scaler === undefined ? {} : { scaler: r.scaler }), ...(r.unit === undefined ? {} : { unit: r.unit }) });
  }
  for (const d of list.bare) out.push({ obis: null, type: d.type, value: show(d) });
  return out;
}
