import { describe, expect, it } from 'vitest';
import { crc16arc } from '../src/framing/crc16-arc.js';
import { Framer, type FramerOutput } from '../src/framing/framer.js';
import { P1_MAX_TELEGRAM } from '../src/framing/p1.js';
import { feedAll } from './support/framer.js';
import { bytesOf, encrypted, resigned, telegram, telegrams, wire } from './p1-fixtures.js';
import { prng, randomBytes, seed } from './support/random.js';
import { bytesOf as vectorBytes, danish, vector } from './support/vectors.js';

const v5 = bytesOf(telegram('ndokter-v5').telegram);
const v22 = bytesOf(telegram('ndokter-v2-2').telegram);

const texts = (outs: FramerOutput[]): string[] => outs.flatMap((o) => (o.ok ? [Buffer.from(o.value.apdu).toString('latin1')] : []));
const errors = (outs: FramerOutput[]): string[] => outs.flatMap((o) => (o.ok ? [] : [o.error.reason]));
const framings = (outs: FramerOutput[]): string[] => outs.flatMap((o) => (o.ok ? [o.value.framing] : []));
/** What the framer hands on of a telegram: from "/" to the CRC, without the line end. */
const handed = (text: string): string => text.slice(0, text.indexOf('\n!') + 2) + (/^[0-9A-Fa-f]{1,4}/.exec(text.slice(text.indexOf('\n!') + 2))?.[0] ?? '');

/** A 7E1 character read at 8N1: even parity in bit 7. */
const withParity = (b: Uint8Array): Buffer => Buffer.from(Array.from(b, (x) => x | ((x.toString(2).split('1').length - 1) % 2 === 1 ? 0x80 : 0)));

describe('CRC-16/ARC', () => {
  it('has the catalogue check value', () => {
    expect(crc16arc(Buffer.from('123456789'))).toBe(0xbb3d);
  });

  it('agrees with the bit-by-bit definition (poly 0xA001 reflected, init 0)', () => {
    const r = prng(seed);
    for (let n = 0; n < 50; n++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 128)));
      let crc = 0;
      for (const b of bytes) {
        crc ^= b;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
      }
      expect(crc16arc(bytes)).toBe(crc);
    }
  });
});

