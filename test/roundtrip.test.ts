import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCapture, Decoder } from '../src/decode/decoder.js';
import type { Data } from '../src/dlms/axdr.js';
import { encipher } from '../src/dlms/cipher.js';
import { CIPHERED_MAX } from '../src/framing/ciphered.js';
import { P1_MAX_TELEGRAM } from '../src/framing/p1.js';
import { dataNotification, hdlcFrame, mbusFrames } from '../src/simulator/encode.js';
import { hanNveBody, push1Body, type MeterValues } from '../src/simulator/kamstrup.js';
import { randomBytes } from './support/random.js';
import { bytesOf, danish, danishKeys } from './support/vectors.js';

const clock = { year: 2026, month: 11, day: 23, hour: 21, minute: 5, second: 10 };

/** Values as a meter would report them: integral in its raw units, so a round trip must be exact. */
const meterValues = fc.record({
  active_energy_import: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
  active_energy_export: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
  reactive_energy_import: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
  reactive_energy_export: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
  active_power_import: fc.integer({ min: 0, max: 4_000_000_000 }),
  active_power_export: fc.integer({ min: 0, max: 100_000 }),
  reactive_power_import: fc.integer({ min: 0, max: 100_000 }),
  reactive_power_export: fc.integer({ min: 0, max: 100_000 }),
  voltage_l1: fc.integer({ min: 0, max: 65_535 }),
  voltage_l2: fc.integer({ min: 0, max: 65_535 }),
  voltage_l3: fc.integer({ min: 0, max: 65_535 }),
  current_l1: fc.integer({ min: 0, max: 10_000_000 }).map((r) => r / 100),
  current_l2: fc.integer({ min: 0, max: 10_000_000 }).map((r) => r / 100),
  current_l3: fc.integer({ min: 0, max: 10_000_000 }).map((r) => r / 100),
  power_factor: fc.integer({ min: 0, max: 100 }).map((r) => r / 100),
  power_factor_l1: fc.integer({ min: 0, max: 100 }).map((r) => r / 100),
  active_power_import_l1: fc.integer({ min: 0, max: 50_000 }),
  active_power_export_l3: fc.integer({ min: 0, max: 50_000 }),
  active_energy_import_l2: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
  active_energy_export_l1: fc.integer({ min: 0, max: 4_000_000_000 }).map((r) => (r * 10) / 1000),
});

function encrypted(plain: Buffer, keys: { encryption: Buffer; authentication: Buffer }, frameCounter = 1): Buffer {
  const systemTitle = Buffer.from('4B414D4501A4DC52', 'hex');
  return hdlcFrame(encipher(plain, { systemTitle, frameCounter, securityControl: 0x30, keys }));
}

describe('test-side encoder', () => {
  it('re-encrypts the Danish plaintext into the exact bytes the meter sent', () => {
    const plain = Buffer.from(danish.expected!.plaintext_hex!, 'hex');
    expect(encrypted(plain, danishKeys, 0x000788e1).toString('hex')).toBe(bytesOf(danish).toString('hex'));
  });
});

describe('round trip with random keys and values', () => {
  it('push 1, authenticated and encrypted: every value comes back exactly', () => {
    fc.assert(
      fc.property(meterValues, fc.integer({ min: 1, max: 0xffffffff }), (values: MeterValues, meterNumber) => {
        const keys = { encryption: randomBytes(16), authentication: randomBytes(16) };
        const frame = encrypted(dataNotification(push1Body(meterNumber, clock, values), dateTimeOf()), keys);
        const [r] = decodeCapture(frame, { keys });
        expect(r?.ok).toBe(true);
        if (!r?.ok) return;
        expect(r.frame.meterId).toBe(String(meterNumber));
        expect(r.frame.meterTime).toBe('2026-11-23T21:05:10');
        expect(Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value]))).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it('HAN-NVE list 1 and 2 in clear, HDLC and M-Bus, tagged and untagged date-time', () => {
    fc.assert(
      fc.property(meterValues, fc.constantFrom<1 | 2>(1, 2), fc.constantFrom('tagged' as const, 'untagged' as const), fc.boolean(), (values, list, form, mbus) => {
        const plain = dataNotification(hanNveBody(list, '5706567282299475', '6841138BN143101010', clock, values), dateTimeOf(), form);
        const bytes = mbus ? Buffer.concat(mbusFrames(plain, 200)) : hdlcFrame(plain);
        const [r] = decodeCapture(bytes);
        if (!r?.ok) throw new Error(r ? r.error.message : 'no frame');
        expect(r.frame.list).toBe(`kamstrup-han-nve-list-${list}`);
        expect(r.frame.meterId).toBe('5706567282299475');
        const carried = Object.keys(values).filter((k) => /^(active|reactive)_power_(import|export)$|^current_l|^voltage_l/.test(k) || (list === 2 && /^(active|reactive)_energy_(import|export)$/.test(k)));
        expect(Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value]))).toEqual(Object.fromEntries(carried.map((k) => [k, values[k as keyof typeof values]])));
      }),
      { numRuns: 100 },
    );
  });
});

