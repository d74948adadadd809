import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CaptureReader } from '../decode/capture-reader.js';
import { bareApdu, Decoder, type DecodedFrame, type DecodeResult } from '../decode/decoder.js';
import { KeyCheck, securityAdvice } from '../core/key-check.js';
import { OptionsError, UnsupportedListError } from '../base/errors.js';
import { parseKey } from '../dlms/keys.js';
import { profileIds } from '../obis/profiles/index.js';
import type { SubMeter } from '../obis/readings.js';

export const decodeUsage = `usage: powermeter decode [--encryption-key KEY] [--authentication-key KEY] [--energy-multiplier N] [--profile ID] [--dump] [FILE]

Decodes a capture (hex text or raw bytes; standard input when FILE is absent or -) and prints one JSON line per
frame as it is decoded, however long the capture. A capture of a P1 port (DSMR text telegrams, or the encrypted ones
of Luxembourg and Austria) is read as it came from the serial port; its times are read in the time zone TZ names. Frames that cannot be decoded are reported on standard error
with the reason; damaged hex is skipped to the next frame and said with its line. A KEY is 32 hex digits, with
spaces, colons or 0x as you like, or the byte list 0x5A, 0xD8, … that Arduino sketches print.
--dump prints every value of a list no profile knows (OBIS code, A-XDR type, raw value, scaler and unit when the list
sends them), once per list: what CONTRIBUTING.md's "Adding a meter" starts from.
Exit status: 0 when a frame was decoded, 1 when none was, 2 on bad arguments.`;

/** DLMS unit enumeration (Blue Book, class 3 scaler_unit), the units meters send: for --dump. */
const unitNames: Readonly<Record<number, string>> = { 27: 'W', 28: 'VA', 29: 'var', 30: 'Wh', 31: 'VAh', 32: 'varh', 33: 'A', 35: 'V', 44: 'Hz', 255: 'no unit' };

/** The lines --dump prints for a list no profile knows. */
export function dumpLines(index: number, error: UnsupportedListError): string[] {
  const lines = [`frame ${index}: ${error.values.length} values of a list no profile knows:`];
  error.values.forEach((v, i) => {
    const unit = v.unit === undefined ? '' : ` unit ${v.unit}${unitNames[v.unit] ? ` (${unitNames[v.unit]})` : ''}`;
    const scaler = v.scaler === undefined ? '' : ` scaler ${v.scaler}`;
    lines.push(`  ${String(i + 1).padStart(3)}  ${(v.obis ?? '(no OBIS code)').padEnd(16)}  ${v.type.padEnd(20)}  ${v.value}${scaler}${unit}`);
  });
  return lines;
}

export function parseEnergyMultiplier(text: string | undefined, option: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw OptionsError.of(option, 'must be a positive number of Wh per raw energy unit (10 for Danish Kamstrup meters, 1 for meters that send Wh)');
  return n;
}

/** A P1 sub-meter's key in the JSON line: its type; its channel is in its OBIS code (`0-2:24.2.1.255`). */
const subMeterKey = (s: SubMeter): string => (s.type === null ? 'm_bus' : s.type.replace('-', '_'));

/**
 * The JSON line for one frame: stable field order, readings without internal fields. A P1 telegram's details and
 * sub-meters are readings of the line too (a sub-meter's and a peak's `at` is when the value was taken), and its
 * failure log and peak history follow when it sent them.
 */
