import { describe, expect, it } from 'vitest';
import { crc16x25 } from '../src/framing/crc16.js';
import { Framer, type FramerOutput } from '../src/framing/framer.js';
import { hdlcFrame, mbusFrames } from '../src/simulator/encode.js';
import { feedAll } from './support/framer.js';
import { bytesOf, danish, vector, vectors } from './support/vectors.js';

const apdus = (outs: FramerOutput[]): string[] => outs.flatMap((o) => (o.ok ? [Buffer.from(o.value.apdu).toString('hex')] : []));
const errors = (outs: FramerOutput[]): string[] => outs.flatMap((o) => (o.ok ? [] : [o.error.reason]));

describe('CRC-16/X.25', () => {
  it('has the catalogue check value', () => {
    expect(crc16x25(Buffer.from('123456789'))).toBe(0x906e);
  });

  it('agrees with the bit-by-bit definition at every length and offset (the table code works eight bytes at a time)', () => {
    const bitwise = (b: Uint8Array, start: number, end: number): number => {
      let crc = 0xffff;
      for (let i = start; i < end; i++) {
        crc ^= b[i]!;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
      }
      return crc ^ 0xffff;
    };
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= bytes.length; end++) expect(crc16x25(bytes, start, end)).toBe(bitwise(bytes, start, end));
    }
  });
});

describe('Framer on real captures', () => {
  const framed = vectors.filter((v) => v.framing !== 'APDU' && !v.expect_problems);

  it.each(framed.map((v) => [v.id, v] as const))('%s yields one checked APDU', (_id, v) => {
    const out = feedAll(bytesOf(v), () => 4096);
    expect(errors(out)).toEqual([]);
    expect(apdus(out)).toHaveLength(1);
    const apdu = apdus(out)[0]!;
    expect(['0f', 'db']).toContain(apdu.slice(0, 2));
  });

  it('reassembles the three general-block-transfer frames of the L&G E450 into one data-notification', () => {
    const out = feedAll(bytesOf(vector('ch-landisgyr-e450-gh740-gbt-3frames')), () => 4096);
    const [apdu] = apdus(out);
    expect(apdu?.startsWith('0f')).toBe(true);
    // the meter id "63326413" sits in the last block: reassembly kept the order
    expect(Buffer.from(apdu!, 'hex').toString('latin1')).toContain('63326413');
  });

  it('joins the two M-Bus telegrams of the Kaifa MA309 into one ciphered APDU', () => {
    const out = feedAll(bytesOf(vector('pl-kaifa-ma309-gh905-1-mbus-encrypted')), () => 4096);
    expect(apdus(out)).toHaveLength(1);
    expect(apdus(out)[0]!.startsWith('db084b464d')).toBe(true);
  });

  it('rejects the captures known to be broken, each for its reason', () => {
    expect(errors(feedAll(bytesOf(vector('dk-kamstrup-omnipower-gh244-1-fcs-corrupt')), () => 4096))).toContain('checksum');
    expect(errors(feedAll(bytesOf(vector('dk-kamstrup-omnipower-gh247-2-inplace-decrypted-artifact')), () => 4096))).toContain('checksum');
    const cut = feedAll(bytesOf(vector('no-kamstrup-split-by-7e-in-data-roarfred')), () => 4096);
    expect(apdus(cut)).toEqual([]);
    expect(errors(cut)).toEqual(['closing-flag']);
  });
});