describe('one decoder, lists that change', () => {
  it('3-phase, 1-phase and HAN-NVE frames in turn each read right (a list\'s layout is remembered)', () => {
    const keys = { encryption: randomBytes(16), authentication: randomBytes(16) };
    const values = fc.sample(meterValues, { numRuns: 3, seed: 42 });
    const threePhase = encrypted(dataNotification(push1Body(11111111, clock, values[0]!), dateTimeOf()), keys);
    const single = Object.fromEntries(Object.entries(values[1]!).filter(([k]) => !/_l[23]$/.test(k)));
    const onePhase = encrypted(dataNotification(push1Body(22222222, clock, single), dateTimeOf()), keys);
    const nve = hdlcFrame(dataNotification(hanNveBody(2, '5706567282299475', '6841138BN143101010', clock, values[2]!), dateTimeOf()));
    const decoder = new Decoder({ keys });
    for (let round = 0; round < 3; round++) {
      for (const [bytes, id] of [[threePhase, '11111111'], [onePhase, '22222222'], [nve, '5706567282299475'], [threePhase, '11111111']] as const) {
        const [r] = decoder.push(bytes);
        if (!r?.ok) throw new Error(r ? r.error.message : 'no frame');
        expect(r.frame.meterId).toBe(id);
        const want: MeterValues = id === '11111111' ? values[0]! : id === '22222222' ? single : values[2]!;
        for (const reading of r.frame.readings) expect(reading.value, `${id} ${reading.key}`).toBe(want[reading.key]);
        expect(r.frame.readings.length).toBe(id === '5706567282299475' ? 14 : Object.keys(want).length);
      }
    }
  });

  it('two decoders, two meters, frames interleaved: each remembers its own meter (memos belong to a decoder)', () => {
    const keys = { encryption: randomBytes(16), authentication: randomBytes(16) };
    const values = fc.sample(meterValues, { numRuns: 2 });
    const single = Object.fromEntries(Object.entries(values[1]!).filter(([k]) => !/_l[23]$/.test(k)));
    const frames = [
      { decoder: new Decoder({ keys }), bytes: encrypted(dataNotification(push1Body(33333333, clock, values[0]!), dateTimeOf()), keys), id: '33333333', want: values[0]! },
      { decoder: new Decoder({ keys }), bytes: encrypted(dataNotification(push1Body(44444444, clock, single), dateTimeOf()), keys), id: '44444444', want: single },
    ];
    for (let round = 0; round < 4; round++) {
      for (const f of frames) {
        const [r] = f.decoder.push(f.bytes);
        if (!r?.ok) throw new Error(r ? r.error.message : 'no frame');
        expect(r.frame.meterId).toBe(f.id);
        expect(Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value]))).toEqual(f.want);
      }
    }
  });
});

describe('strings in clear frames', () => {
  it('a meter type that changes in the same place and length is read anew (the framer reuses its buffer)', () => {
    const decoder = new Decoder();
    const values = fc.sample(meterValues, { numRuns: 1, seed: 7 })[0]!;
    for (const type of ['6841138BN143101010', '6841138BN143101011', '6841138BN143101010', '7777777XX777777777']) {
      const [r] = decoder.push(hdlcFrame(dataNotification(hanNveBody(1, '5706567282299475', type, clock, values), dateTimeOf())));
      if (!r?.ok) throw new Error(r ? r.error.message : 'no frame');
      expect(r.frame.model).toBe(type);
    }
  });
});

