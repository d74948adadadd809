import { crcArcTable } from './crc16-arc.js';
import { invalid, needMore, type Candidate } from './candidate.js';

/**
 * DSMR P1 text telegrams (DSMR 4.0 §6, e-MUCS, Luxembourg Smarty, and the DSMR 2.2/3.0 that came before):
 *
 *     /XXX5Ident CR LF  CR LF  data lines …  ! CRC CR LF
 *
 * `/` and three letters name the maker; the CRC is CRC-16/ARC over `/` to `!` inclusive, four hex digits, which some
 * meters write in lower case or without the leading zero (ndokter/dsmr_parser test/example_telegrams.py
 * TELEGRAM_UNPADDED_CRC `!B9F`); DSMR 2.2 and 3.0 send `!` alone. A telegram is found by its content, as HDLC and
 * M-Bus are: the header, then text only.
 *
 * A meter that sends 9600 7E1 (DSMR 2.2/3.0) read at 8N1 delivers each character with its parity bit in bit 7: the
 * stop bit of 8N1 falls where 7E1 has its own. Such a telegram starts with 0xAF, not 0x2F; it is read by masking bit 7,
 * and every byte must then carry even parity there, which tells a real telegram from noise at once. Only text
 * telegrams are masked: binary frames never are.
 */
export const P1_START = 0x2f;
/**
 * The longest telegram read: ESPHome's `max_telegram_length` defaults to 1500, real telegrams with a 13-month peak
 * history (0-0:98.1.0) and four M-Bus channels stay under 3 KiB. Longer is noise or two streams on one line: refused,
 * so that memory stays bounded.
 */
export const P1_MAX_TELEGRAM = 8 * 1024;
/** The identification line of IEC 62056-21 is short ("/ISk5\2MT382-1000"); a long one is no header. */
const MAX_HEADER = 128;

const CR = 0x0d;
const LF = 0x0a;
const BANG = 0x21;

/** Bit 7 of a 7E1 character read as 8N1: the even parity of its seven data bits. */
const parityBit = new Uint8Array(128);
for (let n = 0; n < 128; n++) {
  let p = 0;
  for (let x = n; x !== 0; x >>= 1) p ^= x & 1;
  parityBit[n] = p << 7;
}

/** Whether a byte can start a text telegram: `/`, with or without a parity bit. */
export const isTextStart = (b: number): boolean => b === P1_START || b === (P1_START | parityBit[P1_START]!);

/** The characters of a telegram read at 8N1 from a 7E1 line, without their parity bits (in place). */
export function maskParity(buf: Uint8Array, start: number, end: number): void {
  for (let i = start; i < end; i++) buf[i] = buf[i]! & 0x7f;
}

const isLetter = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/**
 * Finds text telegrams in the framer's buffer. A telegram arrives over many serial reads (a kilobyte at 115200 baud
 * comes in dozens of chunks): the scanner keeps how far it has checked the telegram that waits for its end, so that
 * each byte is read once, not once per chunk.
 */
export class TextTelegramScanner {
  /** Where the telegram being scanned starts in the buffer; -1 when none is. */
  private start = -1;
  /** Bytes of it checked so far. */
  private checked = 0;
  private crc = 0;
  private parity = false;
  private inHeader = true;
  /** Where the current line starts, from the telegram's start. */
  private lineAt = 0;
  /** Seen the header and a first line as a telegram has them. */
  private credible = false;
  /** Where the `!` is, from the telegram's start; -1 before it came. */
  private bang = -1;
  private digits = 0;
  private sent = 0;

  /** Forgets the telegram it was scanning (the framer dropped its buffer). */
  reset(): void {
    this.start = -1;
  }

  /** The framer moved its buffer's content `by` bytes to the front. */
  shift(by: number): void {
    if (this.start >= 0) this.start -= by;
  }

  /**
   * What the bytes at `pos` (a `/`) are. `final`: no more bytes will come, so a trailer the input ends in is complete
   * (a DSMR 2.2 `!` as the capture's last byte).
   */
  at(buf: Uint8Array, pos: number, end: number, final: boolean): Candidate {
    if (pos !== this.start) this.begin(pos, buf[pos]!);
    const c = this.scan(buf, pos, end, final);
    if (c.status !== 'need-more') this.start = -1;
    return c;
  }

  private begin(pos: number, first: number): void {
    this.start = pos;
    this.checked = 0;
    this.crc = 0;
    this.parity = (first & 0x80) !== 0;
    this.inHeader = true;
    this.lineAt = 0;
    this.credible = false;
    this.bang = -1;
    this.digits = 0;
    this.sent = 0;
  }

