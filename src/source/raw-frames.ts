import { isHexDigit, nibble } from '../base/hex.js';

/**
 * Raw frames that a bridge publishes on an MQTT topic, as one stream: binary payloads, hex text, or the JSON of the
 * Tasmota serial bridge (`{"SerialReceived":"7EA1…"}`). A bridge publishes whatever its serial buffer held, so a frame
 * often comes in several messages: the format is decided once per stream, from what arrives, never per message — a
 * binary piece that happens to start with a hex digit is still binary. Hex text is read across messages too: a byte
 * split between two messages is joined.
 */
export type RawFormat = 'binary' | 'hex' | 'tasmota';

/** Hex text this long without anything else in it is hex, not a binary piece: (22/256)^16 ≈ 10⁻¹⁷. */
const SURE_HEX_DIGITS = 16;

export interface RawFrameRead {
  /** The bytes the message carries (empty when it carried none). */
  readonly bytes: Buffer;
  /** Said once when the stream's format is first known to differ from what it was: the bridge was changed. */
  readonly changed: { readonly from: RawFormat; readonly to: RawFormat } | null;
}

const EMPTY = Buffer.alloc(0);

export class RawFrameStream {
  private format: RawFormat | null = null;
  /** A hex digit whose partner is in the next message. */
  private pending = -1;
  /** Inside a `#` comment that a message left open. */
  private inComment = false;

  get current(): RawFormat | null {
    return this.format;
  }

  push(payload: Buffer): RawFrameRead {
    if (payload.length === 0) return { bytes: EMPTY, changed: null };
    const seen = classify(payload);
    let changed: RawFrameRead['changed'] = null;
    if (this.format === null) this.format = seen ?? 'binary';
    else if (seen !== null && seen !== this.format && this.contradicts(seen, payload)) {
      changed = { from: this.format, to: seen };
      this.format = seen;
      this.pending = -1;
      this.inComment = false;
    }
    switch (this.format) {
      case 'binary':
        return { bytes: payload, changed };
      case 'hex':
        return { bytes: this.hex(payload.toString('latin1')), changed };
      case 'tasmota': {
        const hex = tasmotaHex(payload);
        return { bytes: hex === null ? EMPTY : this.hex(hex), changed };
      }
    }
  }

  /**
   * Whether a message of another kind proves the stream changed. A binary stream's piece may look like anything short,
   * so only a long run of pure hex text, or Tasmota's JSON, moves it; a text stream moves to binary on any byte that
   * text never holds.
   */
  private contradicts(seen: RawFormat, payload: Buffer): boolean {
    if (this.format !== 'binary') return seen !== 'binary' || surelyBinary(payload); // damaged text stays text
    if (seen === 'tasmota') return true;
    return hexDigits(payload) >= SURE_HEX_DIGITS;
  }

  /** Hex text to bytes, carrying a lone digit and an open comment into the next message. */
  private hex(text: string): Buffer {
    const out = Buffer.allocUnsafe((text.length >> 1) + 1);
    let n = 0;
    let i = 0;
    // A new HDLC frame ("7E") where a digit waits for its partner: the last message was cut short, not split.
    if (this.pending >= 0 && /^\s*7[eE]/.test(text)) this.pending = -1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inComment) {
        if (c === 0x0a) this.inComment = false;
        continue;
      }
      const v = nibble(c);
      if (v >= 0) {
        if (this.pending < 0) this.pending = v;
        else {
          out[n++] = (this.pending << 4) | v;
          this.pending = -1;
        }
      } else if (c === 0x23 /* # */) {
        this.inComment = true;
        this.pending = -1;
      } else if ((c | 0x20) === 0x78 /* x */ && this.pending === 0) {
        this.pending = -1; // "0x" before a byte: the 0 was no digit of it
      } else if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x3a /* : */ || c === 0x2c /* , */ || c === 0x2d /* - */) {
        this.pending = -1; // a lone digit before a separator is no byte
      } else {
        // Not hex: the rest of the message is skipped, and the framer counts the frame it spoils.
        this.pending = -1;
        break;
      }
    }
    return out.subarray(0, n);
  }
}

/**
 * What a message looks like by itself: Tasmota's JSON, hex text (only hex digits, separators, `0x` and comments),
 * binary (a byte that text never holds, or a frame's first byte: 0x7E `~` and 0x68 `h` start no hex text), or
 * nothing sure (null: a short piece could be either).
 */
export function classify(payload: Buffer): RawFormat | null {
  let i = 0;
  while (i < payload.length && isSpace(payload[i]!)) i++;
  if (i === payload.length) return null;
  const first = payload[i]!;
  if (first === 0x7b /* { */ && tasmotaHex(payload) !== null) return 'tasmota';
  if (first === 0x7e || first === 0x68) return 'binary';
  let comment = false;
  for (; i < payload.length; i++) {
    const b = payload[i]!;
    if (b >= 0x80 || (b < 0x20 && !isSpace(b))) return 'binary';
    if (comment) {
      if (b === 0x0a) comment = false;
      continue;
    }
    if (b === 0x23) comment = true;
    else if (!(isHexDigit(b) || isSpace(b) || b === 0x3a || b === 0x2c || b === 0x2d || b === 0x78 || b === 0x58)) return 'binary';
  }
  return 'hex';
}

/** A byte that no text holds, or an HDLC flag first (no hex text starts with `~`). */
function surelyBinary(payload: Buffer): boolean {
  let i = 0;
  while (i < payload.length && isSpace(payload[i]!)) i++;
  if (payload[i] === 0x7e) return true;
  for (const b of payload) if (b >= 0x80 || (b < 0x20 && !isSpace(b))) return true;
  return false;
}

function hexDigits(payload: Buffer): number {
  let n = 0;
  for (const b of payload) if (isHexDigit(b)) n++;
  return n;
}

function tasmotaHex(payload: Buffer): string | null {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null; // not JSON after all
  }
  if (typeof json !== 'object' || json === null || !('SerialReceived' in json)) return null;
  const hex = json.SerialReceived;
  return typeof hex === 'string' ? hex : null;
}

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
