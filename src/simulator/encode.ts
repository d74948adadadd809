import type { Data } from '../dlms/axdr.js';
import { isoWeekday, type WallTime } from '../accounting/time-zone.js';
import { berLength } from '../dlms/cipher.js';
import { crc16x25 } from '../framing/crc16.js';

/**
 * The meter's side of the wire, for the demo's simulated meter and for round-trip tests. Nothing on the
 * decode path uses it.
 */
const numericTags: Record<string, [number, number]> = {
  'double-long': [0x05, 4],
  'double-long-unsigned': [0x06, 4],
  integer: [0x0f, 1],
  long: [0x10, 2],
  unsigned: [0x11, 1],
  'long-unsigned': [0x12, 2],
  long64: [0x14, 8],
  'long64-unsigned': [0x15, 8],
  enum: [0x16, 1],
};

export function encodeData(d: Data): Buffer {
  switch (d.type) {
    case 'null':
      return Buffer.of(0);
    case 'array':
    case 'structure':
      return Buffer.concat([Buffer.of(d.type === 'array' ? 0x01 : 0x02), berLength(d.items.length), ...d.items.map(encodeData)]);
    case 'boolean':
      return Buffer.of(0x03, d.value ? 1 : 0);
    case 'bit-string':
      return Buffer.concat([Buffer.of(0x04), berLength(d.bits), d.value]);
    case 'octet-string':
      return Buffer.concat([Buffer.of(0x09), berLength(d.value.length), d.value]);
    case 'date-time':
    case 'date':
    case 'time':
      return Buffer.concat([Buffer.of({ 'date-time': 0x19, date: 0x1a, time: 0x1b }[d.type]), d.value]);
    case 'visible-string':
    case 'utf8-string': {
      const bytes = Buffer.from(d.value, d.type === 'visible-string' ? 'latin1' : 'utf8');
      return Buffer.concat([Buffer.of(d.type === 'visible-string' ? 0x0a : 0x0c), berLength(bytes.length), bytes]);
    }
    case 'float32':
    case 'float64': {
      const b = Buffer.alloc(d.type === 'float32' ? 5 : 9);
      b[0] = d.type === 'float32' ? 0x17 : 0x18;
      if (d.type === 'float32') b.writeFloatBE(d.value, 1);
      else b.writeDoubleBE(d.value, 1);
      return b;
    }
    case 'bcd':
      return Buffer.of(0x0d, ((Math.floor(d.value / 10) % 10) << 4) | d.value % 10);
    default: {
      const [tag, size] = numericTags[d.type]!;
      const b = Buffer.alloc(1 + size);
      b[0] = tag;
      if (size === 8) b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(d.value)), 1);
      else b.writeUIntBE(size === 4 ? d.value >>> 0 : d.value & (2 ** (size * 8) - 1), 1, size);
      return b;
    }
  }
}

/** COSEM date-time bytes for a wall-clock time; `deviation` null encodes "unspecified" as Kamstrup does. */
export function dateTimeBytes(t: WallTime, deviation: number | null = null, dst = false): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(t.year, 0);
  b[2] = t.month;
  b[3] = t.day;
  b[4] = isoWeekday(t);
  b[5] = t.hour;
  b[6] = t.minute;
  b[7] = t.second;
  b[8] = 0xff;
  b.writeInt16BE(deviation ?? -0x8000, 9);
  b[11] = dst ? 0x80 : 0x00;
  return b;
}

export function dataNotification(body: Data, dateTime: Buffer | null, form: 'tagged' | 'untagged' = 'untagged'): Buffer {
  const header = Buffer.of(0x0f, 0, 0, 0, 0);
  const dt = dateTime === null ? Buffer.of(0) : form === 'tagged' ? Buffer.concat([Buffer.of(0x09, 0x0c), dateTime]) : Buffer.concat([Buffer.of(0x0c), dateTime]);
  return Buffer.concat([header, dt, encodeData(body)]);
}

/** An HDLC type-3 frame with the addresses Kamstrup uses; `segmented` sets the S bit. */
export function hdlcFrame(info: Uint8Array, opts: { llc?: boolean; segmented?: boolean; dest?: number[]; src?: number[] } = {}): Buffer {
  const payload = opts.llc === false ? Buffer.from(info) : Buffer.concat([Buffer.of(0xe6, 0xe7, 0x00), info]);
  const header = Buffer.from([0, 0, ...(opts.dest ?? [0x41]), ...(opts.src ?? [0x03]), 0x13]);
  const length = header.length + 2 + payload.length + 2;
  if (length > 0x7ff) throw new RangeError('HDLC information too long for one frame');
  header[0] = 0xa0 | (opts.segmented ? 0x08 : 0) | (length >> 8);
  header[1] = length & 0xff;
  const hcs = crc16x25(header);
  const body = Buffer.concat([header, Buffer.of(hcs & 0xff, hcs >> 8), payload]);
  const fcs = crc16x25(body);
  return Buffer.concat([Buffer.of(0x7e), body, Buffer.of(fcs & 0xff, fcs >> 8, 0x7e)]);
}

/** Splits an APDU over wired M-Bus long frames of at most `chunk` APDU bytes each. */
export function mbusFrames(apdu: Uint8Array, chunk = 245): Buffer[] {
  const frames: Buffer[] = [];
  const count = Math.ceil(apdu.length / chunk);
  for (let i = 0; i < count; i++) {
    const part = apdu.subarray(i * chunk, (i + 1) * chunk);
    const ci = (i === count - 1 ? 0x10 : 0) | (i & 0x0f);
    const data = Buffer.concat([Buffer.of(0x53, 0xff, ci, 0x01, 0x67), part]);
    let sum = 0;
    for (const b of data) sum += b;
    frames.push(Buffer.concat([Buffer.of(0x68, data.length & 0xff, data.length & 0xff, 0x68), data, Buffer.of(sum & 0xff, 0x16)]));
  }
  return frames;
}
