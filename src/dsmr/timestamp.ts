import { digits, instantOf, offsetMinutes, type WallTime } from '../accounting/time-zone.js';

/**
 * P1 time stamps, `YYMMDDhhmmssX` (DSMR 4.0 §6.4 "TST"): the meter's local wall time and X, `S` while summer time is
 * in force and `W` otherwise; DSMR 2.2 sends the twelve digits alone. The wall time is read in a time zone given by
 * the caller (the add-on's, which the Supervisor sets to Home Assistant's), not a fixed one as dsmr_parser's
 * Europe/Amsterdam: Belgian, Luxembourgish, Swedish, Austrian and Hungarian meters send the same format. The flag
 * tells the two instants of the hour the clock is turned back apart.
 *
 * Meters send time stamps that name no time: `632525252525W` (Fluvius, in 0-0:98.1.0, dsmr_parser
 * TELEGRAM_FLUVIUS_V171_ALT), `700101010000W` (an empty M-Bus channel, TELEGRAM_V5_TWO_MBUS), `250000000000W`
 * (athombv/node-dsmr-parser tests/telegrams/dsmr/kamstrup-OMNIA-e-meter-three-phase.txt). They read as null.
 */

/** The instant written in ISO 8601 with the zone's offset at it: `2016-11-13T20:57:57+01:00`. */
function iso(instant: number, timeZone: string): string {
  const offset = offsetMinutes(instant, timeZone);
  const local = new Date(instant + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

const twoDigits = (text: string, at: number): number => digits(text, at, 2);

/** The wall time `YYMMDDhhmmss` names, or null when it names none (a month 25, a year before smart meters). */
export function wallTimeOf(text: string): WallTime | null {
  const yy = twoDigits(text, 0);
  const month = twoDigits(text, 2);
  const day = twoDigits(text, 4);
  const hour = twoDigits(text, 6);
  const minute = twoDigits(text, 8);
  const second = twoDigits(text, 10);
  // Years 70 to 99 would be 1970 to 1999, before any smart meter: 700101010000 is the "no time" of an empty channel.
  if (yy < 0 || yy >= 70 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const year = 2000 + yy;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { year, month, day, hour, minute, second };
}

const same = (a: WallTime, b: WallTime): boolean => a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;

/**
 * The instant a P1 time stamp names in `timeZone`, or null. In the hour the clock is turned back, `W` names the later
 * of the two instants and `S` the earlier; elsewhere the flag adds nothing (a zone without summer time ignores it).
 */
export function instantOfTimestamp(text: string, timeZone: string): number | null {
  if (text.length !== 12 && text.length !== 13) return null;
  const flag = text.length === 13 ? text.charCodeAt(12) | 0x20 : 0;
  if (flag !== 0 && flag !== 0x73 /* s */ && flag !== 0x77 /* w */) return null;
  const wall = wallTimeOf(text);
  if (wall === null) return null;
  const earlier = instantOf(wall, timeZone);
  if (flag !== 0x77) return earlier;
  // Winter time: where the same wall time comes twice, the second one (the zone's offset is smaller then).
  const offset = offsetMinutes(earlier, timeZone);
  const after = offsetMinutes(earlier + 3 * 3_600_000, timeZone);
  if (after >= offset) return earlier;
  const later = earlier + (offset - after) * 60_000;
  const shifted = new Date(later + after * 60_000);
  const back: WallTime = { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), second: shifted.getUTCSeconds() };
  return same(back, wall) ? later : earlier;
}

/** A P1 time stamp as ISO 8601 with the offset of `timeZone` at that instant, or null when it names no time. */
export function readTimestamp(text: string, timeZone: string): string | null {
  const instant = instantOfTimestamp(text, timeZone);
  return instant === null ? null : iso(instant, timeZone);
}
