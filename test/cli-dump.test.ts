import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/addon.js';
import { decode } from './support/decode.js';
import { vector } from './support/vectors.js';

describe('decode --dump: every value of a list no profile knows, for a person adding a meter', () => {
  it('prints each register once per list: its OBIS code, A-XDR type, raw value, and the scaler and unit when sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-dump-'));
    const file = join(dir, 'capture.hex');
    const v = vector('dk-kamstrup-omnipower-gh741-1-unencrypted');
    writeFileSync(file, `${v.hex}\n${v.hex}\n`);
    // A profile that does not fit stands in for a meter PowerMeter does not know: its list is read, not mapped.
    const r = await decode(['--profile', 'aidon', '--dump', file]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^frame 1: \d+ values of a list no profile knows:$/);
    expect(r.out.match(/values of a list no profile knows/g)).toHaveLength(1); // the second frame's list is the same
    // The Norwegian HAN-NVE list 1 of the fixture's source: its id, meter type, then powers, currents and voltages.
    expect(lines[1]).toMatch(/^\s+1\s+1-1:0\.0\.5\.255\s+visible-string\s+"5706567282299475"$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\s+3\s+1-1:1\.7\.0\.255\s+numeric\s+21$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\s+12\s+1-1:72\.7\.0\.255\s+numeric\s+226$/));
    expect(r.err).toMatch(/frame 1 rejected \(unsupported-list\)/);
    expect((await decode(['--help'])).out).toContain('--dump');
    // A list that sends its scalers and units (a Norwegian Aidon) shows them.
    writeFileSync(file, vector('no-aidon-gh1119-1-list3').hex);
    const aidon = await decode(['--profile', 'kamstrup', '--dump', file]);
    expect(aidon.out).toMatch(/^\s+3\s+1-0:1\.7\.0\.255\s+double-long-unsigned\s+4027 scaler 0 unit 27 \(W\)$/m);
  });
});

describe("README's decode example", () => {
  it('decodes the capture it names to its meter', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const m = /decode --encryption-key (\w+) --authentication-key (\w+) \\\n\s+(\S+\.hex)/.exec(readme);
    expect(m).not.toBeNull();
    const r = await decode(['--encryption-key', m![1]!, '--authentication-key', m![2]!, join(root, m![3]!)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim()) as { meterId: string; readings: { key: string; value: number }[] }).toMatchObject({ meterId: '27581522', readings: expect.arrayContaining([{ key: 'voltage_l1', obis: '1-1:32.7.0.255', value: 224, unit: 'V' }]) as unknown });
  });
});
