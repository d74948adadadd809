import { invalid, needMore, type Candidate } from './candidate.js';
import { HDLC_FLAG, parseHdlc } from './hdlc.js';
import { MBUS_START, MBUS_STOP, parseMbus } from './mbus.js';

/**
 * A general-glo-ciphering APDU sent bare on the wire, without HDLC or M-Bus around it: how the Luxembourg Smarty and
 * the Austrian Sagemcom T210-D-R send their P1 telegrams (Smarty P1 specification v1.1.3 §3.2.5, as
 * esphome-libs/dsmr_parser src/dsmr_parser/dlms_packet_decryptor.h reads it; dsmr_parser
 * test/test_parse_sagemcom_t210_d_r.py builds one):
 *
 *     DB | 08 | system title (8) | 82 | length (2) | SC | frame counter (4) | ciphertext | tag (12)
 *
 * No checksum guards it: the length frames it, and the GCM tag (checked when it is decrypted) proves it. What it
 * holds is decided after decryption, so a bare ciphered DLMS APDU is framed the same way.
 */
export const GLO_CIPHERING = 0xdb;
const SYSTEM_TITLE = 8;
/** SC and the frame counter, before the ciphertext. */
const SECURITY_HEADER = 5;
/** The largest bare APDU read: a P1 telegram and its security header and tag, with room to spare. */
export const CIPHERED_MAX = 8 * 1024 + 64;

/** Security control bits that PowerMeter's decipher refuses (broadcast key, compression) or that no meter sets. */
const SC_UNSUPPORTED = 0xc0;
const SC_PROTECTED = 0x30;

export function parseBareCiphered(buf: Uint8Array, pos: number, end: number): Candidate {
  if (end - pos < 2) return needMore;
  if (buf[pos + 1] !== SYSTEM_TITLE) return invalid;
  const lengthAt = pos + 2 + SYSTEM_TITLE;
  if (end - lengthAt < 3) return needMore;
  const form = buf[lengthAt]!;
  let length: number;
  let at: number;
  if (form === 0x82) {
    length = (buf[lengthAt + 1]! << 8) | buf[lengthAt + 2]!;
    at = lengthAt + 3;
  } else if (form === 0x81) {
    length = buf[lengthAt + 1]!;
    at = lengthAt + 2;
    if (length < 0x80) return invalid; // the long form is only used for lengths the short one cannot hold
  } else {
    return invalid; // a P1 telegram is longer than 127 bytes: never the short form
  }
  if (length <= SECURITY_HEADER || at - pos + length > CIPHERED_MAX) return invalid;
  if (end <= at) return needMore;
  const sc = buf[at]!;
  if ((sc & SC_UNSUPPORTED) !== 0 || (sc & SC_PROTECTED) === 0 || (sc & 0x0f) > 1) return invalid;
  const total = at - pos + length;
  if (end - pos < total) return needMore;
  return { status: 'frame', next: pos + total, start: pos, end: pos + total, more: false, sequence: 0, total };
}

/**
 * A bare ciphered APDU has no checksum, and the payload of an HDLC or M-Bus frame whose header was damaged looks
 * like one: it is not read when an LLC header (`E6 E7 00`, IEC 62056-46 §8.2) comes before it (`before(n)`: the byte n
 * places before `pos`, also one the framer already dropped), or an HDLC FCS and flag or an M-Bus checksum and stop
 * byte after it, as far as those bytes have come. One that would swallow the start of a checked HDLC or M-Bus frame is
 * the payload of a frame whose own start was cut off (a stream joined in the middle of a segmented message); where
 * such a frame may start but has not fully come, wait for it (unless the input has ended: `final`).
 */
export function credibleBareCiphered(buf: Uint8Array, pos: number, len: number, final: boolean, before: (back: number) => number): Candidate {
  if (before(3) === 0xe6 && (before(2) & 0xfe) === 0xe6 && before(1) === 0x00) return invalid;
  const c = parseBareCiphered(buf, pos, len);
  if (c.status === 'invalid') return c;
  const whole = c.status === 'frame';
  if (whole) {
    const n = c.next;
    // FCS, then the closing flag (or, that flag damaged, the next frame's opening one); checksum, then the stop byte.
    if ((n + 2 < len && buf[n + 2] === HDLC_FLAG) || (n + 3 < len && buf[n + 3] === HDLC_FLAG) || (n + 1 < len && buf[n + 1] === MBUS_STOP)) return invalid;
  }
  // A checked frame inside its length (as far as its bytes have come): no APDU, but a damaged frame's payload read as
  // one. Still waiting for its own bytes would hold that frame back or, at the input's end, lose it.
  for (let i = pos + 1; i < (whole ? c.next : len); i++) {
    const b = buf[i];
    if (b !== HDLC_FLAG && b !== MBUS_START) continue;
    const inner = b === HDLC_FLAG ? parseHdlc(buf, i, len) : parseMbus(buf, i, len);
    if (inner.status === 'frame') return invalid;
    // Sixteen bytes hold any HDLC header with its HCS and an M-Bus start: a frame that needs more beyond them is credible.
    if (whole && inner.status === 'need-more' && len - i >= 16 && !final) return inner;
  }
  return c;
}
