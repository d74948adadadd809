import { describe, expect, it } from 'vitest';
import { Decoder, type DecodedFrame } from '../src/decode/decoder.js';
import { parseKey } from '../src/dlms/keys.js';
import { demoKeys, p1Recording, recordings } from '../src/simulator/recordings.js';
import { restampHdlcFrame, restampP1Telegram } from '../src/simulator/restamp.js';

/** The demo's recordings with their clocks set to now: every value kept, the clock moved, the frame still whole and authentic. */
const keys = { encryption: parseKey(demoKeys.encryption, 'demo')!, authentication: parseKey(demoKeys.authentication, 'demo')! };
const at = new Date('2026-12-04T21:15:30Z');
const zone = 'Europe/Copenhagen';

function decodeOne(bytes: Uint8Array): DecodedFrame {
  const decoder = new Decoder({ keys, timeZone: zone });
  const results = [...decoder.push(bytes), ...decoder.end()];
  expect(results).toHaveLength(1);
  const r = results[0]!;
  if (!r.ok) throw new Error(r.error.message);
  return r.frame;
}

describe('restamping a recording', () => {
  for (const r of recordings) {
    it(`${r.name}: the same readings, the clock at the replay's time, and it still authenticates`, () => {
      const original = decodeOne(Buffer.from(r.hex, 'hex'));
      const restamped = decodeOne(restampHdlcFrame(Buffer.from(r.hex, 'hex'), at, r.encrypted ? keys : undefined, zone));
      const { meterTime: before, ...rest } = original;
      const { meterTime: after, ...restAfter } = restamped;
      expect(before).not.toBeNull();
      expect(before?.startsWith('2026-12-04')).toBe(false);
      expect(after).toMatch(/^2026-12-04T22:15:30/);
      expect(restAfter).toEqual(rest);
      expect(restamped.protection).toBe(r.encrypted ? 'authenticated-encrypted' : 'none');
    });
  }

  it('an enciphered recording needs its keys', () => {
    expect(() => restampHdlcFrame(Buffer.from(recordings.find((r) => r.encrypted)!.hex, 'hex'), at, undefined, zone)).toThrow(/needs its keys/);
  });

  it('the P1 telegram: its times and its gas capture time at the replay time, its CRC right, its values kept', () => {
    const original = decodeOne(Buffer.from(p1Recording.text, 'latin1'));
    const text = restampP1Telegram(p1Recording.text, at, zone);
    expect(text).toContain('0-0:1.0.0(261204221530W)');
    expect(text).toContain('0-1:24.2.1(261204221530W)(00000.107*m3)');
    const restamped = decodeOne(Buffer.from(text, 'latin1'));
    expect(restamped.meterTime).toBe('2026-12-04T22:15:30+01:00');
    expect(restamped.subMeters?.[0]).toMatchObject({ value: 0.107, capturedAt: '2026-12-04T22:15:30+01:00' });
    expect(restamped.readings).toEqual(original.readings);
  });

  it('a DSMR 2.2 telegram, which has no CRC, gets none', () => {
    expect(restampP1Telegram('/XMX5\r\n\r\n0-0:1.0.0(170102192002W)\r\n!\r\n', at, zone)).toBe('/XMX5\r\n\r\n0-0:1.0.0(261204221530W)\r\n!\r\n');
  });
});