describe('Framer robustness', () => {
  const frame = bytesOf(danish);
  const expected = apdus(feedAll(frame, () => 4096));

  it('APDUs from push stay intact after later pushes, and a taker that throws never makes a frame come twice', () => {
    const framer = new Framer();
    const [first] = framer.push(frame);
    framer.push(Buffer.alloc(frame.length, 0x55));
    expect(apdus(first ? [first] : [])).toEqual(expected);

    const feeding = new Framer();
    expect(() => feeding.feed(frame, () => { throw new Error('taker failed'); })).toThrow('taker failed');
    const after: string[] = [];
    feeding.feed(frame, (o) => after.push(o.ok ? Buffer.from(o.value.apdu).toString('hex') : o.error.reason));
    expect(after).toEqual(expected);
  });

  it('gives the same frame for a split at every byte offset', () => {
    for (let cut = 1; cut < frame.length; cut++) {
      const framer = new Framer();
      const out = [...framer.push(frame.subarray(0, cut)), ...framer.push(frame.subarray(cut))];
      expect(apdus(out)).toEqual(expected);
    }
  });

  it('gives the same frames for random chunk sizes, with garbage, shared and doubled flags', () => {
    const stream = Buffer.concat([Buffer.from('garbage 7e a1 ~~', 'latin1'), frame, frame.subarray(1), Buffer.of(0x7e), frame, Buffer.of(0x00, 0x7e, 0x7e)]);
    for (let seed = 1; seed < 200; seed++) {
      let s = seed;
      const out = feedAll(stream, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % 97) + 1);
      expect(apdus(out)).toEqual([expected[0], expected[0], expected[0]]);
      expect(errors(out)).toEqual([]);
    }
  });

  it('every fixture survives a split at every byte offset', () => {
    for (const v of vectors.filter((x) => x.framing !== 'APDU')) {
      const bytes = bytesOf(v);
      const whole = feedAll(bytes, () => 4096);
      for (let cut = 1; cut < bytes.length; cut++) {
        const out = feedAll(bytes, (i) => (i === 0 ? cut : 4096));
        expect(apdus(out), `${v.id} cut at ${cut}`).toEqual(apdus(whole));
      }
    }
  });

  it('reassembles HDLC segments (S bit) and drops an interrupted message with an error', () => {
    const apdu = Buffer.alloc(900, 0x11);
    apdu[0] = 0x0f;
    const first = hdlcFrame(apdu.subarray(0, 400), { segmented: true });
    const second = hdlcFrame(apdu.subarray(400, 800), { segmented: true, llc: false });
    const last = hdlcFrame(apdu.subarray(800), { llc: false });
    expect(apdus(feedAll(Buffer.concat([first, second, last]), () => 64))).toEqual([apdu.toString('hex')]);
    const interrupted = feedAll(Buffer.concat([first, frame]), () => 64);
    expect(errors(interrupted)).toEqual(['reassembly']);
    expect(apdus(interrupted)).toEqual(expected);
  });

  it('reassembles M-Bus telegrams and reports one that arrives without its predecessors', () => {
    const apdu = Buffer.alloc(600, 0x22);
    const frames = mbusFrames(apdu, 245);
    expect(frames).toHaveLength(3);
    expect(apdus(feedAll(Buffer.concat(frames), () => 7))).toEqual([apdu.toString('hex')]);
    expect(errors(feedAll(frames[1]!, () => 4096))).toEqual(['reassembly']);
  });

  it('reads the wrapped M-Bus length of the Sagemcom T210-D (L = 0x01 meaning 257)', () => {
    const apdu = Buffer.alloc(252, 0x33);
    const data = Buffer.concat([Buffer.of(0x53, 0xff, 0x10, 0x01, 0x67), apdu]);
    let sum = 0;
    for (const b of data) sum += b;
    const frame257 = Buffer.concat([Buffer.of(0x68, 0x01, 0x01, 0x68), data, Buffer.of(sum & 0xff, 0x16)]);
    expect(apdus(feedAll(frame257, () => 4096))).toEqual([apdu.toString('hex')]);
  });
});