export function frameJson(f: DecodedFrame): string {
  // Written out rather than built as objects for JSON.stringify: that was 30 % of `decode` on Danish frames (issue
  // #30). The same text, field for field (test/cli-decode.test.ts compares the two).
  let readings = '';
  for (const r of f.readings) readings += `${readingHead(r.key, r.obis)}${number(r.value)},"unit":${quotedOrNull(r.unit)}${r.at === undefined ? '' : `,"at":${JSON.stringify(r.at)}`}}`;
  for (const d of f.details ?? []) readings += `,{"key":${quoted(d.key)},"obis":${quoted(d.obis)},"value":${typeof d.value === 'number' ? number(d.value) : quotedOrNull(d.value)},"unit":${quotedOrNull(d.unit)}}`;
  for (const m of f.subMeters ?? []) readings += `,{"key":${quoted(subMeterKey(m))},"obis":${quoted(m.obis)},"value":${number(m.value)},"unit":${quoted(m.unit)},"at":${JSON.stringify(m.capturedAt)}}`;
  // What meter_keys are chosen by, the system title, is printed so that a user can read it off a capture.
  return (
    `{"meterId":${quotedOrNull(f.meterId)},"systemTitle":${quotedOrNull(f.systemTitle)},"meterTime":${JSON.stringify(f.meterTime)},"list":${quotedOrNull(f.list)},"readings":[${readings.slice(1)}]` +
    (f.powerFailureLog === undefined ? '' : `,"powerFailureLog":${JSON.stringify(f.powerFailureLog)}`) +
    (f.demandHistory === undefined ? '' : `,"demandHistory":${JSON.stringify(f.demandHistory)}`) +
    '}'
  );
}

/** Keys, OBIS codes, units, meter ids and lists come again in every frame: each one's JSON form is made once (a bounded memo; times are not kept). */
const quotedMemo = new Map<string, string>();
function quoted(text: string): string {
  let q = quotedMemo.get(text);
  if (q === undefined) {
    q = JSON.stringify(text);
    if (quotedMemo.size < 1024) quotedMemo.set(text, q);
  }
  return q;
}
/** A reading's line up to its value, `,{"key":…,"obis":…,"value":`, made once per register (a bounded memo). */
const heads = new Map<string, Map<string, string>>();
function readingHead(key: string, obis: string): string {
  let byObis = heads.get(key);
  if (byObis === undefined) {
    byObis = new Map();
    if (heads.size < 1024) heads.set(key, byObis);
  }
  let h = byObis.get(obis);
  if (h === undefined) {
    h = `,{"key":${quoted(key)},"obis":${quoted(obis)},"value":`;
    if (byObis.size < 64) byObis.set(obis, h);
  }
  return h;
}
const quotedOrNull = (text: string | null | undefined): string => (text === null || text === undefined ? 'null' : quoted(text));
/** As JSON.stringify writes a number: a finite one as String does, any other as null (ECMA-262 SerializeJSONProperty). */
const number = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** Distinct notes of skipped objects said per capture; a capture of a noisy line could hold many. */
const MAX_SKIP_NOTES = 50;

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The capture when no file is named. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/**
 * Output written in batches of this many bytes: one write per frame was a sixth of the time. Input read this much at
 * a time: the frames of one chunk wait for the output together. 16 kB each, not 64 and 32: what a chunk's frames hold
 * outlived V8's young generation and grew the heap; on 20 000 Danish frames the peak was 69.6 MiB, now 62.2, for 7 %
 * more time (npm run bench -- decode, issue #30: under 64 MiB).
 */
const BATCH = 16 * 1024;
const READ_CHUNK = 16 * 1024;
/** A capture that holds one bare APDU (other tools' debug logs) is decoded as such: kept up to this size. */
const BARE_APDU_MAX = 64 * 1024;

/** Lines to a stream in batches, waiting when it is full: memory stays flat however much is written. */
class Batched {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly stream: Writable) {}
  /** Adds a line; `flush` writes it out. */
  add(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
  }
  get full(): boolean {
    return this.size >= BATCH;
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}

