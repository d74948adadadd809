import { isNumeric, type Data } from '../dlms/axdr.js';
import { Obis } from './obis.js';

/** One value of a push list, with its OBIS code when the list carries one. */
export interface Entry {
  readonly obis: Obis;
  readonly value: Data;
  /** Decimal exponent and DLMS unit enum, when the list sends a `{scaler, unit}` structure (Aidon, Kaifa AT, Sagemcom). */
  readonly scaler?: number;
  readonly unit?: number;
}

export interface ListContent {
  /** A list-version string ("Kamstrup_V0001", Aidon's "AIDON_V0001"). */
  readonly version: string | null;
  readonly entries: ReadonlyMap<number, Entry>;
  /** Elements that belong to no OBIS code, in order (value-only lists such as Kaifa NO, Landis+Gyr AT). */
  readonly bare: readonly Data[];
  /** The list named its values with a capture-object list (Landis+Gyr's Swiss push). */
  readonly described: boolean;
}

function isObis(d: Data | undefined): d is { type: 'octet-string'; value: Uint8Array } {
  return d !== undefined && d.type === 'octet-string' && d.value.length === 6;
}

export function textOf(d: Data | undefined): string | null {
  if (!d) return null;
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
function registerStructure(d: Data): Entry | null {
  if (d.type !== 'structure' || d.items.length < 2 || d.items.length > 3 || !isObis(d.items[0])) return null;
  const entry: Entry = { obis: Obis.fromBytes(d.items[0].value), value: d.items[1]! };
  const su = scalerUnit(d.items[2]);
  return su ? { ...entry, ...su } : entry;
}

/**
 * A capture-object list as the first element (`{class, OBIS, attribute, data-index}` per value), the values
 * after it: Landis+Gyr E450's Swiss push names its values this way instead of pairing them with OBIS codes.
 */
function describedList(items: readonly Data[]): Map<number, Entry> | null {
  const head = items[0];
  if (head?.type !== 'array' || head.items.length !== items.length) return null;
  const entries = new Map<number, Entry>();
  for (let i = 1; i < items.length; i++) {
    const d = head.items[i];
    if (d?.type !== 'structure' || d.items.length !== 4 || !isObis(d.items[1]) || d.items[2]?.type !== 'integer') return null;
    if (d.items[2].value !== 2) continue; // attribute 2 is the value; 1 is the object's own name
    const obis = Obis.fromBytes(d.items[1].value);
    entries.set(obis.matchKey, { obis, value: items[i]! });
  }
  return entries;
}

/** Aidon's list version sits in a register of its own, 1-1:0.2.129.255. */
const VERSION_REGISTER = { c: 0, d: 2, e: 129 };

/**
 * Reads a notification body in any of the shapes meters use: a flat structure of OBIS/value pairs
 * (Kamstrup; the version string has no OBIS, so strict alternation cannot be assumed), OBIS/value/scaler
 * triples (Sagemcom), an array or structure of register structures (Aidon, Kaifa AT), a capture-object list
 * with values (Landis+Gyr CH), or bare values (Kaifa NO).
 */
export function readList(body: Data): ListContent {
  const items = body.type === 'structure' || body.type === 'array' ? body.items : [body];
  const described = describedList(items);
  if (described) return { version: null, entries: described, bare: [], described: true };
  const entries = new Map<number, Entry>();
  const bare: Data[] = [];
  let version: string | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const register = registerStructure(item);
    if (register) {
      const { c, d, e } = register.obis;
      if (c === VERSION_REGISTER.c && d === VERSION_REGISTER.d && e === VERSION_REGISTER.e) version = textOf(register.value);
      else entries.set(register.obis.matchKey, register);
    } else if (isObis(item) && i + 1 < items.length) {
      const obis = Obis.fromBytes(item.value);
      const su = scalerUnit(items[i + 2]);
      entries.set(obis.matchKey, { obis, value: items[i + 1]!, ...(su ?? {}) });
      i += su ? 2 : 1;
    } else if (i === 0 && item.type === 'visible-string') {
      version = item.value;
    } else {
      bare.push(item);
    }
  }
  return { version, entries, bare, described: false };
}
