import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../src/decode/capture-reader.js';
import { parseKey } from '../src/dlms/keys.js';
import { bytesOf, danish, danishKeys, extraVectors, vector, vectors } from './support/vectors.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { frameJson, runDecode } from '../src/commands/decode.js';
import { decodeCapture, type DecodedFrame } from '../src/decode/decoder.js';
import { bytesOf as latin1, telegrams, wire, zoneOf } from './p1-fixtures.js';
import { PassThrough, Readable } from 'node:stream';

const run = promisify(execFile);
const bin = new URL('../bin/powermeter', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'powermeter-decode-'));
const ek = danish.keys!.encryption!;
const ak = danish.keys!.authentication!;

async function decode(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(bin, ['decode', ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('keys as users paste them', () => {
  const want = Buffer.from(ek, 'hex');
  it.each([ek, ek.toLowerCase(), `0x${ek}`, ek.match(/../g)!.join(' '), ek.match(/../g)!.join(':'), `  ${ek}\n`])('accepts %j', (text) => {
    expect(Buffer.from(parseKey(text, 'encryption_key')!)).toEqual(want);
  });
  it('treats empty as not set', () => expect(parseKey('  ', 'encryption_key')).toBeUndefined());
  it.each([ek.slice(2), `${ek}00`, `${ek.slice(1)}G`])('rejects %j naming the option and the form, not the value', (text) => {
    expect(() => parseKey(text, 'encryption_key')).toThrow(/^encryption_key: must be 32 hexadecimal digits/);
    try {
      parseKey(text, 'encryption_key');
    } catch (error) {
      expect((error as Error).message).not.toContain(text.slice(4, 20));
    }
  });
});

describe('capture files', () => {
  it('reads hex with comments, 0x prefixes and line breaks, or raw bytes', () => {
    const raw = bytesOf(danish);
    const hex = `# a comment\n0x${raw.subarray(0, 100).toString('hex')}\n  ${raw.subarray(100).toString('hex').toUpperCase().match(/.{1,32}/g)!.join('\n')}\n`;
    expect(readCapture(Buffer.from(hex))).toEqual(raw);
    expect(readCapture(raw)).toEqual(raw);
  });
});

describe('powermeter decode', () => {
  const danishHex = file('danish.hex', `# Radius example\n${danish.hex}\n`);

  it('prints the Danish meter with the Radius keys', async () => {
    const r = await decode(['--encryption-key', ek, '--authentication-key', ak, danishHex]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const frame = JSON.parse(lines[0]!) as { meterId: string; systemTitle: string | null; meterTime: string; list: string; readings: { key: string; obis: string; value: number; unit: string | null }[] };
    expect(Object.keys(frame)).toEqual(['meterId', 'systemTitle', 'meterTime', 'list', 'readings']);
    expect(frame.meterId).toBe('27581522');
    // "KAME" and the meter number 27581522 (0x01A4DC52): what meter_keys is keyed by.
    expect(frame.systemTitle).toBe('4B414D4501A4DC52');
    expect(frame.meterTime).toBe('2020-01-07T14:47:20');
    expect(frame.list).toBe('kamstrup-dlms-push-1');
    expect(frame.readings[0]).toEqual({ key: 'active_energy_import', obis: '1-1:1.8.0.255', value: 8666.36, unit: 'kWh' });
    expect(r.stderr).toBe('key check: authenticated: keys right: the frames authenticate and decrypt\n');
  });

  it('reads raw binary from standard input', async () => {
    const path = file('danish.bin', bytesOf(danish));
    const { stdout } = await run('sh', ['-c', `"${bin}" decode --encryption-key ${ek} --authentication-key ${ak} < "${path}"`]);
    expect(JSON.parse(stdout) as { meterId: string }).toMatchObject({ meterId: '27581522' });
  });

  it('names the wrong key and exits 1, without printing either key', async () => {
    const wrongAuth = await decode(['--encryption-key', ek, '--authentication-key', ak.replace(/.$/, '1'), danishHex]);
    expect(wrongAuth.code).toBe(1);
    expect(wrongAuth.stderr).toMatch(/wrong-authentication-key/);
    const wrongEnc = await decode(['--encryption-key', ek.replace(/^./, 'F'), '--authentication-key', ak, danishHex]);
    expect(wrongEnc.stderr).toMatch(/wrong-encryption-key/);
    expect(wrongAuth.stderr).toMatch(/key check: wrong_authentication_key: .*GPK61/);
    expect(wrongEnc.stderr).toMatch(/key check: wrong_encryption_key: .*GPK60/);
    for (const out of [wrongAuth, wrongEnc]) {
      for (const k of [ek, ak, ek.toLowerCase(), ak.toLowerCase()]) expect(out.stdout + out.stderr).not.toContain(k.slice(0, 12));
    }
  });

  it('decodes with keys entered the wrong way round, and says they are swapped', async () => {
    const swapped = await decode(['--encryption-key', ak, '--authentication-key', ek, danishHex]);
    expect(swapped.code).toBe(0);
    expect(JSON.parse(swapped.stdout) as { meterId: string }).toMatchObject({ meterId: '27581522' });
    expect(swapped.stderr).toMatch(/key check: keys_swapped: .*GPK60 is the encryption key, GPK61 the authentication key/);
  });

  it('says when no key is set, and when a frame fails its checksum', async () => {
    const noKey = await decode([danishHex]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/key-missing.*encryption key/);
    expect(noKey.stderr).toMatch(/key check: key_missing/);
    const corrupt = await decode([file('gh244.hex', vector('dk-kamstrup-omnipower-gh244-1-fcs-corrupt').hex)]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/checksum/);
  });

  it('exits 2 on bad arguments: a malformed key, an unknown option, a missing file', async () => {
    const badKey = await decode(['--encryption-key', 'abc', danishHex]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/--encryption-key: must be 32 hexadecimal digits/);
    expect((await decode(['--bogus', danishHex])).code).toBe(2);
    expect((await decode([join(dir, 'missing.hex')])).code).toBe(2);
    expect((await decode(['--energy-multiplier', '-3', danishHex])).code).toBe(2);
  });

  it('reads a damaged capture to the end: a frame cut short, odd digits and stray characters cost only their frame', async () => {
    const sim = new SimulatedMeter(57_000_002, danishKeys, { timeZone: 'UTC' });
    const frames = Array.from({ length: 5 }, (_, i) => sim.frame(new Date(Date.UTC(2026, 0, 1, 0, 0, 10 * i)), 10).toString('hex').toUpperCase());
    const damaged = [
      `# five frames, three damaged`,
      frames[0],
      frames[1]!.slice(0, 201), // cut short, mid-byte, as a full disk leaves a capture
      frames[2],
      `${frames[3]!.slice(0, 80)}zz${frames[3]!.slice(82)}`, // a stray character
      frames[4],
    ].join('\n');
    const r = await decode(['--encryption-key', ek, '--authentication-key', ak, file('damaged.hex', damaged)]);
    expect(r.code).toBe(0);
    const decoded = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { meterId: string; meterTime: string });
    expect(decoded.map((f) => f.meterTime)).toEqual(['2026-01-01T00:00:00', '2026-01-01T00:00:20', '2026-01-01T00:00:40']);
    expect(r.stderr).toMatch(/capture line 3: an odd number of hex digits/);
    expect(r.stderr).toMatch(/capture line 5, column 81: "z" is not a hex digit; the rest of the line is skipped/);
  });

  it('streams a long capture: each frame decoded and written as it comes', async () => {
    const sim = new SimulatedMeter(57_000_003, danishKeys, { timeZone: 'UTC' });
    const lines = Array.from({ length: 2000 }, (_, i) => sim.frame(new Date(Date.UTC(2026, 0, 1) + i * 10_000), 10).toString('hex'));
    const r = await decode(['--encryption-key', ek, '--authentication-key', ak, file('long.hex', lines.join('\n'))]);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(2000);
    expect((JSON.parse(out[1999]!) as { meterTime: string }).meterTime).toBe('2026-01-01T05:33:10');
  });

  it('answers --help, help and --version; on a terminal with no file it prints its usage instead of waiting', async () => {
    expect((await run(bin, ['--help'])).stdout).toMatch(/^usage: powermeter <command>/);
    expect((await run(bin, ['help'])).stdout).toMatch(/decode \[FILE\]/);
    expect((await run(bin, ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await decode(['--help'])).stdout).toMatch(/^usage: powermeter decode/);
    const stderr = new PassThrough();
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    expect(await runDecode([], { stdout: new PassThrough(), stderr, stdin: tty })).toBe(2);
    expect((stderr.read() as Buffer).toString()).toMatch(/give a capture file, or pipe one in/);
  });

  it('takes the keys as Arduino sketches print them', async () => {
    const list = (k: string) => `{${k.match(/../g)!.map((b) => `0x${b}`).join(', ')}}`;
    const r = await decode(['--encryption-key', list(ek), '--authentication-key', list(ak), danishHex]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/key check: authenticated/);
  });

  it('reads an APDU logged with its LLC header, and says once by what rule it reads values sent without units', async () => {
    const llc = extraVectors.find((v) => v.id === 'si-iskra-am550-gh869-8-10-values-llc')!;
    const r = await decode([file('llc.hex', `${llc.hex}\n`)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ meterId: 'ISK1020785766649', list: 'iskra-am550-si-10' });
    expect(r.stderr.match(/^note: .*by a rule/gm)).toHaveLength(1);
    const twice = await decode([file('twice.hex', `${extraVectors.find((v) => v.id === 'si-iskra-am550-gh869-1-9-values')!.hex}\n`.repeat(2))]);
    expect(twice.stdout.trim().split('\n')).toHaveLength(2);
    expect(twice.stderr.match(/^note: .*by a rule/gm)).toHaveLength(1);
    expect((await decode([danishHex, '--encryption-key', ek, '--authentication-key', ak])).stderr).not.toMatch(/note:/);
  });
});

/** The JSON line as JSON.stringify wrote it before frameJson wrote it out by hand (issue #30): the reference. */
function reference(f: DecodedFrame): string {
  const readings: object[] = f.readings.map((r) => (r.at === undefined ? { key: r.key, obis: r.obis, value: r.value, unit: r.unit } : { key: r.key, obis: r.obis, value: r.value, unit: r.unit, at: r.at }));
  for (const d of f.details ?? []) readings.push({ key: d.key, obis: d.obis, value: d.value, unit: d.unit });
  for (const m of f.subMeters ?? []) readings.push({ key: m.type === null ? 'm_bus' : m.type.replace('-', '_'), obis: m.obis, value: m.value, unit: m.unit, at: m.capturedAt });
  return JSON.stringify({
    meterId: f.meterId,
    systemTitle: f.systemTitle,
    meterTime: f.meterTime,
    list: f.list,
    readings,
    ...(f.powerFailureLog === undefined ? {} : { powerFailureLog: f.powerFailureLog }),
    ...(f.demandHistory === undefined ? {} : { demandHistory: f.demandHistory }),
  });
}

describe('the JSON line of a frame', () => {
  it('is what JSON.stringify writes, field for field, for every real capture and telegram (details, sub-meters, logs, peaks)', () => {
    const frames: DecodedFrame[] = [];
    for (const v of [...vectors, ...extraVectors]) {
      const keys = v.keys ? { ...(v.keys.encryption ? { encryption: Buffer.from(v.keys.encryption, 'hex') } : {}), ...(v.keys.authentication ? { authentication: Buffer.from(v.keys.authentication, 'hex') } : {}) } : {};
      for (const r of decodeCapture(Buffer.from(v.hex, 'hex'), { keys })) if (r.ok) frames.push(r.frame);
    }
    for (const t of telegrams) for (const r of decodeCapture(latin1(wire(t)), { timeZone: zoneOf(t) })) if (r.ok) frames.push(r.frame);
    expect(frames.length).toBeGreaterThan(60);
    expect(frames.some((f) => (f.subMeters?.length ?? 0) > 0 && f.powerFailureLog !== undefined)).toBe(true);
    expect(frames.some((f) => f.demandHistory !== undefined && (f.details?.length ?? 0) > 0)).toBe(true);
    for (const f of frames) expect(frameJson(f)).toBe(reference(f));
    // and the numbers JSON has no word for
    const odd = { ...frames[0]!, meterTime: null, readings: [{ ...frames[0]!.readings[0]!, value: Number.NaN, unit: 'a "quoted" \\ unit\n' }] };
    expect(frameJson(odd)).toBe(reference(odd));
  });
});
