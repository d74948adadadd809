import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, type DecodedFrame, type DecodeResult } from '../src/decode/decoder.js';
import type { Data } from '../src/dlms/axdr.js';
import type { Profile } from '../src/obis/profile.js';
import { dataNotification } from '../src/simulator/encode.js';
import { seed } from './support/random.js';
import { bytesOf, danish, extraVectors, keysOf, vectors } from './support/vectors.js';

/**
 * A stream's list plan (src/decode/list-plan.ts) reads a frame whose list has the shape of the one before without
 * mapping it again: it must never give another result than the whole mapping, whatever the frame holds.
 */

/** What a result says, comparable: the frame as decoded, or the error's kind and message. */
type Said = { readonly frame: DecodedFrame } | { readonly error: string; readonly message: string };
const said = (r: DecodeResult): Said => (r.ok ? { frame: r.frame } : { error: r.error.constructor.name, message: r.error.message });

/** The Danish meter's real data-notification (its published plaintext): 0F, invoke id, date-time, then its list. */
const danishPlain = Buffer.from(danish.expected!.plaintext_hex!, 'hex');
const BODY_AT = 5 + 13; // 0F, invoke id (4), 0C + 12 bytes of date-time

/**
 * Where the Danish list's numbers are, by their tags: the places a plan reads (u32 06, u16 12, i16 10, …), but for the
 * meter number (1-1:0.0.1, a u32 in this list), which names the meter: a frame with another is another meter's.
 */
function numberPlaces(plain: Buffer): { at: number; bytes: number }[] {
  const places: { at: number; bytes: number }[] = [];
  const sizes: Record<number, number> = { 0x06: 4, 0x05: 4, 0x12: 2, 0x10: 2 };
  // Each register is 09 06 + six OBIS bytes, then its value's tag.
  for (let i = BODY_AT; i + 9 < plain.length; i++) {
    const identity = plain[i + 4] === 0 && plain[i + 5] === 0;
    if (plain[i] === 0x09 && plain[i + 1] === 0x06 && !identity && sizes[plain[i + 8]!] !== undefined) places.push({ at: i + 9, bytes: sizes[plain[i + 8]!]! });
  }
  return places;
}

/** Where the value of the register A-*:C.D.E starts (its tag) in the plaintext: the first such register of the list. */
function valueTagAt(plain: Buffer, [a, c, d, e]: [number, number, number, number]): number {
  for (let i = BODY_AT; i + 9 < plain.length; i++) {
    if (plain[i] === 0x09 && plain[i + 1] === 0x06 && plain[i + 2] === a && plain[i + 4] === c && plain[i + 5] === d && plain[i + 6] === e) return i + 8;
  }
  throw new Error(`no register ${a}-*:${c}.${d}.${e} in the list`);
}

