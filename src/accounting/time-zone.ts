/**
 * Wall-clock arithmetic in a time zone: meters send local time without a zone, and energy periods start at
 * local midnights that move with daylight saving. The service works in the zone of its own process (the
 * Supervisor gives add-ons Home Assistant's zone in TZ), read through Date's local-time methods; other named
 * zones (tests, tools) go through Intl, whose locale data costs the process about 8 MB of memory once used.
 */
export const LOCAL_TIME_ZONE = 'local';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTime(instant: number, timeZone: string): WallTime {
  if (timeZone === LOCAL_TIME_ZONE) {
    const d = new Date(instant);
    return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The day of the week of a date, 1 Monday … 7 Sunday (ISO 8601; COSEM's date-time counts the same way). */
export function isoWeekday(d: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  return ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
}

/** Minutes the zone is ahead of UTC at `instant`. */
export function offsetMinutes(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time names in the zone. Where the clock is turned back it names two instants: the earlier
 * one; where it is turned forward, none: the time as if the clock had not jumped yet, that is, the later instant
 * (ECMA-262's "compatible" disambiguation, which Date's own local time follows).
 */
export function instantOf(w: WallTime, timeZone: string): number {
  if (timeZone === LOCAL_TIME_ZONE) return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second).getTime();
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // The zone's offset a day before and after: the instant is asUtc less one of the two (offsets change at most once a day).
  const before = asUtc - offsetMinutes(asUtc - 86_400_000, timeZone) * 60_000;
  const after = asUtc - offsetMinutes(asUtc + 86_400_000, timeZone) * 60_000;
  const names = (t: number) => {
    const x = wallTime(t, timeZone);
    return x.year === w.year && x.month === w.month && x.day === w.day && x.hour === w.hour && x.minute === w.minute && x.second === w.second;
  };
  const valid = [before, after].filter(names);
  if (valid.length > 0) return Math.min(...valid);
  return Math.max(before, after); // in the gap: the later reading
}

/** A zone's name for people: the process's own zone is named by TZ when it is set. */
export function zoneName(timeZone: string): string {
  return timeZone === LOCAL_TIME_ZONE ? process.env.TZ || 'the system time zone' : timeZone;
}

/** The zone this process runs in. */
export function hostTimeZone(): string {
  return LOCAL_TIME_ZONE;
}

/**
 * The first full hour of the zone after `instant`. Every zone's offset is a multiple of 15 minutes, so it is
 * one of the next four quarter hours (in India or Nepal a full hour is not a full UTC hour).
 */
export function nextFullHour(instant: number, timeZone: string): number {
  const quarter = 15 * 60_000;
  let t = Math.floor(instant / quarter) * quarter;
  do t += quarter;
  while (wallTime(t, timeZone).minute !== 0);
  return t;
}

/** Reads a meter clock (`2026-11-23T21:05:10`, with an offset only if the meter gave one) as an instant. */
export function meterInstant(iso: string, timeZone: string): number | null {
  // Read by character codes, not a regular expression: once a frame, after the idle seconds between frames, V8's
  // regexp engine cost 13 µs of a cold processor under --jitless (issue #30).
  const year = digits(iso, 0, 4);
  const month = digits(iso, 5, 2);
  const day = digits(iso, 8, 2);
  const hour = digits(iso, 11, 2);
  const minute = digits(iso, 14, 2);
  const second = digits(iso, 17, 2);
  if (iso.length !== 19 || iso[4] !== '-' || iso[7] !== '-' || iso[10] !== 'T' || iso[13] !== ':' || iso[16] !== ':' || year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : t;
  }
  return instantOf({ year, month, day, hour, minute, second }, timeZone);
}

/** The decimal number of `count` ASCII digits at `at`, or -1 when one of them is not a digit (or is past the end). */
export function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The TZ of the process when the system does not know it (then every local time is UTC: ICU falls back to a zone
 * it calls "GMT+00:00"), or null when TZ is unset or known. Checked without Intl, whose locale data alone costs the
 * process about 8 MB: a date's own zone name is enough.
 */
export function unknownTimeZone(tz: string | undefined = process.env.TZ): string | null {
  if (!tz) return null;
  const winter = new Date(2026, 0, 1);
  const summer = new Date(2026, 6, 1);
  if (winter.getTimezoneOffset() !== 0 || summer.getTimezoneOffset() !== 0) return null;
  return /\(GMT\+00:00\)$/.test(winter.toString()) ? tz : null;
}
