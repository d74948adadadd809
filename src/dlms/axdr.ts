import { ApduError } from '../errors.js';
import { readBerLength } from './ber.js';

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

/**
 * A cursor over the APDU. Values are read straight from the bytes (no DataView, no wrapper object per
 * value): this parser runs for every one of the ~65 values of every frame.
 */
class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {}

  length(): number {
    const l = readBerLength(this.buf, this.pos);
    if (!l) fail('bad or truncated length', this.pos);
    this.pos = l.next;
    return l.length;
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) fail(`value of ${n} bytes runs past the end`, this.pos);
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return bytes;
  }

  uint(n: number): number {
    if (this.pos + n > this.buf.length) fail(`value of ${n} bytes runs past the end`, this.pos);
    const b = this.buf;
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[this.pos + i]!;
    this.pos += n;
    return v;
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

  data(depth: number): Data {
    if (depth > MAX_DEPTH) fail('data nested too deeply', this.pos);
    if (this.pos >= this.buf.length) fail('data expected but the APDU ended', this.pos);
    const at = this.pos;
    const tag = this.buf[this.pos++]!;
    switch (tag) {
      case 0x00:
        return { type: 'null' };
      case 0x01:
      case 0x02: {
        const count = this.length();
        // Each element takes at least one byte: a count beyond the remaining bytes is corrupt, not a reason to allocate.
        if (count > this.buf.length - this.pos) fail(`element count ${count} exceeds the remaining bytes`, at);
        const items: Data[] = new Array<Data>(count);
        for (let i = 0; i < count; i++) items[i] = this.data(depth + 1);
        return { type: tag === 0x01 ? 'array' : 'structure', items };
      }
      case 0x03:
        return { type: 'boolean', value: this.uint(1) !== 0 };
      case 0x04: {
        const bits = this.length();
        return { type: 'bit-string', bits, value: this.take(Math.ceil(bits / 8)) };
      }
      case 0x05:
        return { type: 'double-long', value: this.uint(4) | 0 };
      case 0x06:
        return { type: 'double-long-unsigned', value: this.uint(4) };
      case 0x09:
        return { type: 'octet-string', value: this.take(this.length()) };
      case 0x0a:
      case 0x0c: {
        const bytes = this.take(this.length());
        const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(tag === 0x0a ? 'latin1' : 'utf8');
        return { type: tag === 0x0a ? 'visible-string' : 'utf8-string', value };
      }
      case 0x0d: {
        const b = this.uint(1);
        return { type: 'bcd', value: (b >> 4) * 10 + (b & 0x0f) };
      }
      case 0x0f:
        return { type: 'integer', value: (this.uint(1) << 24) >> 24 };
      case 0x10:
        return { type: 'long', value: (this.uint(2) << 16) >> 16 };
      case 0x11:
        return { type: 'unsigned', value: this.uint(1) };
      case 0x12:
        return { type: 'long-unsigned', value: this.uint(2) };
      case 0x14:
        return { type: 'long64', value: this.big(8, true) };
      case 0x15:
        return { type: 'long64-unsigned', value: this.big(8, false) };
      case 0x16:
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
}

/** Parses one A-XDR Data value at `pos`. Throws ApduError on anything malformed; never reads past `buf`. */
export function parseData(buf: Uint8Array, pos: number): Parsed<Data> {
  // A plain Uint8Array view: Buffer#subarray builds a Buffer per octet-string, several times slower.
  const reader = new Reader(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), pos);
  const value = reader.data(0);
  return { value, next: reader.pos };
}

export function isNumeric(d: Data): d is { readonly type: NumericType; readonly value: number } {
  return typeof (d as { value?: unknown }).value === 'number';
}
