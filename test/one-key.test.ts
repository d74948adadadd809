import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../src/decode/decoder.js';
import { verdictOf } from '../src/core/key-check.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { harness, tz } from './support/core.js';
import { decode } from './support/decode.js';
import { bytesOf, danish, danishKeys } from './support/vectors.js';

const onlyEncryption = { encryption: danishKeys.encryption };

describe('one key is enough to read: an encrypted and authenticated frame with the encryption key alone', () => {
  it('decodes a real Danish capture (SC 0x30) to the same readings as with both keys, its tag not checked', () => {
    const both = decodeCapture(bytesOf(danish), { keys: danishKeys });
    const one = decodeCapture(bytesOf(danish), { keys: onlyEncryption });
    expect(both[0]?.ok && one[0]?.ok).toBe(true);
    if (!both[0]?.ok || !one[0]?.ok) return;
    expect(one[0].frame.readings).toEqual(both[0].frame.readings);
    expect(one[0].frame.readings.find((r) => r.key === 'voltage_l1')?.value).toBe(224);
    expect(one[0].frame.protection).toBe('encrypted-tag-unchecked');
    expect(both[0].frame.protection).toBe('authenticated-encrypted');
    expect(verdictOf(one[0])).toBe('not_authenticated');
    expect(verdictOf(both[0])).toBe('authenticated');
  });

  it('a wrong encryption key alone is still a wrong encryption key', () => {
    const [r] = decodeCapture(bytesOf(danish), { keys: { encryption: Buffer.alloc(16, 1) } });
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.error.reason).toBe('wrong-encryption-key');
  });

  it('in the service: the key check says not_authenticated once, with the advice, and the replay guard still applies', () => {
    const h = harness({ keys: onlyEncryption });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    const first = sim.frame(new Date(h.at()), 10);
    h.bytes(first);
    h.advance(10_000);
    h.bytes(sim.frame(new Date(h.at()), 10));
    h.bytes(first);
    expect(h.core.security('m')).toBe('not_authenticated');
    expect(h.notices(/key check/)).toEqual(["WARN key check: decrypted, not authenticated: only the encryption key is set, so the frames' integrity is not checked: add the authentication key (GPK61) if your grid company gave you one"]);
    expect(h.core.rejected('m', 'replay')).toBe(1);
    expect(h.published('powermeter/57000001/state')).toHaveLength(2);
  });

  it('decode says it on standard error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-one-key-'));
    const file = join(dir, 'capture.hex');
    writeFileSync(file, danish.hex);
    const r = await decode(['--encryption-key', danish.keys!.encryption!, file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"meterId":"27581522"');
    expect(r.err).toMatch(/key check: not_authenticated: decrypted, not authenticated: only the encryption key is set/);
  });
});