describe('list plan', () => {
  it('reads the Danish meter\'s next frames through its plan, with their own numbers and clock', () => {
    const places = numberPlaces(danishPlain);
    expect(places.length).toBeGreaterThanOrEqual(20);
    const decoder = new Decoder();
    const first = decoder.decode(danishPlain);
    expect(first.ok).toBe(true);
    expect(decoder.planned).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.nat(0xffffffff), { minLength: places.length, maxLength: places.length }), fc.integer({ min: 0, max: 59 }), (numbers, second) => {
        const plain = Buffer.from(danishPlain);
        places.forEach((p, i) => plain.writeUIntBE(numbers[i]! % 2 ** (8 * p.bytes), p.at, p.bytes));
        // The list's clock (0-0:1.0.0, an octet string of 12 bytes): its seconds.
        const clock = valueTagAt(plain, [0, 1, 0, 0]) + 2;
        plain[clock + 7] = second; // year (2), month, day, weekday, hour, minute, second
        const before = decoder.planned;
        const planned = decoder.decode(plain);
        const whole = new Decoder().decode(plain);
        expect(said(planned)).toEqual(said(whole));
        expect(decoder.planned).toBe(before + 1);
        expect(planned.ok && planned.frame.meterTime).toMatch(new RegExp(`:${String(second).padStart(2, '0')}$`));
      }),
    );
  });

  it('gives the whole mapping\'s result for any change of any byte (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: BODY_AT, max: danishPlain.length - 1 }), fc.nat(255)), { minLength: 1, maxLength: 4 }), (changes) => {
        const decoder = new Decoder();
        expect(decoder.decode(danishPlain).ok).toBe(true);
        const plain = Buffer.from(danishPlain);
        for (const [at, byte] of changes) plain[at] = byte;
        expect(said(decoder.decode(plain))).toEqual(said(new Decoder().decode(plain)));
      }),
      { numRuns: 2000 },
    );
    expect(seed).toBeTypeOf('number');
  });

  it('reads every real capture twice as the whole mapping reads it once; the Kamstrup and the pairs lists through a plan', () => {
    const planned: string[] = [];
    const captures = [
      ...vectors.map((v) => ({ id: v.id, bytes: bytesOf(v), keys: keysOf(v) })),
      ...extraVectors.map((v) => ({ id: v.id, bytes: Buffer.from(v.hex, 'hex'), keys: { ...(v.keys?.encryption ? { encryption: Buffer.from(v.keys.encryption, 'hex') } : {}), ...(v.keys?.authentication ? { authentication: Buffer.from(v.keys.authentication, 'hex') } : {}) } })),
    ];
    for (const c of captures) {
      const decoder = new Decoder({ keys: c.keys });
      const once = [...decoder.push(c.bytes), ...decoder.end()];
      const twice = [...decoder.push(c.bytes), ...decoder.end()];
      expect(twice.map(said), c.id).toEqual(once.map(said));
      if (decoder.planned > 0) planned.push(c.id);
    }
    // Kamstrup's lists (Denmark, Norway, Sweden, Switzerland) and Kaifa's OBIS pairs at least (a capture added later may
    // be planned too); the lists of register structures, of bare values, capture-object and attribute lists are mapped
    // the whole way.
    expect(planned).toEqual(expect.arrayContaining([
      danish.id,
      'dk-kamstrup-omnipower-gh741-1-unencrypted',
      'dk-kamstrup-omnipower-gh216-1-unencrypted-ct',
      'no-kamstrup-list1-roarfred-20171020',
      'no-kamstrup-list2-hourly-roarfred-20171020',
      'no-kamstrup-list1-untagged-datetime-2018',
      'no-kamstrup-em001-1',
      'se-kamstrup-gh239-1-list',
      'se-kamstrup-gh239-2-hourly-wh',
      'ch-kamstrup-gh196-1',
      'se-kaifa-ma304h4-gh242-1-obis-pairs',
    ]));
    expect(planned).not.toContain('cz-sagemcom-xt211-dlms-parser-raw');
  });

  it('stops planning a stream whose frames never fit the plan before (two meters taking turns)', () => {
    const other = Buffer.from(danishPlain);
    // Another meter's number (1-1:0.0.1, a u32): the same list of another meter, which no plan may take for the first's.
    const id = valueTagAt(other, [1, 0, 0, 1]);
    expect(other[id]).toBe(0x06);
    other[id + 4] = other[id + 4]! ^ 0x01;
    const decoder = new Decoder();
    const ids = new Set<string | null>();
    for (const plain of [danishPlain, other, danishPlain, other, danishPlain, danishPlain, danishPlain]) {
      const r = decoder.decode(plain);
      expect(r.ok).toBe(true);
      if (r.ok) ids.add(r.frame.meterId);
    }
    expect(ids.size).toBe(2);
    // Four frames in a row that did not fit the plan before: the stream is no longer planned, even for a run of one meter.
    expect(decoder.planned).toBe(0);
  });

  it('never cuts out a number that names the meter or that a profile\'s condition reads', () => {
    // A made-up profile that publishes every scaled register (generic), takes its meter number from a scaled register
    // and knows its list by the text of another: each of the two changes what a frame is, not only its readings.
    const profile: Profile = { id: 'made-up', manufacturer: null, match: [{ text: { obis: '1-*:96.7.0', prefix: '1' } }], lists: [{ id: 'one', name: 'one' }], meterId: ['1-*:96.1.0'], energyWhPerUnit: 1, exponents: {}, generic: true };
    const obis = (code: number[]): Data => ({ type: 'octet-string', value: Uint8Array.from(code) });
    const watts: Data = { type: 'structure', items: [{ type: 'integer', value: 0 }, { type: 'enum', value: 27 }] };
    const frame = (id: number, count: number, power: number) =>
      dataNotification(
        { type: 'structure', items: [obis([1, 0, 96, 1, 0, 255]), { type: 'double-long-unsigned', value: id }, watts, obis([1, 0, 96, 7, 0, 255]), { type: 'double-long-unsigned', value: count }, watts, obis([1, 0, 1, 7, 0, 255]), { type: 'double-long-unsigned', value: power }, watts] },
        null,
      );
    const decoder = new Decoder({ profiles: [profile] });
    const frames = [frame(1001, 17, 500), frame(1001, 17, 600), frame(2002, 17, 700), frame(2002, 27, 800)];
    const results = frames.map((f) => said(decoder.decode(f)));
    expect(results).toEqual(frames.map((f) => said(new Decoder({ profiles: [profile] }).decode(f))));
    expect(results.map((r) => ('frame' in r ? r.frame.meterId : r.error))).toEqual(['1001', '1001', '2002', 'UnsupportedListError']);
    // Such a list is not planned at all (its two registers are readings too): mapped the whole way, as before plans.
    expect(decoder.planned).toBe(0);
  });
});