describe('P1 text telegrams in the framer', () => {
  it.each(telegrams.map((t) => [t.id, t] as const))('%s: one telegram, from "/" to its CRC', (_id, t) => {
    const text = wire(t);
    const out = feedAll(bytesOf(text), () => 4096);
    expect(errors(out)).toEqual([]);
    expect(texts(out)).toEqual([handed(text)]);
    expect(framings(out)).toEqual(['p1']);
  });

  it('gives the same telegram for a split at every byte offset', () => {
    const whole = texts(feedAll(v5, () => 4096));
    for (let cut = 1; cut < v5.length; cut++) expect(texts(feedAll(v5, (i) => (i === 0 ? cut : 4096))), `cut at ${cut}`).toEqual(whole);
  });

  it('reads a stream of telegrams in chunks of any size, the line ends counted as part of them', () => {
    const stream = Buffer.concat([v5, v22, v5, v22, v5]);
    const r = prng(seed);
    for (let round = 0; round < 50; round++) {
      const framer = new Framer();
      const out = feedAll(stream, () => 1 + Math.floor(r() * 97), framer);
      expect(texts(out), `round ${round}`).toEqual([v5, v22, v5, v22, v5].map((b) => handed(b.toString('latin1'))));
      expect(framer.discarded).toBe(0);
    }
  });

  it('a stream joined in the middle of a telegram loses only that telegram, without an error', () => {
    const stream = Buffer.concat([v5, v5, v5]);
    for (let start = 1; start < v5.length; start += 7) {
      const out = feedAll(stream.subarray(start), () => 64);
      expect(errors(out), `joined at ${start}`).toEqual([]);
      expect(texts(out), `joined at ${start}`).toHaveLength(2);
    }
  });

  it('reads lower-case, unpadded and absent CRCs', () => {
    const upper = telegram('ndokter-v5').telegram;
    const lower = upper.replace('!6EEE', '!6eee');
    expect(texts(feedAll(bytesOf(lower), () => 4096))).toHaveLength(1);
    expect(errors(feedAll(bytesOf(telegram('ndokter-unpadded-crc').telegram), () => 4096))).toEqual([]);
    expect(texts(feedAll(bytesOf(telegram('ndokter-unpadded-crc').telegram), () => 4096))[0]).toMatch(/!B9F$/);
    expect(texts(feedAll(v22, () => 4096))[0]).toMatch(/\r\n!$/);
  });

  it('refuses a telegram whose CRC does not hold as a checksum error, and reads the next one', () => {
    const bad = telegram('ndokter-v5').telegram.replace('000004.426', '000004.427');
    const out = feedAll(Buffer.concat([bytesOf(bad), v5]), () => 100);
    expect(errors(out)).toEqual(['checksum']);
    expect(out.find((o) => !o.ok)).toMatchObject({ error: { message: expect.stringMatching(/CRC 6EEE sent, [0-9A-F]{4} computed/) as string } });
    expect(texts(out)).toEqual([handed(telegram('ndokter-v5').telegram)]);
  });

  it('ends a telegram at a "!" that starts a line, not at one inside a text message sent in clear', () => {
    const text = resigned(telegram('ndokter-v5').telegram.replace('0-0:96.13.0()', '0-0:96.13.0(Hello, world!)'));
    expect(texts(feedAll(bytesOf(text), () => 4096))).toEqual([handed(text)]);
  });

  it('a DSMR 2.2 "!" that is the last byte of the input ends its telegram', () => {
    const text = telegram('athombv-dsmr-2.2-kfm-1').telegram;
    expect(text.endsWith('!')).toBe(true);
    expect(texts(feedAll(bytesOf(text), () => 4096))).toEqual([text]);
  });

  it('skips the bytes meters send after "!" (EasyMeter Q3D, through a COM-1 gateway) and reads the next telegram', () => {
    const q3d = telegram('ndokter-esy5q3db1024-v304').telegram;
    const framer = new Framer();
    const out = feedAll(Buffer.concat([bytesOf(q3d), v5]), () => 33, framer);
    expect(errors(out)).toEqual([]);
    expect(texts(out)).toEqual([handed(q3d), handed(telegram('ndokter-v5').telegram)]);
    const after = q3d.slice(q3d.indexOf('\n!') + 4); // "!" CR LF, then the gateway's lines
    expect(framer.discarded).toBe(after.length);
  });

  it('reads 9600 7E1 read as 8N1 (the parity bit in bit 7) as the same telegrams, masked', () => {
    const stream = Buffer.concat([v22, v5, v22]);
    const out = feedAll(withParity(stream), () => 50);
    expect(errors(out)).toEqual([]);
    expect(texts(out)).toEqual([v22, v5, v22].map((b) => handed(b.toString('latin1'))));
  });

  it('refuses a 7E1 telegram with a wrong parity bit as damaged, and reads the next one', () => {
    const bytes = withParity(Buffer.concat([v5, v22]));
    bytes[200] = bytes[200]! ^ 0x80;
    const out = feedAll(bytes, () => 4096);
    expect(errors(out)).toEqual(['checksum']);
    expect(out.find((o) => !o.ok)).toMatchObject({ error: { message: expect.stringMatching(/damaged: byte 0x.. after 200 bytes .*parity/) as string } });
    expect(texts(out)).toEqual([handed(v22.toString('latin1'))]);
  });

  it('a telegram that lost its "!" is said when the next one begins, and the next one is read', () => {
    const cut = telegram('ndokter-v5').telegram.replace('!6EEE\r\n', '');
    const out = feedAll(Buffer.concat([bytesOf(cut), v5]), () => 128);
    expect(errors(out)).toEqual(['closing-flag']);
    expect(texts(out)).toEqual([handed(telegram('ndokter-v5').telegram)]);
  });

  it(`refuses a telegram of 1 MB without "!" once it passes ${P1_MAX_TELEGRAM} bytes, with memory bounded, and reads the next one`, () => {
    const line = Buffer.from('1-0:1.8.1(000001.000*kWh)\r\n');
    const huge = Buffer.concat([Buffer.from('/ISk5\\2MT382-1000\r\n\r\n'), ...Array.from({ length: Math.ceil(1_000_000 / line.length) }, () => line)]);
    expect(huge.length).toBeGreaterThan(1_000_000);
    const out = feedAll(Buffer.concat([huge, v5]), () => 4096);
    expect(errors(out)).toEqual(['too-long']);
    expect(texts(out)).toEqual([handed(telegram('ndokter-v5').telegram)]);
  });

  it(`binary noise makes no telegram and no P1 error; a telegram after it is read (seed ${seed})`, () => {
    const noise = randomBytes(64 * 1024);
    const out = feedAll(Buffer.concat([noise, v5]), () => 1000);
    expect(out.filter((o) => !o.ok && /P1/.test(o.error.message))).toEqual([]);
    expect(texts(out).filter((t) => t.startsWith('/'))).toEqual([handed(telegram('ndokter-v5').telegram)]);
  });

  it('noise that starts like a header is no telegram: "/" and three letters, then bytes that are no text', () => {
    const fake = Buffer.concat([Buffer.from('/ABC5 x\r\n'), Buffer.of(0x00, 0x01, 0x9f), v5]);
    const out = feedAll(fake, () => 4096);
    expect(errors(out)).toEqual([]);
    expect(texts(out)).toHaveLength(1);
  });
});

