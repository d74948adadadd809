import { crc16x25 } from './crc16.js';
import { invalid, needMore, type Candidate } from './candidate.js';

/** HDLC frame format type 3 (IEC 62056-46 §8.4): `7E | A0+S+length(11 bits) | DA | SA | CTRL | HCS | info | FCS | 7E`. */
export const HDLC_FLAG = 0x7e;
const FORMAT_TYPE_3 = 0xa0;
const SEGMENTATION_BIT = 0x08;
/** Addresses are 1, 2 or 4 bytes, the last byte marked by its low bit. */
const MAX_ADDRESS_BYTES = 4;
/** format(2) + DA(1) + SA(1) + control(1) + FCS(2). */
const MIN_LENGTH = 7;

/** The largest frame the 11-bit length field allows, flags included. */
export const HDLC_MAX_FRAME = 0x7ff + 2;

function addressEnd(buf: Uint8Array, start: number, end: number): number | 'need-more' | 'invalid' {
  for (let i = start; i < start + MAX_ADDRESS_BYTES; i++) {
    if (i >= end) return 'need-more';
    if (buf[i]! & 1) return i + 1;
  }
  return 'invalid';
}

/**
 * Whether the information field at [start, end) is a general-glo-ciphering APDU whose security control byte says it
 * is encrypted and carries an authentication tag (bits 4 and 5; IEC 62056-5-3 §9.2.7.2.4.1), as Danish and most other
 * keyed meters send: after the LLC header, `DB 08` + system title + BER length + SC.
 */
function tagged(buf: Uint8Array, start: number, end: number): boolean {
  // The LLC header exactly as a push has it (E6 E7 00): the tag does not cover it, and a damaged one is left to the FCS.
  const at = start + 3;
  if (end - at < 14 || buf[start] !== 0xe6 || buf[start + 1] !== 0xe7 || buf[start + 2] !== 0x00 || buf[at] !== 0xdb || buf[at + 1] !== 8) return false;
  const form = buf[at + 10]!;
  const sc = buf[at + 10 + (form === 0x82 ? 3 : form === 0x81 ? 2 : 1)]!;
  return (sc & 0xf0) === 0x30;
}

/** What is said of a frame whose FCS fails. */
export const fcsFailed = (total: number): string => `HDLC frame of ${total} bytes failed its checksum (FCS)`;

/** Whether the FCS sent at `at` (least significant byte first) is the CRC of buf[from, at): at once, or left to check (`tagProves`). */
export function fcsHolds(buf: Uint8Array, from: number, at: number): boolean {
  return crc16x25(buf, from, at) === (buf[at]! | (buf[at + 1]! << 8));
}

/**
 * Looks for an HDLC frame starting at `pos` (which holds a flag). Frames on the length field: DLMS HDLC has
 * no byte stuffing, so 0x7E occurs inside data (a naive split on 0x7E loses frames). The closing flag is
 * left in place, since it may also open the next frame.
 *
 * `tagProves`: the caller checks an APDU's authentication tag, and the FCS of a frame whose APDU has one is left to
 * check after the tag, only when the APDU does not decode or its tag was not checked (`fcs` in the frame): an APDU
 * whose GCM tag holds is proven whole, and the header by its HCS. The FCS over a Danish meter's 489 bytes was 39 µs of
 * a processor gone cold between frames under --jitless, with the tag's own check beside it (issue #30).
 */
export function parseHdlc(buf: Uint8Array, pos: number, end: number, tagProves = false): Candidate {
  if (end - pos < 2) return needMore;
  const f0 = buf[pos + 1]!;
  if ((f0 & 0xf0) !== FORMAT_TYPE_3) return invalid; // also skips a doubled flag
  if (end - pos < 3) return needMore;
  const length = ((f0 & 0x07) << 8) | buf[pos + 2]!;
  if (length < MIN_LENGTH) return invalid;
  const da = addressEnd(buf, pos + 3, end);
  if (typeof da !== 'number') return da === 'invalid' ? invalid : needMore;
  const sa = addressEnd(buf, da, end);
  if (typeof sa !== 'number') return sa === 'invalid' ? invalid : needMore;
  const hcsAt = sa + 1; // after the control byte
  const headerLength = hcsAt - (pos + 1);
  const total = length + 2;
  const fcsAt = pos + total - 2 - 1;
  const hasInfo = length > headerLength + 2;
  if (hasInfo) {
    if (length < headerLength + 4) return invalid;
    if (end < hcsAt + 2) return needMore;
    const hcs = buf[hcsAt]! | (buf[hcsAt + 1]! << 8);
    // A header whose HCS fails is almost always a 0x7E data byte seen mid-stream: not worth an error.
    if (crc16x25(buf, pos + 1, hcsAt) !== hcs) return invalid;
  } else if (length !== headerLength + 2) {
    return invalid;
  }
  if (end - pos < total) return needMore;
  if (buf[pos + total - 1] !== HDLC_FLAG) {
    return { status: 'error', reason: 'closing-flag', message: `HDLC frame of ${total} bytes has no closing flag (truncated or wrong baud rate)`, total };
  }
  const start = hasInfo ? hcsAt + 2 : fcsAt;
  const more = (f0 & SEGMENTATION_BIT) !== 0;
  if (tagProves && !more && tagged(buf, start, fcsAt)) {
    return { status: 'frame', next: pos + total - 1, start, end: fcsAt, more, sequence: 0, total, fcs: { from: pos + 1, at: fcsAt, total } };
  }
  if (!fcsHolds(buf, pos + 1, fcsAt)) return { status: 'error', reason: 'checksum', message: fcsFailed(total), total };
  return { status: 'frame', next: pos + total - 1, start, end: fcsAt, more, sequence: 0, total };
}

/** LLC header of a push (IEC 62056-46 §8.2): destination LSAP E6, source LSAP E7 (response) or E6, quality 00. Its length, or 0. */
export function llcLength(buf: Uint8Array, start: number, end: number): number {
  return end - start >= 3 && buf[start] === 0xe6 && (buf[start + 1] === 0xe7 || buf[start + 1] === 0xe6) && buf[start + 2] === 0x00 ? 3 : 0;
}
