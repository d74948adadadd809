import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCapture } from '../capture.js';
import { decodeCapture, type DecodedFrame } from '../decoder.js';
import { KeyCheck, securityAdvice } from '../diagnostics/key-check.js';
import { OptionError } from '../errors.js';
import { parseKey } from '../keys.js';
import { profileIds } from '../obis/profiles/index.js';

export const decodeUsage = `usage: powermeter decode [--encryption-key HEX] [--authentication-key HEX] [--energy-multiplier N] [--profile ID] [FILE]

Decodes a capture (hex text or raw bytes; standard input when FILE is absent) and prints one JSON line per
frame. Frames that cannot be decoded are reported on standard error with the reason.
Exit status: 0 when a frame was decoded, 1 when none was, 2 on bad arguments.`;


export function parseEnergyMultiplier(text: string | undefined, option: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new OptionError(option, 'must be a positive number of Wh per raw energy unit (10 for Danish Kamstrup meters, 1 for meters that send Wh)');
  return n;
}

/** The JSON line for one frame: stable field order, readings without internal fields. */
export function frameJson(f: DecodedFrame): string {
  return JSON.stringify({
    meterId: f.meterId,
    // What meter_keys are chosen by: printed so that a user can read it off a capture.
    systemTitle: f.systemTitle,
    meterTime: f.meterTime,
    list: f.list,
    readings: f.readings.map((r) => ({ key: r.key, obis: r.obis, value: r.value, unit: r.unit })),
  });
}

export interface Io {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly stdin: () => Buffer;
}

export function runDecode(argv: string[], io: Io): number {
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`powermeter decode: ${(error as Error).message}\n${decodeUsage}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(decodeUsage);
    return 0;
  }
  if (args.positionals.length > 1) {
    io.stderr(`powermeter decode: one capture file at most\n${decodeUsage}`);
    return 2;
  }
  let options;
  let bytes: Uint8Array;
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
      throw new OptionError('--profile', `must be auto or one of ${profileIds.join(', ')}`);
    }
    const file = args.positionals[0];
    bytes = parseCapture(file === undefined || file === '-' ? io.stdin() : readFileSync(file));
  } catch (error) {
    io.stderr(`powermeter decode: ${(error as Error).message}`);
    return 2;
  }
  let decoded = 0;
  let index = 0;
  const keyCheck = new KeyCheck(Infinity);
  for (const result of decodeCapture(bytes, options)) {
    index++;
    keyCheck.observe(result, index);
    if (result.ok) {
      decoded++;
      io.stdout(frameJson(result.frame));
    } else {
      io.stderr(`frame ${index} rejected (${result.error.reason}): ${result.error.message}`);
    }
  }
  if (index === 0) io.stderr('no frame found in the input: is it a capture of the meter\'s HAN port?');
  io.stderr(`key check: ${keyCheck.state}: ${securityAdvice[keyCheck.state]}`);
  return decoded > 0 ? 0 : 1;
}