describe('ciphered APDUs bare on the wire (encrypted P1)', () => {
  const smarty = Buffer.from(encrypted.find((e) => e.id === 'esphome-libs-smarty-encrypted-packet')!.hex, 'hex');

  it('frames each by its length, between noise and in any chunks', () => {
    const stream = Buffer.concat([smarty, Buffer.from('xx'), smarty, smarty]);
    for (const size of [1, 7, 100, 4096]) {
      const out = feedAll(stream, () => size);
      expect(errors(out)).toEqual([]);
      expect(framings(out)).toEqual(['apdu', 'apdu', 'apdu']);
      expect(out.every((o) => !o.ok || Buffer.from(o.value.apdu).equals(smarty))).toBe(true);
    }
  });

  it('never masks bit 7 of a ciphered APDU', () => {
    const out = feedAll(Buffer.concat([smarty, withParity(v5)]), () => 64);
    expect(framings(out)).toEqual(['apdu', 'p1']);
    expect(Buffer.from((out[0] as { value: { apdu: Uint8Array } }).value.apdu).equals(smarty)).toBe(true);
  });

  it('the ciphered APDU inside an HDLC frame that failed its checksum is not read on its own', () => {
    const frame = Buffer.from(vectorBytes(danish));
    frame[frame.length - 2] = frame[frame.length - 2]! ^ 0xff; // the FCS
    const out = feedAll(frame, () => 4096);
    expect(errors(out)).toEqual(['checksum']);
    expect(framings(out)).toEqual([]);
  });

  it('nor the ciphered APDU of an HDLC frame whose header is damaged: an LLC header before it, or an FCS and flag after it', () => {
    const frame = Buffer.from(vectorBytes(danish));
    const flagAndLlc = Buffer.from(frame);
    flagAndLlc[0] = 0x7f; // the opening flag
    flagAndLlc[8] = 0xe7; // the LLC header
    const flagOnly = Buffer.from(frame);
    flagOnly[0] = 0x7f;
    // The first is caught by what follows the APDU, the last (cut before its FCS) by the LLC header before it.
    for (const damaged of [flagAndLlc, flagOnly, flagOnly.subarray(0, -3)]) expect(framings(feedAll(damaged, () => 4096))).toEqual([]);
    // With neither (its bytes alone, as a debug log prints them), it is a bare APDU.
    expect(framings(feedAll(frame.subarray(frame.indexOf(Buffer.from('db08', 'hex')), -3), () => 4096))).toEqual(['apdu']);
  });

  it('nor is the start of a ciphered APDU cut off from the M-Bus segments it spans (a stream joined mid-message)', () => {
    const bytes = vectorBytes(vector('pl-kaifa-ma309-gh905-1-mbus-encrypted'));
    const db = bytes.indexOf(Buffer.from('db08', 'hex'));
    const out = feedAll(bytes.subarray(db), () => 4096);
    expect(framings(out)).toEqual([]);
    expect(errors(out)).toEqual(['reassembly']);
  });

  it('HDLC streams are framed as before: a resigned telegram next to them is read too', () => {
    const hdlc = vectorBytes(danish);
    const out = feedAll(Buffer.concat([hdlc, bytesOf(resigned(telegram('athombv-dsmr-5.0-isk-1').telegram)), hdlc]), () => 300);
    expect(errors(out)).toEqual([]);
    expect(framings(out)).toEqual(['hdlc', 'p1', 'hdlc']);
  });
});