  private scan(buf: Uint8Array, pos: number, end: number, final: boolean): Candidate {
    const t = crcArcTable;
    const parity = this.parity;
    let crc = this.crc;
    let i = pos + this.checked;
    for (; i < end && this.bang < 0; i++) {
      const off = i - pos;
      if (off >= P1_MAX_TELEGRAM) {
        return { status: 'error', reason: 'too-long', message: `P1 telegram longer than ${P1_MAX_TELEGRAM} bytes without its end ("!"): not a telegram, or two streams on one line; skipped`, total: off, next: i };
      }
      const b = buf[i]!;
      const c = b & 0x7f;
      // A 7E1 stream carries even parity in bit 7; an 8N1 one has bit 7 clear.
      if (parity ? (b & 0x80) !== parityBit[c] : b > 0x7f) return this.bad(b, off, i);
      crc = (crc >>> 8) ^ t[(crc ^ c) & 0xff]!;
      if (this.inHeader) {
        if (off >= 1 && off <= 3) {
          if (!isLetter(c)) return invalid; // "/" and three letters of a maker
        } else if (c === LF) {
          this.inHeader = false;
          this.lineAt = off + 1;
        } else if (off > MAX_HEADER) {
          return invalid;
        }
        continue;
      }
      if (c === LF) {
        if (!this.credible) {
          // The line after the header is empty (DSMR), or a data line where a copy lost the empty one.
          const first = buf[pos + this.lineAt]! & 0x7f;
          if (!(first === CR || first === LF || isDigit(first))) return invalid;
          this.credible = true;
        }
        this.lineAt = off + 1;
      } else if (c === BANG && off === this.lineAt) {
        this.bang = off; // at a line start: a "!" inside a text sent in clear is text
      } else if (c === P1_START && off === this.lineAt) {
        if (!this.credible) return invalid;
        return { status: 'error', reason: 'closing-flag', message: `P1 telegram of ${off} bytes has no end ("!"): the next telegram began before it ended (a byte lost on the line)`, total: off, next: i };
      } else if ((c < 0x20 && c !== CR) || c === 0x7f) {
        return this.bad(b, off, i);
      }
    }
    this.crc = crc;
    if (this.bang < 0) {
      this.checked = i - pos;
      return needMore;
    }
    return this.trailer(buf, pos, end, final, crc);
  }

  /** After the `!`: up to four hex digits of CRC, then the line end. */
  private trailer(buf: Uint8Array, pos: number, end: number, final: boolean, crc: number): Candidate {
    const digitsAt = pos + this.bang + 1;
    let done = false;
    while (this.digits < 4) {
      const i = digitsAt + this.digits;
      if (i >= end) break;
      const b = buf[i]!;
      const v = hexValue(b & 0x7f);
      if (v < 0 || (this.parity ? (b & 0x80) !== parityBit[b & 0x7f] : b > 0x7f)) {
        done = true;
        break;
      }
      this.sent = (this.sent << 4) | v;
      this.digits++;
    }
    if (this.digits === 4) done = true;
    if (!done && !final) {
      this.checked = digitsAt + this.digits - pos;
      return needMore;
    }
    const trailerEnd = digitsAt + this.digits;
    let next = trailerEnd;
    if (next < end && (buf[next]! & 0x7f) === CR) next++;
    if (next < end && (buf[next]! & 0x7f) === LF) next++;
    const total = next - pos;
    if (this.digits > 0 && this.sent !== crc) {
      return { status: 'error', reason: 'checksum', message: `P1 telegram of ${total} bytes failed its checksum (CRC ${hex4(this.sent)} sent, ${hex4(crc)} computed)`, total, next };
    }
    return { status: 'frame', next, start: pos, end: trailerEnd, more: false, sequence: 0, total };
  }

  /** A byte that is no text: noise in a telegram, or no telegram at all when its start was not yet credible. */
  private bad(b: number, off: number, at: number): Candidate {
    if (!this.credible) return invalid;
    const why = this.parity ? 'whose parity bit is wrong or that is no text' : 'that is no text';
    return { status: 'error', reason: 'checksum', message: `P1 telegram damaged: byte 0x${b.toString(16).padStart(2, '0')} after ${off} bytes is one ${why} (noise on the line, or the wrong baud rate or parity)`, total: off + 1, next: at + 1 };
  }
}
