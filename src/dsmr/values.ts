/**
 * The values of P1 objects: decimal numbers with the unit after `*`, and texts sent as hex. Meters spell units
 * differently (`kWh`, `kwh` in the DSMR 5.0 example of athombv/node-dsmr-parser, `kVArh` on a Kamstrup OMNIA): units
 * are read without regard to case.
 */

/** What a unit measures, and the power of ten from the unit as sent to the one Home Assistant is given. */
export type Measure = 'energy' | 'reactive_energy' | 'power' | 'reactive_power' | 'voltage' | 'current' | 'apparent_power' | 'frequency' | 'volume' | 'heat' | 'duration';

export interface Unit {
  readonly measure: Measure;
  readonly exponent: number;
  /** The unit after conversion, spelled as Home Assistant wants it. */
  readonly unit: string;
}

/** Units as the specifications spell them; found in either that spelling or lower case. */
const unitTable: readonly [string, Unit][] = [
  ['kWh', { measure: 'energy', exponent: 0, unit: 'kWh' }],
  ['Wh', { measure: 'energy', exponent: -3, unit: 'kWh' }],
  ['kvarh', { measure: 'reactive_energy', exponent: 0, unit: 'kvarh' }],
  ['varh', { measure: 'reactive_energy', exponent: -3, unit: 'kvarh' }],
  ['kW', { measure: 'power', exponent: 3, unit: 'W' }],
  ['W', { measure: 'power', exponent: 0, unit: 'W' }],
  ['kvar', { measure: 'reactive_power', exponent: 3, unit: 'var' }],
  ['var', { measure: 'reactive_power', exponent: 0, unit: 'var' }],
  ['kVA', { measure: 'apparent_power', exponent: 3, unit: 'VA' }],
  ['VA', { measure: 'apparent_power', exponent: 0, unit: 'VA' }],
  ['V', { measure: 'voltage', exponent: 0, unit: 'V' }],
  ['A', { measure: 'current', exponent: 0, unit: 'A' }],
  ['Hz', { measure: 'frequency', exponent: 0, unit: 'Hz' }],
  ['m3', { measure: 'volume', exponent: 0, unit: 'm³' }],
  ['GJ', { measure: 'heat', exponent: 0, unit: 'GJ' }],
  ['s', { measure: 'duration', exponent: 0, unit: 's' }],
];
const units = new Map<string, Unit>();
for (const [spelling, unit] of unitTable) {
  units.set(spelling, unit);
  units.set(spelling.toLowerCase(), unit);
}

/** The unit a value is sent in, or null when it has none; undefined when PowerMeter does not know it. */
export function unitOf(text: string | null): Unit | null | undefined {
  if (text === null) return null;
  return units.get(text) ?? units.get(text.toLowerCase());
}

/** A value group split at its `*`: the number as sent, and the unit (null when there is none). */
export function splitUnit(group: string): { number: string; unit: string | null } {
  const star = group.indexOf('*');
  return star < 0 ? { number: group, unit: null } : { number: group.slice(0, star), unit: group.slice(star + 1) };
}

/** Beyond 15 digits a double no longer holds every integer exactly. */
const MAX_DIGITS = 15;

/**
 * A decimal as sent (`000004.426`, `-063`) times 10^exponent, or NaN when it is no decimal. The digits are read as one
 * integer and scaled once, dividing for negative powers: 4426 / 1000 is the double nearest 4.426, which a product with
 * 0.001 is not always.
 */
export function decimal(text: string, exponent = 0): number {
  const negative = text.charCodeAt(0) === 0x2d;
  let mantissa = 0;
  let significant = 0;
  let decimals = -1;
  let digits = 0;
  for (let i = negative ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (decimals >= 0) return NaN;
      decimals = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return NaN;
    digits++;
    mantissa = mantissa * 10 + (c - 0x30);
    if (mantissa > 0 && ++significant > MAX_DIGITS) return NaN;
    if (decimals >= 0) decimals++;
  }
  if (digits === 0) return NaN;
  const e = exponent - Math.max(decimals, 0);
  const value = e >= 0 ? mantissa * 10 ** e : mantissa / 10 ** -e;
  return negative ? -value : value;
}

/** A whole number as sent (`00015`), or NaN. */
export function integer(text: string): number {
  if (text.length === 0 || text.length > MAX_DIGITS) return NaN;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

const hexDigit = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x61 + 10 : -1);

/**
 * A text the meter sends as hex (DSMR: equipment ids, the text message; `4B384547303034303436333935353037` is
 * "K8EG004046395507"), decoded when it is hex of printable text; else the text as sent (`09610`, a text message sent
 * in clear as `test-/-test`, an id whose hex holds control bytes).
 */
export function hexText(text: string): string {
  if (text.length === 0 || text.length % 2 !== 0) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 2) {
    const hi = hexDigit(text.charCodeAt(i));
    const lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return text;
    const b = (hi << 4) | lo;
    if (b < 0x20 || b > 0x7e) return text;
    out += String.fromCharCode(b);
  }
  return out;
}
