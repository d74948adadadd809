import { isNumeric, type Data } from '../dlms/axdr.js';
import { Obis } from './obis.js';


/** One value of a push list, with its OBIS code when the list carries one. */
export interface Entry {
  readonly obis: Obis;
  readonly value: Data;
  /** Decimal exponent and DLMS unit enum, when the list sends a `{scaler, unit}` structure (Aidon, Kaifa AT). */
  readonly scaler?: number;
  readonly unit?: number;
}

export interface ListContent {
  /** A list-version string carried without an OBIS code (Kamstrup's first element, "Kamstrup_V0001"). */
  readonly version: string | null;
  readonly entries: ReadonlyMap<number, Entry>;
  /** Elements that belong to no OBIS code, in order (value-only lists such as Kaifa NO). */
  readonly bare: readonly Data[];
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

/** `{09 06 OBIS, value}` or `{09 06 OBIS, value, {scaler, unit}}` as Aidon and Kaifa AT send each register. */
function registerStructure(d: Data): Entry | null {
  if (d.type !== 'structure' || d.items.length < 2 || !isObis(d.items[0])) return null;
  const su = d.items[2];
  const entry: Entry = { obis: Obis.fromBytes(d.items[0].value), value: d.items[1]! };
  if (su?.type === 'structure' && su.items.length === 2 && isNumeric(su.items[0]!) && isNumeric(su.items[1]!)) {
    return { ...entry, scaler: su.items[0].value, unit: su.items[1].value };
  }
  return entry;
}

/**
 * Reads a notification body in any of the shapes meters use: a flat structure of OBIS/value pairs
 * (Kamstrup; the version string has no OBIS, so strict alternation cannot be assumed), an array or
 * structure of register structures (Aidon, Kaifa AT), or bare values (Kaifa NO).
 */
export function readList(body: Data): ListContent {
  const entries = new Map<number, Entry>();
  const bare: Data[] = [];
  let version: string | null = null;
  const items = body.type === 'structure' || body.type === 'array' ? body.items : [body];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const register = registerStructure(item);
    if (register) {
      entries.set(register.obis.matchKey, register);
    } else if (isObis(item) && i + 1 < items.length) {
      const obis = Obis.fromBytes(item.value);
      entries.set(obis.matchKey, { obis, value: items[i + 1]! });
      i++;
    } else if (i === 0 && item.type === 'visible-string') {
      version = item.value;
    } else {
      bare.push(item);
    }
  }
  return { version, entries, bare };
}
