import { ApduError } from '../base/errors.js';
import { readBerLength } from '../base/ber.js';
import { latin1 } from '../base/bytes.js';

/** A-XDR Data (IEC 62056-6-2 / Green Book "Data" CHOICE), as pushed by meters. */
export type Data =
  | { readonly type: 'null' }
  | { readonly type: 'array' | 'structure'; readonly items: readonly Data[] }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'bit-string'; readonly bits: number; readonly value: Uint8Array }
  | { readonly type: 'octet-string' | 'date-time' | 'date' | 'time'; readonly value: Uint8Array }
  | { readonly type: 'visible-string' | 'utf8-string'; readonly value: string }
  | { readonly type: NumericType; readonly value: number };

export type NumericType =
  | 'double-long'
  | 'double-long-unsigned'
  | 'bcd'
  | 'integer'
  | 'long'
  | 'unsigned'
  | 'long-unsigned'
  | 'long64'
  | 'long64-unsigned'
  | 'enum'
  | 'float32'
  | 'float64';

/** Deep enough for any push list (Aidon nests 3 levels); shallow enough that hostile input cannot blow the stack. */
const MAX_DEPTH = 16;

export interface Parsed<T> {
  readonly value: T;
  readonly next: number;
}

function fail(message: string, pos: number): never {
  throw new ApduError(`${message} at byte ${pos} of the APDU`);
}

export const ARRAY = 0x01;
export const STRUCTURE = 0x02;
export const OCTET_STRING = 0x09;
export const INTEGER = 0x0f;
export const ENUM = 0x16;

/**
 * A cursor over an APDU. Values are read straight from the bytes (no DataView, no wrapper object per
 * value): this parser runs for every one of the ~65 values of every frame. Callers that know a list's shape
 * (the OBIS/value pairs of a push list) peek at the bytes and skip what they recognise, so that the common
 * case builds no Data object and no view for an OBIS code.
 */
