import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseData, type Data } from '../src/dlms/axdr.js';
import { parseDataNotification } from '../src/dlms/apdu.js';
import { parseDateTime, toIso } from '../src/dlms/datetime.js';
import { ApduError } from '../src/base/errors.js';
import { latin1 } from '../src/base/bytes.js';
import { Obis } from '../src/dlms/obis.js';
import { dataNotification, encodeData } from '../src/simulator/encode.js';

describe('latin1: bytes as text, one character a byte', () => {
  it('reads every byte as Buffer does, short (char codes) and long (Buffer) alike, at any offset of a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(8), (bytes, skip) => {
        const inside = new Uint8Array(bytes.length + skip + 3);
        inside.set(bytes, skip);
        expect(latin1(inside.subarray(skip, skip + bytes.length))).toBe(Buffer.from(bytes).toString('latin1'));
      }),
    );
  });
});

describe('A-XDR', () => {
  const every: Data[] = [
    { type: 'null' },
    { type: 'boolean', value: true },
    { type: 'bit-string', bits: 12, value: Uint8Array.of(0xab, 0xc0) },
    { type: 'double-long', value: -123456789 },
    { type: 'double-long-unsigned', value: 4_000_000_000 },
    { type: 'octet-string', value: Uint8Array.of(1, 2, 3) },
    { type: 'visible-string', value: 'Kamstrup_V0001' },
    { type: 'utf8-string', value: 'Målerstand' },
    { type: 'bcd', value: 42 },
    { type: 'integer', value: -3 },
    { type: 'long', value: -12345 },
    { type: 'unsigned', value: 200 },
    { type: 'long-unsigned', value: 65000 },
    { type: 'long64', value: -9_007_199_254_740_991 },
    { type: 'long64-unsigned', value: 9_007_199_254_740_991 },
    { type: 'enum', value: 27 },
    { type: 'float32', value: 1.5 },
    { type: 'float64', value: 229.875 },
    { type: 'date-time', value: Uint8Array.from(Buffer.from('07e40107020e2f14ff800000', 'hex')) },
    { type: 'date', value: Uint8Array.of(0x07, 0xe4, 1, 7, 2) },
    { type: 'time', value: Uint8Array.of(14, 47, 20, 0xff) },
    { type: 'array', items: [{ type: 'unsigned', value: 1 }] },
  ];

  it('reads every type of the Data CHOICE a push uses, inside a structure with a BER long-form count', () => {
    const padded = [...every, ...Array.from({ length: 130 }, (): Data => ({ type: 'null' }))];
    const bytes = encodeData({ type: 'structure', items: padded });
    expect(bytes.subarray(0, 3)).toEqual(Buffer.of(0x02, 0x81, padded.length));
    const parsed = parseData(bytes, 0);
    expect(parsed.next).toBe(bytes.length);
    expect(JSON.parse(JSON.stringify(parsed.value))).toEqual(JSON.parse(JSON.stringify({ type: 'structure', items: padded })));
  });

  it('rejects unknown tags, truncation and absurd counts with an ApduError, never reading past the end', () => {
    expect(() => parseData(Uint8Array.of(0x07), 0)).toThrow(ApduError); // tag 7 is not a Data type
    expect(() => parseData(Uint8Array.of(0x06, 0, 0), 0)).toThrow(/runs past the end/);
    expect(() => parseData(Uint8Array.of(0x01, 0x84, 0x7f, 0xff, 0xff, 0xff, 0), 0)).toThrow(/exceeds the remaining bytes/);
    const deep = Buffer.alloc(40, 0x01);
    for (let i = 1; i < 40; i += 2) deep[i] = 1;
    expect(() => parseData(deep, 0)).toThrow(ApduError);
  });

  it('data-notification: tagged, untagged and absent date-time', () => {
    const body: Data = { type: 'structure', items: [{ type: 'unsigned', value: 1 }] };
    const dt = Buffer.from('07e40107020e2f14ff800000', 'hex');
    for (const form of ['tagged', 'untagged'] as const) expect(toIso(parseDataNotification(dataNotification(body, dt, form)).dateTime!)).toBe('2020-01-07T14:47:20');
    expect(parseDataNotification(dataNotification(body, null)).dateTime).toBeNull();
  });

  it('date-time: an offset only when the meter states one; unspecified fields give no time', () => {
    expect(toIso(parseDateTime(Buffer.from('07e5091b0114380000ff8880', 'hex'))!)).toBe('2021-09-27T20:56:00+02:00');
    expect(parseDateTime(Buffer.from('ffffffffffffffffff800000', 'hex'))).toBeNull();
  });

  it('OBIS codes read in place are always the bytes given', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
        const o = Obis.at(Uint8Array.of(0xff, ...bytes), 1);
        expect([o.a, o.b, o.c, o.d, o.e, o.f]).toEqual([...bytes]);
      }),
    );
  });

  it('OBIS codes print as A-B:C.D.E.F; written codes and patterns parse to the same match key', () => {
    const o = Obis.at(Uint8Array.of(1, 1, 1, 8, 0, 255), 0);
    expect(o.toString()).toBe('1-1:1.8.0.255');
    expect(Obis.parse('1-0:1.8.0.255').matchKey).toBe(o.matchKey); // B is not part of the match
    expect(Obis.parse('1-*:1.8.0').matchKey).toBe(o.matchKey); // nor is F
    expect(Obis.parse('1-*:1.8.1').matchKey).not.toBe(o.matchKey);
    expect(() => Obis.parse('1.8.0')).toThrow(/not an OBIS code: 1\.8\.0/);
  });
});
