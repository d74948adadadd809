import { uint16 } from '../base/bytes.js';

/**
 * COSEM date-time (Blue Book 4.1.6.1): year(2) month day weekday hour minute second hundredths
 * deviation(2, signed minutes) clock-status. 0xFF / 0xFFFF mean "not specified".
 */
export interface CosemDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Minutes to add to local time to get UTC (the DLMS sign), or null when the meter does not say. */
  readonly deviation: number | null;
  readonly daylightSaving: boolean;
}

const DEVIATION_UNSPECIFIED = -0x8000;

/** Returns null when the bytes do not hold a specified, plausible date and time. */
export function parseDateTime(b: Uint8Array): CosemDateTime | null {
  return b.length === 12 ? dateTimeAt(b, 0) : null;
}

/** The date-time in the 12 bytes at `at`, read in place (the notification header carries one in every frame). */
export function dateTimeAt(b: Uint8Array, at: number): CosemDateTime | null {
  if (at < 0 || at + 12 > b.length) return null;
  const year = uint16(b, at);
  const month = b[at + 2]!;
  const day = b[at + 3]!;
  const hour = b[at + 5]!;
  const minute = b[at + 6]!;
  const second = b[at + 7]!;
  if (year === 0xffff || year < 2000 || year > 2200) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const raw = uint16(b, at + 9);
  const signed = raw >= 0x8000 ? raw - 0x10000 : raw;
  const deviation = signed === DEVIATION_UNSPECIFIED || Math.abs(signed) > 16 * 60 ? null : signed;
  return { year, month, day, hour, minute, second, deviation, daylightSaving: (b[at + 11]! & 0x80) !== 0 };
}

/** "00" to "99": the clock is formatted for every frame, and padStart was most of that cost. */
const twoDigits = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const pad = (n: number, w = 2): string => (w === 2 && n < 100 ? twoDigits[n]! : String(n).padStart(w, '0'));

const digit = (n: number): number => 48 + n;
const tens = (n: number): number => 48 + Math.floor(n / 10);
const units = (n: number): number => 48 + (n % 10);

/**
 * `YYYY-MM-DDTHH:MM:SS`, built as one flat string: a template literal here made a chain of eleven pieces that
 * had to be flattened again for JSON, five times the cost, for every frame.
 */
function localIso(t: CosemDateTime): string {
  const { year: y, month, day, hour, minute, second } = t;
  if (!(y >= 0 && y <= 9999 && Math.min(month, day, hour, minute, second) >= 0 && Math.max(month, day, hour, minute, second) < 100)) {
    return `${pad(y, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
  }
  return String.fromCharCode(
    digit(Math.floor(y / 1000)), digit(Math.floor(y / 100) % 10), digit(Math.floor(y / 10) % 10), digit(y % 10), 45,
    tens(month), units(month), 45, tens(day), units(day), 84,
    tens(hour), units(hour), 58, tens(minute), units(minute), 58, tens(second), units(second),
  );
}

/**
 * ISO 8601. An offset is written only when the meter states one: Kamstrup sends local wall-clock time with
 * the deviation unspecified, and inventing a zone here would be a lie.
 */
export function toIso(t: CosemDateTime): string {
  const local = localIso(t);
  if (t.deviation === null) return local;
  const offset = -t.deviation; // DLMS: UTC = local + deviation, so the ISO offset is its negation
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