export class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {}

  /** The byte `offset` bytes ahead, or -1 past the end. */
  peek(offset = 0): number {
    const at = this.pos + offset;
    return at < this.buf.length ? this.buf[at]! : -1;
  }

  skip(n: number): void {
    if (this.pos + n > this.buf.length) fail(`value of ${n} bytes runs past the end`, this.pos);
    this.pos += n;
  }

  length(): number {
    const first = this.buf[this.pos];
    if (first !== undefined && first < 0x80) {
      this.pos++;
      return first;
    }
    const l = readBerLength(this.buf, this.pos);
    if (!l) fail('bad or truncated length', this.pos);
    this.pos = l.next;
    return l.length;
  }

  /** The element count of an array or structure whose tag has just been read. */
  count(): number {
    const at = this.pos - 1;
    const count = this.length();
    // Each element takes at least one byte: a count beyond the remaining bytes is corrupt, not a reason to allocate.
    if (count > this.buf.length - this.pos) fail(`element count ${count} exceeds the remaining bytes`, at);
    return count;
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) fail(`value of ${n} bytes runs past the end`, this.pos);
    // A plain Uint8Array even when reading a Buffer: Buffer#subarray builds a Buffer, several times slower.
    const bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return bytes;
  }

  /** An unsigned big-endian integer of 1, 2 or 4 bytes. */
  uint(n: 1 | 2 | 4): number {
    const at = this.pos;
    const b = this.buf;
    if (at + n > b.length) fail(`value of ${n} bytes runs past the end`, at);
    this.pos = at + n;
    // Written out rather than calling bytes.ts: two calls per register showed under --jitless.
    if (n === 1) return b[at]!;
    if (n === 2) return (b[at]! << 8) | b[at + 1]!;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  big(n: 8, signed: boolean): number {
    const at = this.pos;
    const bytes = this.take(n);
    const view = new DataView(bytes.buffer, bytes.byteOffset, n);
    const v = signed ? view.getBigInt64(0) : view.getBigUint64(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail('64-bit value beyond exact range', at);
    return Number(v);
  }

  float(n: 4 | 8): number {
    const bytes = this.take(n);
    const view = new DataView(bytes.buffer, bytes.byteOffset, n);
    return n === 4 ? view.getFloat32(0) : view.getFloat64(0);
  }

  /**
   * One Data value. The registers of a push list (unsigned and signed integers, octet-strings) are read
   * here; every other type in `rarer`, which keeps this method small enough for the JIT to inline.
   */
  data(depth: number): Data {
    const b = this.buf;
    const at = this.pos;
    if (at >= b.length) fail('data expected but the APDU ended', at);
    const tag = b[at]!;
    this.pos = at + 1;
    if (tag === 0x06) return { type: 'double-long-unsigned', value: this.uint(4) };
    if (tag === 0x12) return { type: 'long-unsigned', value: this.uint(2) };
    if (tag === OCTET_STRING) return { type: 'octet-string', value: this.take(this.length()) };
    if (tag === 0x05) return { type: 'double-long', value: this.uint(4) | 0 };
    if (tag === 0x10) return { type: 'long', value: (this.uint(2) << 16) >> 16 };
    return this.rarer(tag, at, depth);
  }

  /**
   * Like `data`, but a number of any numeric type comes back as a plain number: a caller that needs only the
   * value (the registers of a push list) is spared an object per value, which is most of a frame's garbage.
   */
  value(depth: number): number | Data {
    const tag = this.buf[this.pos];
    if (tag === 0x06 || tag === 0x12) {
      this.pos++;
      return this.uint(tag === 0x06 ? 4 : 2);
    }
    const d = this.data(depth);
    return isNumeric(d) ? d.value : d;
  }

  private rarer(tag: number, at: number, depth: number): Data {
    switch (tag) {
      case 0x00:
        return { type: 'null' };
      case ARRAY:
      case STRUCTURE: {
        const count = this.count();
        if (count > 0 && depth + 1 > MAX_DEPTH) fail('data nested too deeply', this.pos);
        const items: Data[] = new Array<Data>(count);
        for (let i = 0; i < count; i++) items[i] = this.data(depth + 1);
        return { type: tag === ARRAY ? 'array' : 'structure', items };
      }
      case 0x03:
        return { type: 'boolean', value: this.uint(1) !== 0 };
      case 0x04: {
        const bits = this.length();
        return { type: 'bit-string', bits, value: this.take(Math.ceil(bits / 8)) };
      }
      case 0x0a:
        return { type: 'visible-string', value: this.latin1(this.length()) };
      case 0x0c: {
        const bytes = this.take(this.length());
        return { type: 'utf8-string', value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') };
      }
      case 0x0d: {
        const b = this.uint(1);
        return { type: 'bcd', value: (b >> 4) * 10 + (b & 0x0f) };
      }
      case INTEGER:
        return { type: 'integer', value: (this.uint(1) << 24) >> 24 };
      case 0x11:
        return { type: 'unsigned', value: this.uint(1) };
      case 0x14:
        return { type: 'long64', value: this.big(8, true) };
      case 0x15:
        return { type: 'long64-unsigned', value: this.big(8, false) };
      case ENUM:
        return { type: 'enum', value: this.uint(1) };
      case 0x17:
        return { type: 'float32', value: this.float(4) };
      case 0x18:
        return { type: 'float64', value: this.float(8) };
      case 0x19:
        return { type: 'date-time', value: this.take(12) };
      case 0x1a:
        return { type: 'date', value: this.take(5) };
      case 0x1b:
        return { type: 'time', value: this.take(4) };
      default:
        return fail(`unknown A-XDR type tag 0x${tag.toString(16).padStart(2, '0')}`, at);
    }
  }

  /** A visible-string: one byte per character. */
  private latin1(n: number): string {
    return latin1(this.take(n));
  }
}

/** Parses one A-XDR Data value at `pos`. Throws ApduError on anything malformed; never reads past `buf`. */
export function parseData(buf: Uint8Array, pos: number): Parsed<Data> {
  const reader = new Reader(buf, pos);
  const value = reader.data(0);
  return { value, next: reader.pos };
}

export function isNumeric(d: Data): d is { readonly type: NumericType; readonly value: number } {
  return typeof (d as { value?: unknown }).value === 'number';
}