export async function runDecode(argv: string[], io: Io): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'encryption-key': { type: 'string' },
        'authentication-key': { type: 'string' },
        'energy-multiplier': { type: 'string' },
        profile: { type: 'string' },
        dump: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    say(`powermeter decode: ${(error as Error).message}\n${decodeUsage}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout.write(`${decodeUsage}\n`);
    return 0;
  }
  if (args.positionals.length > 1) {
    say(`powermeter decode: one capture file at most\n${decodeUsage}`);
    return 2;
  }
  const file = args.positionals[0];
  if ((file === undefined || file === '-') && io.stdin.isTTY) {
    // Nothing piped in: waiting silently for a terminal's input would look like a hang.
    say(`powermeter decode: give a capture file, or pipe one in\n${decodeUsage}`);
    return 2;
  }
  let options;
  try {
    options = {
      keys: {
        encryption: parseKey(args.values['encryption-key'], '--encryption-key'),
        authentication: parseKey(args.values['authentication-key'], '--authentication-key'),
      },
      energyMultiplier: parseEnergyMultiplier(args.values['energy-multiplier'], '--energy-multiplier'),
      profile: args.values.profile,
    };
    if (options.profile !== undefined && options.profile !== 'auto' && !profileIds.includes(options.profile)) {
      throw OptionsError.of('--profile', `must be auto or one of ${profileIds.join(', ')}`);
    }
  } catch (error) {
    say(`powermeter decode: ${(error as Error).message}`);
    return 2;
  }
  const input = file === undefined || file === '-' ? io.stdin : createReadStream(file, { highWaterMark: READ_CHUNK });

  const out = new Batched(io.stdout);
  const err = new Batched(io.stderr);
  const decoder = new Decoder(options);
  const keyCheck = new KeyCheck(Infinity);
  let decoded = 0;
  let index = 0;
  /** The unit rules already said, each once (a capture holds one meter, or a few). */
  const rulesSaid = new Set<string>();
  /** What P1 telegrams held that was not read, each said once. */
  const skipsSaid = new Set<string>();
  let smartySaid = false;
  /** The lists already dumped, by their shape: a capture holds the same list many times. */
  const dumped = new Set<string>();
  // Results are kept only until the output takes them: a batch at most, written between chunks of input.
  const take = (result: DecodeResult) => {
    index++;
    keyCheck.observe(result, index);
    if (result.ok) {
      decoded++;
      out.add(frameJson(result.frame));
      const rule = result.frame.unitRule;
      if (rule !== null && !rulesSaid.has(rule)) {
        rulesSaid.add(rule);
        err.add(`note: ${result.frame.list ?? 'the list'} sends values without their units; they are read by a rule, not a specification: ${rule}`);
      }
      for (const s of result.frame.skipped ?? []) {
        const note = `${s.what}: ${s.reason}`;
        if (skipsSaid.has(note) || skipsSaid.size > MAX_SKIP_NOTES) continue;
        skipsSaid.add(note);
        err.add(skipsSaid.size > MAX_SKIP_NOTES ? `note: more objects were skipped than are listed here` : `note: frame ${index}: skipped ${note}`);
      }
      if (result.frame.fixedAuthenticationKey === 'smarty' && !smartySaid) {
        smartySaid = true;
        err.add('note: no authentication key was given: the frames verified with the one the Luxembourg Smarty P1 specification fixes for every meter (00112233445566778899AABBCCDDEEFF)');
      }
    } else {
      err.add(`frame ${index} rejected (${result.error.reason}): ${result.error.message}`);
      const e = result.error;
      if (args.values.dump === true && e instanceof UnsupportedListError && e.values.length > 0) {
        const shape = e.values.map((v) => `${v.obis ?? ''}:${v.type}`).join(' ');
        if (!dumped.has(shape)) {
          dumped.add(shape);
          for (const line of dumpLines(index, e)) out.add(line);
        }
      }
    }
  };
  let head: Buffer[] | null = [];
  let headSize = 0;
  const reader = new CaptureReader(
    (bytes) => {
      if (head !== null) {
        head.push(bytes);
        headSize += bytes.length;
        if (headSize > BARE_APDU_MAX) head = null;
      }
      decoder.feed(bytes, take);
    },
    (message) => err.add(`capture ${message}`),
  );
  const drain = async () => {
    if (out.full) await out.flush();
    if (err.full) await err.flush();
  };
  try {
    for await (const chunk of input as AsyncIterable<unknown>) {
      reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'latin1'));
      await drain();
    }
  } catch (error) {
    say(`powermeter decode: cannot read ${file ?? 'standard input'}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 2;
  }
  reader.end();
  for (const result of decoder.end()) take(result);
  // No frame at all, but a bare APDU, as other tools' debug logs print them.
  const bare = index === 0 && head !== null ? bareApdu(Buffer.concat(head)) : null;
  if (bare) take(decoder.decode(bare));
  await out.flush();
  if (index === 0) err.add("no frame found in the input: is it a capture of the meter's HAN or P1 port?");
  err.add(`key check: ${keyCheck.state}: ${securityAdvice[keyCheck.state]}`);
  await err.flush();
  return decoded > 0 ? 0 : 1;
}
