import { decipher, encipher, parseCiphered } from '../dlms/cipher.js';
import { GENERAL_GLO_CIPHERING } from '../dlms/apdu.js';
import { hostTimeZone, wallTime, type WallTime } from '../accounting/time-zone.js';
import { crc16x25 } from '../framing/crc16.js';
import { llcLength, parseHdlc } from '../framing/hdlc.js';
import { dateTimeBytes } from './encode.js';
import { p1Timestamp, telegramCrc } from './p1.js';

/**
 * The demo's recordings with their clocks set to now. A recorded frame carries the time it was recorded (2020, 2017):
 * replayed as it is, the service rightly says the meter's clock is years off and leaves its totals unjudged, and the
 * page shows "2,523 days behind". The demo shows a meter as it runs; so its recordings keep every value but the
 * clock, which is set to the moment they are replayed. Nothing on the decode path uses this.
 */

/** COSEM date-time (Blue Book §4.1.6.1): year(2) month day weekday hour minute second hundredths deviation(2) status. */
const DATE_TIME_LENGTH = 12;

function plausibleDateTime(b: Uint8Array, at: number): boolean {
  const year = (b[at]! << 8) | b[at + 1]!;
  const month = b[at + 2]!;
  const day = b[at + 3]!;
  return year >= 2000 && year < 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Writes `clock` over the date and time of the date-time at `at`; its hundredths, deviation and status stay. */
function writeClock(b: Buffer, at: number, clock: WallTime): void {
  const unspecifiedWeekday = b[at + 4] === 0xff;
  dateTimeBytes(clock).copy(b, at, 0, 8); // year, month, day, weekday, hour, minute, second
  if (unspecifiedWeekday) b[at + 4] = 0xff; // a list that leaves the weekday unspecified keeps it so
}

/**
 * A plaintext data-notification with every date-time set to `clock`: the notification's own (`0C` and 12 bytes after the
 * invoke id, Green Book §9.3.6) and each 12-byte octet string in the body that reads as a date (`09 0C`, how Kamstrup
 * and most lists send the meter's clock).
 */
export function restampNotification(plain: Uint8Array, clock: WallTime): Buffer {
  const b = Buffer.from(plain);
  let from = 5;
  if (b[0] === 0x0f && b[5] === 0x0c && plausibleDateTime(b, 6)) {
    writeClock(b, 6, clock);
    from = 6 + DATE_TIME_LENGTH;
  }
  for (let at = from; at + 2 + DATE_TIME_LENGTH <= b.length; at++) {
    if (b[at] === 0x09 && b[at + 1] === DATE_TIME_LENGTH && plausibleDateTime(b, at + 2)) {
      writeClock(b, at + 2, clock);
      at += 1 + DATE_TIME_LENGTH;
    }
  }
  return b;
}

/**
 * A recorded HDLC frame (one, unsegmented) with its clock set to `at` in `timeZone` (the host's, as the demo's simulated meters). An enciphered frame is deciphered
 * with `keys` and enciphered again under the same system title, frame counter and security control, so it
 * authenticates with the same keys; the frame keeps its addresses and length, and gets its new check sum.
 */
export function restampHdlcFrame(frame: Uint8Array, at: Date, keys?: { encryption: Uint8Array; authentication: Uint8Array }, timeZone = hostTimeZone()): Buffer {
  const c = parseHdlc(frame, 0, frame.length);
  if (c.status !== 'frame' || c.more) throw new Error('restampHdlcFrame takes one whole, unsegmented HDLC frame');
  const start = c.start + llcLength(frame, c.start, c.end);
  const info = frame.subarray(start, c.end);
  const clock = wallTime(at.getTime(), timeZone);
  let restamped: Uint8Array;
  if (info[0] === GENERAL_GLO_CIPHERING) {
    if (!keys) throw new Error('an enciphered frame needs its keys to be restamped');
    const ciphered = parseCiphered(info);
    const plain = decipher(ciphered, keys, () => true);
    restamped = encipher(restampNotification(plain, clock), { systemTitle: ciphered.systemTitle, frameCounter: ciphered.frameCounter, securityControl: ciphered.securityControl, keys });
  } else {
    restamped = restampNotification(info, clock);
  }
  const out = Buffer.from(frame);
  out.set(restamped, start);
  const fcs = crc16x25(out, 1, c.end);
  out[c.end] = fcs & 0xff;
  out[c.end + 1] = fcs >> 8;
  return out;
}

/** A recorded P1 telegram with every time stamp (`YYMMDDhhmmssS` or `W`) set to `at` in `timeZone`, and its CRC again. */
export function restampP1Telegram(text: string, at: Date, timeZone = hostTimeZone()): string {
  const stamp = p1Timestamp(at.getTime(), timeZone);
  const end = text.indexOf('!');
  if (end < 0) throw new Error('a P1 telegram ends with "!"');
  const body = text.slice(0, end + 1).replace(/\(\d{12}[SW]\)/g, `(${stamp})`);
  const rest = text.slice(end + 1);
  // DSMR 2.2 and 3 send no CRC after the "!"; DSMR 4 and 5 send four hex digits (DSMR 5.0.2 §6.2, CRC16/ARC).
  if (!/^[0-9A-Fa-f]{4}/.test(rest)) return body + rest;
  return `${body}${telegramCrc(body)}${rest.slice(4)}`;
}