describe('a register sent twice', () => {
  it('reads once, in its first place, with its last value, every time the list comes', () => {
    const code = (c: number, d: number, e = 0): Data => ({ type: 'octet-string', value: Uint8Array.of(1, 1, c, d, e, 255) });
    const number = (value: number): Data => ({ type: 'double-long-unsigned', value });
    const body = (twice: number): Data => ({
      type: 'structure',
      items: [{ type: 'visible-string', value: 'Kamstrup_V0001' }, code(0, 0, 1), number(27581522), code(1, 7), number(500), code(2, 7), number(0), code(1, 7), number(twice)],
    });
    const decoder = new Decoder();
    for (const twice of [700, 800, 900]) {
      const [r] = decoder.push(hdlcFrame(dataNotification(body(twice), dateTimeOf())));
      if (!r?.ok) throw new Error(r ? r.error.message : 'no frame');
      expect(r.frame.readings.map((x) => [x.key, x.value])).toEqual([
        ['active_power_import', twice],
        ['active_power_export', 0],
      ]);
    }
  });
});

function dateTimeOf(): Buffer {
  return Buffer.from('07EA0B17011505 0AFF800000'.replace(/ /g, ''), 'hex');
}

describe('hostile input', () => {
  it('every single-bit flip of the Danish frame is rejected, but in the FCS, behind which the tag proves the values: never a wrong reading', () => {
    const frame = bytesOf(danish);
    const [right] = decodeCapture(frame, { keys: danishKeys });
    if (!right?.ok) throw new Error('the Danish frame does not decode');
    // The FCS's two bytes, before the closing flag: the framer leaves them to the GCM tag (framing/hdlc.ts, tagProves).
    const fcsBits = new Set(Array.from({ length: 16 }, (_, k) => (frame.length - 3) * 8 + k));
    let readDespiteFcs = 0;
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const bad = Buffer.from(frame);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const ok = decodeCapture(bad, { keys: danishKeys }).filter((r) => r.ok);
      if (!fcsBits.has(bit)) expect(ok, `bit ${bit}`).toEqual([]);
      else {
        expect(ok, `bit ${bit}`).toEqual([right]);
        readDespiteFcs++;
      }
    }
    expect(readDespiteFcs).toBe(16);
  });

  it('a damaged frame whose FCS was left to the tag is said as damaged, never as a wrong or missing key', () => {
    const frame = bytesOf(danish);
    const bad = Buffer.from(frame);
    bad[100]! ^= 0x10; // in the ciphertext: the tag fails, and so does the FCS
    const reasonOf = (keys: Parameters<typeof decodeCapture>[1]) => decodeCapture(bad, keys).map((r) => (r.ok ? 'ok' : r.error.reason));
    expect(reasonOf({ keys: danishKeys })).toEqual(['checksum']);
    expect(reasonOf({ keys: { encryption: danishKeys.authentication, authentication: danishKeys.encryption } })).toEqual(['checksum']);
    expect(reasonOf({})).toEqual(['checksum']);
    // Read with the encryption key alone its tag is not checked: the FCS then decides, also when only the FCS is hit.
    const fcsHit = Buffer.from(frame);
    fcsHit[frame.length - 2]! ^= 0x01;
    expect(decodeCapture(fcsHit, { keys: { encryption: danishKeys.encryption } }).map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual(['checksum']);
    expect(decodeCapture(frame, { keys: { encryption: danishKeys.encryption } }).map((r) => (r.ok ? r.frame.protection : r.error.reason))).toEqual(['encrypted-tag-unchecked']);
  });

  it('a flipped bit in the ciphertext behind a valid FCS fails authentication, naming a key', () => {
    const plain = Buffer.from(danish.expected!.plaintext_hex!, 'hex');
    const apdu = encipher(plain, { systemTitle: Buffer.from('4B414D4501A4DC52', 'hex'), frameCounter: 7, securityControl: 0x30, keys: danishKeys });
    apdu[40]! ^= 0x01;
    const [r] = decodeCapture(hdlcFrame(apdu), { keys: danishKeys });
    expect(r?.ok === false && r.error.reason).toMatch(/^wrong-(encryption|authentication)-key$/);
  });

  it('random bytes never throw out of the decoder, and its buffer stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 20 }), (chunks) => {
        const d = new Decoder({ keys: danishKeys });
        for (const c of chunks) d.push(c);
        d.end();
        const buffer = (d as unknown as { framer: { buf: Uint8Array } }).framer.buf;
        // Two of the largest frame: an HDLC frame, a P1 telegram or a bare ciphered one (framing/framer.ts).
        expect(buffer.length).toBeLessThanOrEqual(2 * Math.max(0x7ff + 2, P1_MAX_TELEGRAM, CIPHERED_MAX));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated real frames (bytes changed, cut, repeated) never throw and never decode wrongly', () => {
    const frame = bytesOf(danish);
    const [first] = decodeCapture(frame, { keys: danishKeys });
    if (!first?.ok) throw new Error('the Danish frame must decode');
    const original = first.frame;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(frame.length),
        (edits, cut) => {
          const bad = Buffer.from(frame);
          for (const [at, x] of edits) bad[at]! ^= x;
          const stream = Buffer.concat([bad.subarray(0, cut), bad, frame]);
          const results = decodeCapture(stream, { keys: danishKeys });
          // The intact copy at the end always decodes. Anything else that decodes must be the same frame, byte for
          // byte: a cut copy whose missing closing flag is supplied by the next copy's opening flag is such a frame;
          // so is the APDU of a copy whose flag and LLC header were hit, read bare (its tag proves it), which differs
          // in how it came alone.
          expect(results.at(-1)?.ok).toBe(true);
          for (const r of results) if (r.ok) expect(r.frame).toEqual(r.frame.framing === 'apdu' ? { ...original, framing: 'apdu' } : original);
        },
      ),
      { numRuns: 300 },
    );
    // the case fast-check found: closing flag damaged in the second copy, cut just before it in the first
    const bad = Buffer.from(frame);
    bad[490]! ^= 1;
    const results = decodeCapture(Buffer.concat([bad.subarray(0, 490), bad, frame]), { keys: danishKeys });
    expect(results.filter((r) => r.ok).map((r) => r.ok && r.frame)).toEqual([original, original]);
    // and one CI found (seed 1988941891): the opening flag damaged, the payload's DB 08 … read as a bare ciphered APDU
    // whose damaged length (0x05D0) reached over the intact copy after it; that copy must still decode
    const flagless = Buffer.from(frame);
    for (const [at, x] of [[22, 4], [8, 1], [0, 1]] as const) flagless[at]! ^= x;
    const after = decodeCapture(Buffer.concat([flagless, frame]), { keys: danishKeys });
    expect(after.filter((r) => r.ok).map((r) => r.ok && r.frame)).toEqual([original]);
    // and one found with seed 3164215126: the opening flag and the LLC header hit, the copy cut before its FCS; its
    // APDU is read bare, the very frame, and the intact copy after it decodes too
    const unframed = Buffer.from(frame);
    unframed[0]! ^= 1;
    unframed[8]! ^= 1;
    const both = decodeCapture(Buffer.concat([unframed.subarray(0, 488), unframed, frame]), { keys: danishKeys });
    expect(both.filter((r) => r.ok).map((r) => r.ok && r.frame)).toEqual([{ ...original, framing: 'apdu' }, original]);
  });

  it('malformed A-XDR inside a valid frame is an APDU error, not an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (body) => {
        const results = decodeCapture(hdlcFrame(Buffer.concat([Buffer.of(0x0f, 0, 0, 0, 0, 0), body])));
        for (const r of results) if (!r.ok) expect(r.error.layer).toMatch(/apdu|profile|framing/);
      }),
      { numRuns: 500 },
    );
  });
});
