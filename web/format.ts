// Numbers, durations and times as the page shows them: in the page's locale, with a fixed number of decimals per
// unit (so that a column of kWh lines up), durations in days, hours and minutes, instants in the locale's own form.
import { fill, locale, t } from './i18n.js';

/** Decimals per unit: the resolution the meters send (10 Wh registers, 0.1 V, 0.01 A), the same in every row. */
const decimals: Readonly<Record<string, number>> = {
  W: 0,
  kW: 3,
  MW: 3,
  Wh: 0,
  kWh: 2,
  MWh: 3,
  var: 0,
  kvar: 3,
  varh: 0,
  kvarh: 2,
  VA: 0,
  kVA: 3,
  V: 1,
  A: 2,
  Hz: 2,
  'm³': 3,
  GJ: 3,
  '%': 0,
  '°C': 1,
  DKK: 2,
};

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(digits: number | null, grouping = true): Intl.NumberFormat {
  const key = `${digits}/${grouping}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, digits === null ? { maximumFractionDigits: 3, useGrouping: grouping } : { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: grouping });
    numberFormats.set(key, f);
  }
  return f;
}

/** A value with its unit, at the unit's fixed decimals; a dash when there is none. */
export function quantity(value: number | null | undefined, unit: string | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = numberFormat(unit === null ? null : (decimals[unit] ?? null)).format(value);
  return unit ? `${text} ${unit}` : text;
}

/** A count (frames, errors): an integer as the locale writes it. */
export const count = (value: number): string => numberFormat(0).format(value);

const unitFormats = new Map<string, Intl.NumberFormat>();
function unitPart(value: number, unit: 'day' | 'hour' | 'minute' | 'second'): string {
  let f = unitFormats.get(unit);
  if (!f) unitFormats.set(unit, (f = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' })));
  return f.format(value);
}

/** A duration in seconds as its two largest units: "3 days 4 hr", "12 min 5 sec", "40 sec". */
export function duration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const parts: [number, 'day' | 'hour' | 'minute' | 'second'][] = [
    [Math.floor(s / 86_400), 'day'],
    [Math.floor(s / 3600) % 24, 'hour'],
    [Math.floor(s / 60) % 60, 'minute'],
    [s % 60, 'second'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return unitPart(0, 'second');
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => unitPart(n, unit))
    .join(' ');
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dateTimes.get(name);
  if (!f) dateTimes.set(name, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** A time of day, to the second. */
export const time = (ms: number): string => dateTimeFormat('time', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
/** A time of day, to the minute. */
export const minute = (ms: number): string => dateTimeFormat('minute', { hour: '2-digit', minute: '2-digit' }).format(ms);
/** A date and time, to the second. */
export const dateTime = (ms: number): string => dateTimeFormat('dateTime', { dateStyle: 'medium', timeStyle: 'medium' }).format(ms);
/** A day's date, short: "4 Dec". */
export const day = (ms: number): string => dateTimeFormat('day', { day: 'numeric', month: 'short' }).format(ms);
/** An hour with its day: "4 Dec, 14:00". */
export const hour = (ms: number): string => dateTimeFormat('hour', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(ms);

/** A reading as the page shows it, by what it is: the meter's clock as a date, the frame counter without grouping. */
export function reading(key: string, value: number | string | null | undefined, unit: string | null): string {
  if ((key === 'meter_time' || key === 'captured_at') && typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isFinite(at) ? dateTime(at) : value;
  }
  if (key === 'clock_drift' && typeof value === 'number') return drift(value);
  if (key === 'frame_counter' && typeof value === 'number') return numberFormat(0, false).format(value);
  if (unit === 's' && typeof value === 'number') return duration(value);
  if (typeof value === 'string') return value;
  return quantity(value, unit);
}

/** How far the meter's clock is from the host's (s, positive: ahead), in words. */
export function drift(seconds: number): string {
  if (Math.abs(seconds) < 1) return t.diagnostics.onTime;
  return fill(seconds > 0 ? t.diagnostics.ahead : t.diagnostics.behind, { duration: duration(seconds) });
}
