import { describe, expect, it } from 'vitest';
import { Decoder } from '../src/decode/decoder.js';
import { KeyMissingError } from '../src/base/errors.js';
import { bytesOf, danish, danishKeys, keysOf, vector } from './support/vectors.js';

/** The Radius capture's meter: "KAME" and its number 27581522. */
const DANISH_TITLE = '4B414D4501A4DC52';
/** The Austrian Landis+Gyr capture, the other public capture with its keys published. */
const austrian = vector('at-landisgyr-e450-gh501-1-encrypted');

function decodeOne(decoder: Decoder, bytes: Buffer) {
  const results = decoder.push(bytes);
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('keys chosen by the frame’s system title (meter_keys)', () => {
  it('decodes a meter by its own entry, with no keys on the source', () => {
    const decoder = new Decoder({ meterKeys: new Map([[DANISH_TITLE, danishKeys]]) });
    const r = decodeOne(decoder, bytesOf(danish));
    if (!r.ok) throw r.error;
    expect(r.frame.systemTitle).toBe(DANISH_TITLE);
    expect(r.frame.protection).toBe('authenticated-encrypted');
    expect(r.frame.readings.find((x) => x.key === 'active_energy_import')?.value).toBe(8666.36);
  });

  it('two meters with different keys on one decoder: each by its own entry', () => {
    const other = bytesOf(austrian);
    const first = new Decoder({ keys: {} }).push(other)[0]!;
    expect(first.ok).toBe(false); // the Austrian frame needs its keys
    const decoder = new Decoder({ meterKeys: new Map([[DANISH_TITLE, danishKeys]]), keys: keysOf(austrian) });
    const a = decodeOne(decoder, bytesOf(danish));
    const b = decodeOne(decoder, other);
    const c = decodeOne(decoder, bytesOf(danish));
    if (!a.ok || !b.ok || !c.ok) throw new Error('a frame did not decode');
    expect(a.frame.meterId).toBe('27581522');
    expect(b.frame.systemTitle).not.toBe(DANISH_TITLE);
    expect(b.frame.readings.length).toBeGreaterThan(0);
    expect(c.frame.readings.find((x) => x.key === 'active_energy_import')?.value).toBe(8666.36);
  });

  it('falls back to the source’s keys for a title not listed', () => {
    const decoder = new Decoder({ meterKeys: new Map([['0011223344556677', { encryption: Buffer.alloc(16, 1), authentication: Buffer.alloc(16, 2) }]]), keys: danishKeys });
    const r = decodeOne(decoder, bytesOf(danish));
    expect(r.ok && r.frame.readings.find((x) => x.key === 'active_energy_import')?.value).toBe(8666.36);
  });

  it('an entry with the two keys swapped decodes, and says so', () => {
    const decoder = new Decoder({ meterKeys: new Map([[DANISH_TITLE, { encryption: danishKeys.authentication, authentication: danishKeys.encryption }]]) });
    const r = decodeOne(decoder, bytesOf(danish));
    if (!r.ok) throw r.error;
    expect(r.frame.keysSwapped).toBe(true);
    expect(r.frame.readings.find((x) => x.key === 'active_energy_import')?.value).toBe(8666.36);
  });

  it('a meter with no keys anywhere: the error names its system title', () => {
    const decoder = new Decoder({ meterKeys: new Map([['0011223344556677', danishKeys]]) });
    const r = decodeOne(decoder, bytesOf(danish));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(KeyMissingError);
    expect((r.error as KeyMissingError).systemTitle).toBe(DANISH_TITLE);
    expect(r.error.message).toContain(DANISH_TITLE);
    expect(r.error.message).not.toContain(danish.keys!.encryption!);
  });
});
