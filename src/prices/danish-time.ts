/**
 * Danish wall-clock time without Intl: the price data is Danish by nature (a price day is a Danish local day,
 * `PriceN` is a Danish local hour, `ValidFrom` is Danish local time), whatever zone the add-on's process runs in,
 * and Intl's locale data would cost the process about 8 MB (src/accounting/time-zone.ts). Denmark keeps CET (UTC+1)
 * with the EU's summer time (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October (Directive 2000/84/EC, art. 2 and 3): two fixed rules, computed here.
 */

/** A Danish calendar day, `YYYY-MM-DD`. */
export type DanishDate = string;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 01:00 UTC on the last Sunday of a month (0-based month). */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Minutes Danish time is ahead of UTC at an instant: 120 in summer time, else 60. */
export function danishOffsetMinutes(instant: number): number {
  const year = new Date(instant).getUTCFullYear();
  return instant >= lastSundayAt1Utc(year, 2) && instant < lastSundayAt1Utc(year, 9) ? 120 : 60;
}

export interface DanishWallTime {
  readonly date: DanishDate;
  readonly hour: number;
  readonly minute: number;
  /** `YYYY-MM-DDTHH:MM:SS`, the form Energi Data Service writes Danish local times in (`TimeDK`, `ValidFrom`). */
  readonly text: string;
}

export function danishWallTime(instant: number): DanishWallTime {
  const shifted = new Date(instant + danishOffsetMinutes(instant) * MINUTE);
  const text = shifted.toISOString().slice(0, 19);
  return { date: text.slice(0, 10), hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), text };
}

export const danishDate = (instant: number): DanishDate => danishWallTime(instant).date;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcMidnightOf(date: DanishDate): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** The day `days` after `date` (negative: before). */
export function addDays(date: DanishDate, days: number): DanishDate {
  return new Date(utcMidnightOf(date) + days * DAY).toISOString().slice(0, 10);
}

/**
 * The instant a Danish wall-clock time (`YYYY-MM-DDTHH:MM[:SS]`) names. Where the clock is turned back (the second
 * 02:00–03:00 of the last Sunday of October) it names two instants: the earlier; where it is turned forward (02:00–03:00
 * of the last Sunday of March) none: the later reading, as Date's own local time does. Null for text of another form.
 */
export function danishInstant(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(asUtc)) return null;
  for (const offset of [120, 60]) {
    const t = asUtc - offset * MINUTE;
    if (danishOffsetMinutes(t) === offset) return t;
  }
  return asUtc - 60 * MINUTE; // in the spring gap: read with winter time, which lands after the jump
}

/** Danish midnight starting `date`: never in a gap, transitions happen at 02:00/03:00 local time. */
export function danishMidnight(date: DanishDate): number {
  const t = danishInstant(`${date}T00:00:00`);
  if (t === null) throw new RangeError(`not a date: ${date}`);
  return t;
}

export const QUARTER_MS = 15 * MINUTE;

/** The starts of the quarter hours of a Danish day: 96, 92 on the spring DST day, 100 on the autumn one. */
export function quarterStarts(date: DanishDate): number[] {
  const out: number[] = [];
  const end = danishMidnight(addDays(date, 1));
  for (let t = danishMidnight(date); t < end; t += QUARTER_MS) out.push(t);
  return out;
}

/** An instant as Danish local time with its offset, `2026-01-15T00:00:00+01:00` (what Home Assistant shows as is). */
export function danishIso(instant: number): string {
  const offset = danishOffsetMinutes(instant);
  return `${danishWallTime(instant).text}+0${offset / 60}:00`;
}
