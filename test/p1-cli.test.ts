import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDecode } from '../src/commands/decode.js';
import { Decoder } from '../src/decode/decoder.js';
import { SimulatedP1Meter } from '../src/simulator/p1.js';
import { bytesOf, encrypted, resigned, telegram } from './p1-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'powermeter-p1-'));

function file(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Line {
  meterId: string | null;
  meterTime: string | null;
  list: string | null;
  readings: { key: string; obis: string; value: number | string | null; unit: string | null; at?: string | null }[];
  powerFailureLog?: unknown[];
}

async function decode(args: string[]): Promise<{ code: number; lines: Line[]; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runDecode(args, { stdout, stderr, stdin: Readable.from([]) });
  const text = Buffer.concat(out).toString().trim();
  return { code, lines: text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as Line), stderr: Buffer.concat(err).toString() };
}

const start = new Date(Date.UTC(2026, 2, 29, 0, 59, 50)); // across the night the clocks go forward in Europe

describe('powermeter decode on a P1 capture', () => {
  it('reads a 1-s stream from the serial port cut in the middle of its first telegram: one JSON line per whole telegram', async () => {
    const meter = new SimulatedP1Meter('E0044007382246019', { cadenceSeconds: 1 });
    const stream = meter.stream(start, 20);
    const r = await decode([file('p1-cut.bin', stream.subarray(300))]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(19);
    // The simulated meter and decode both stand in this process's zone: each time is the instant it was sent.
    expect(r.lines.map((l) => Date.parse(l.meterTime!))).toEqual(Array.from({ length: 19 }, (_, i) => start.getTime() + (i + 1) * 1000));
    const first = r.lines[0]!;
    expect(first).toMatchObject({ meterId: 'E0044007382246019', list: 'DSMR 5.0' });
    const keys = first.readings.map((x) => x.key);
    expect(keys).toEqual(expect.arrayContaining(['active_energy_import', 'active_energy_export', 'active_energy_import_tariff_1', 'voltage_l1', 'power_failures', 'tariff', 'gas']));
    const gas = first.readings.find((x) => x.key === 'gas')!;
    expect(gas).toMatchObject({ obis: '0-1:24.2.1.255', unit: 'm³' });
    expect(Date.parse(gas.at!) % 300_000).toBe(0);
    const sum = (k: string) => first.readings.filter((x) => new RegExp(`^${k}_tariff_\\d$`).test(x.key)).reduce((a, x) => a + (x.value as number), 0);
    expect(first.readings.find((x) => x.key === 'active_energy_import')!.value).toBeCloseTo(sum('active_energy_import'), 6);
    expect(first.powerFailureLog).toHaveLength(1);
    expect(r.stderr).toMatch(/key check: not_encrypted/);
  });

  it('reads a 7E1 meter read at 8N1, and a hex capture of the same telegrams', async () => {
    const meter = new SimulatedP1Meter('E0044007382246019', { parityBit: true });
    const parity = await decode([file('p1-7e1.bin', meter.stream(start, 3))]);
    expect(parity.lines).toHaveLength(3);
    const plain = new SimulatedP1Meter('E0044007382246019').stream(start, 3);
    const hex = await decode([file('p1.hex', `# three telegrams\n${plain.toString('hex').match(/.{1,64}/g)!.join('\n')}\n`)]);
    expect(hex.lines).toHaveLength(3);
  });

  it('reads encrypted telegrams with the keys given, and says once that Smarty frames verified with their fixed key', async () => {
    const keys = { encryption: Buffer.alloc(16, 0x11), authentication: Buffer.alloc(16, 0x22) };
    const meter = new SimulatedP1Meter('E0044007382246019', { encryption: { keys, systemTitle: Buffer.from('SAGTEST1') } });
    const r = await decode(['--encryption-key', keys.encryption.toString('hex'), '--authentication-key', keys.authentication.toString('hex'), file('p1-enc.bin', meter.stream(start, 4))]);
    expect(r.lines).toHaveLength(4);
    expect(r.stderr).toMatch(/key check: authenticated/);

    const smarty = encrypted.find((e) => e.id === 'esphome-libs-smarty-encrypted-packet')!;
    const s = await decode(['--encryption-key', smarty.keys.encryption, file('smarty.bin', Buffer.from(smarty.hex.repeat(3), 'hex'))]);
    expect(s.lines).toHaveLength(3);
    expect(s.stderr.match(/Luxembourg Smarty P1 specification/g)).toHaveLength(1);
  });

  it('says once what a telegram held that was not read, and why; a telegram with a wrong CRC is a checksum error', async () => {
    const odd = resigned(telegram('ndokter-v5').telegram.replace('1-0:1.7.0', '1-0:99.99.9(1)\r\n1-0:1.7.0'));
    const bad = telegram('ndokter-v5').telegram.replace('000004.426', '000004.427');
    const r = await decode([file('p1-odd.bin', Buffer.concat([bytesOf(odd), bytesOf(odd), bytesOf(bad), bytesOf(odd)]))]);
    expect(r.lines).toHaveLength(3);
    expect(r.stderr.match(/skipped 1-0:99\.99\.9\.255: an OBIS code PowerMeter does not know/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/frame 3 rejected \(checksum\): P1 telegram of \d+ bytes failed its checksum/);
  });
});

describe('the simulated P1 meter', () => {
  it(`sends valid telegrams at its cadence, whose values count up, with the S/W flag of its zone`, () => {
    const meter = new SimulatedP1Meter('E0044007382246019', { timeZone: 'Europe/Amsterdam', cadenceSeconds: 10 });
    const decoder = new Decoder({ timeZone: 'Europe/Amsterdam' });
    const frames = [...decoder.push(meter.stream(start, 30)), ...decoder.end()].map((r) => {
      if (!r.ok) throw new Error(r.error.message);
      return r.frame;
    });
    expect(frames).toHaveLength(30);
    expect(frames.map((f) => Date.parse(f.meterTime!) - start.getTime())).toEqual(Array.from({ length: 30 }, (_, i) => i * 10_000));
    expect(frames[0]!.meterTime).toBe('2026-03-29T01:59:50+01:00');
    expect(frames[1]!.meterTime).toBe('2026-03-29T03:00:00+02:00');
    const total = frames.map((f) => f.readings.find((r) => r.key === 'active_energy_import')!.value);
    expect(total.every((v, i) => i === 0 || v >= total[i - 1]!)).toBe(true);
    expect(frames[29]!.subMeters?.[0]).toMatchObject({ channel: 1, type: 'gas', unit: 'm³' });
  });
});