describe('the FCS of a frame whose APDU carries a tag', () => {
  it('is left to the taker of feed when asked (tagProves), and checked by push and end in any case', () => {
    const bytes = bytesOf(danish);
    const bad = Buffer.from(bytes);
    bad[bytes.length - 2]! ^= 0x01; // the FCS itself
    const left: FramerOutput[] = [];
    const lenient = new Framer(false, true);
    let held: boolean | null = null;
    lenient.feed(bad, (o) => {
      left.push(o);
      if (o.ok && o.value.fcs) held = lenient.fcsHolds(o.value.fcs);
    });
    expect(left.map((o) => o.ok && o.value.fcs !== undefined)).toEqual([true]);
    expect(held).toBe(false);
    expect(errors(new Framer(false, true).push(bad))).toEqual(['checksum']);
    expect(errors(new Framer().push(bad))).toEqual(['checksum']);
    const atEnd = new Framer(false, true);
    atEnd.feed(bad.subarray(0, bad.length - 1), () => undefined); // all but the closing flag: found at the end
    expect(errors([...atEnd.push(bad.subarray(bad.length - 1)), ...atEnd.end()])).toEqual(['checksum']);
    // A whole frame: the FCS holds.
    const whole = new Framer(false, true);
    let holds: boolean | null = null;
    whole.feed(bytes, (o) => (holds = o.ok && o.value.fcs !== undefined && whole.fcsHolds(o.value.fcs)));
    expect(holds).toBe(true);
  });
});

describe('a frame under way (what a source rests for)', () => {
  it('is under way from its first bytes to its last, and not after it, though the closing flag stays for the next', () => {
    const bytes = bytesOf(danish);
    const framer = new Framer();
    expect(framer.awaiting).toBe(false);
    for (const cut of [2, 100, bytes.length - 1]) {
      const f = new Framer();
      expect(f.push(bytes.subarray(0, cut))).toEqual([]);
      expect(f.awaiting, `after ${cut} bytes`).toBe(true);
      expect(apdus(f.push(bytes.subarray(cut)))).toHaveLength(1);
      expect(f.awaiting, `after the rest of the frame cut at ${cut}`).toBe(false);
    }
    // Noise between frames is dropped: nothing is under way.
    expect(framer.push(Buffer.from('0102030405', 'hex'))).toEqual([]);
    expect(framer.awaiting).toBe(false);
  });

  it('is under way between the segments of a message, and done after the last', () => {
    const apdu = Buffer.alloc(900, 0x11);
    apdu[0] = 0x0f;
    const first = hdlcFrame(apdu.subarray(0, 400), { segmented: true });
    const last = hdlcFrame(apdu.subarray(400), { llc: false });
    const framer = new Framer();
    expect(framer.push(first)).toEqual([]);
    expect(framer.awaiting).toBe(true);
    expect(apdus(framer.push(last))).toEqual([apdu.toString('hex')]);
    expect(framer.awaiting).toBe(false);
  });
});

describe('a message whose rest never came', () => {
  /** The raw frames a vector is made of, as the framer saw them. */
  const framesOf = (id: string): Buffer[] => {
    const outputs = new Framer(true).push(bytesOf(vector(id)));
    return outputs.flatMap((o) => [...(o.raw ?? [])]);
  };

  it('says a general block transfer waits for its next block, and what to check', () => {
    const frames = framesOf('ch-landisgyr-e450-gh740-gbt-3frames');
    expect(frames).toHaveLength(3);
    const framer = new Framer();
    expect(framer.push(Buffer.concat(frames.slice(0, 2)))).toEqual([]);
    const end = framer.end();
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ ok: false, error: { reason: 'incomplete', message: expect.stringMatching(/general block transfer: blocks 1 to 2 came, block 3 never did; the capture was cut short/) as string } });
  });

  it('says an M-Bus segment came without the segments after it', () => {
    const frames = framesOf('pl-kaifa-ma309-gh905-1-mbus-encrypted');
    expect(frames.length).toBeGreaterThan(1);
    const framer = new Framer();
    expect(framer.push(frames[0]!)).toEqual([]);
    const end = framer.end();
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ ok: false, error: { reason: 'incomplete', message: expect.stringMatching(/M-Bus segment 0 of a message came, and the segment that ends it never did/) as string } });
  });
});
