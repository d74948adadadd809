import { invalid, needMore, type Candidate } from './candidate.js';

/**
 * Wired M-Bus long frame (EN 13757-2): `68 L L 68 | C A CI STSAP DTSAP | APDU part | CS 16`. Austrian and
 * Polish meters split one DLMS APDU over several telegrams; CI's low nibble numbers them and bit 0x10 marks
 * the last one.
 */
export const MBUS_START = 0x68;
export const MBUS_STOP = 0x16;
/** C, A, CI, STSAP, DTSAP before the APDU part. */
const DLMS_HEADER = 5;
const LAST_SEGMENT = 0x10;

export const MBUS_MAX_FRAME = 4 + 0x1ff + 2;

export function parseMbus(buf: Uint8Array, pos: number, end: number): Candidate {
  if (end - pos < 4) return needMore;
  const l = buf[pos + 1]!;
  if (buf[pos + 3] !== MBUS_START || buf[pos + 2] !== l) return invalid;
  // Some Sagemcom T210-D send a 257-byte first segment with L = 0x01: the length wrapped (AMS reader
  // sagemcom gh155). A real L below the DLMS header size is impossible, so read it as L + 256.
  const length = l < DLMS_HEADER ? l + 256 : l;
  const total = 4 + length + 2;
  if (end - pos < total) return needMore;
  const data = pos + 4;
  if (buf[data + length + 1] !== MBUS_STOP) {
    return { status: 'error', reason: 'closing-flag', message: `M-Bus frame of ${total} bytes has no stop byte (truncated or wrong baud rate)`, total };
  }
  let sum = 0;
  for (let i = data; i < data + length; i++) sum += buf[i]!;
  if ((sum & 0xff) !== buf[data + length]) {
    return { status: 'error', reason: 'checksum', message: `M-Bus frame of ${total} bytes failed its checksum`, total };
  }
  const ci = buf[data + 2]!;
  return {
    status: 'frame',
    next: pos + total,
    start: data + DLMS_HEADER,
    end: data + length,
    more: (ci & LAST_SEGMENT) === 0,
    sequence: ci & 0x0f,
    total,
  };
}
