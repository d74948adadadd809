import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Decoder } from '../src/decode/decoder.js';
import { SimulatedP1Meter } from '../src/simulator/p1.js';
import { compare } from './decode.js';

/**
 * P1 telegrams per second, PowerMeter's decoder beside the peers a user would compare it with, on the same telegrams
 * handed over in the same chunks, in alternating rounds of one process (run by `npm run bench -- p1` with the add-on's
 * Node flags, and with a JIT). The telegrams are a DSMR 5 meter's with a gas meter (src/simulator/p1.ts: 40 lines, as
 * a Dutch meter sends every second).
 *
 * The peers are not dependencies of the project (npm install adds nothing for a benchmark): the bench loads them
 * where they are installed, from `POWERMETER_BENCH_PEERS` (a folder whose node_modules holds them) or this checkout's
 * node_modules, and says how to get one that is missing.
 * - `@athombv/dsmr-parser` (ISC; Homey's P1 reader): a stream parser, fed the same chunks as PowerMeter's.
 * - `dsmr-parser` (MIT, robertklep): parses one whole telegram from a string; it has no framer, so it gets whole
 *   telegrams, which spares it the work of finding them.
 */

const TELEGRAMS = 600;
const chunkSize = Number(process.argv[3] ?? 128);
const seconds = Number(process.argv[2] ?? 6);

type Callback = (error: Error | null, result?: unknown) => void;
type StreamParserClass = new (options: { stream: EventEmitter; callback: Callback }) => unknown;

// In the process's own zone, as the add-on runs (the Supervisor sets TZ; `npm run bench -- p1` sets Europe/Amsterdam).
const meter = new SimulatedP1Meter('E0044007382246019');
const start = Date.UTC(2026, 0, 15, 12);
const telegrams = Array.from({ length: TELEGRAMS }, (_, i) => meter.telegram(new Date(start + i * 1000), 1));
const chunksOf = (t: Buffer): Buffer[] => Array.from({ length: Math.ceil(t.length / chunkSize) }, (_, i) => t.subarray(i * chunkSize, (i + 1) * chunkSize));
const chunked = telegrams.map(chunksOf);
const texts = telegrams.map((t) => t.toString('latin1'));

function resolveFrom(name: string): string | null {
  const roots = [process.env.POWERMETER_BENCH_PEERS, process.cwd()].filter((r): r is string => !!r);
  for (const root of roots) {
    try {
      return createRequire(join(root, 'noop.js')).resolve(name);
    } catch {
      // not installed there
    }
  }
  return null;
}

const hasProperty = <K extends string>(o: unknown, key: K): o is Record<K, unknown> => typeof o === 'object' && o !== null && key in o;

async function load(name: string): Promise<unknown> {
  const path = resolveFrom(name);
  if (path === null) return null;
  return import(pathToFileURL(path).href) as Promise<unknown>;
}

const line = (label: string, perSecond: number): void => console.log(`${label.padEnd(58)} ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} telegrams/s`);

let sink = 0;
let i = 0;
const decoder = new Decoder();
const ours = () => {
  const k = i++ % TELEGRAMS;
  let n = 0;
  for (const c of chunked[k]!) for (const r of decoder.push(c)) if (r.ok) n += r.frame.readings.length;
  if (n === 0) throw new Error('a telegram did not decode');
  sink += n;
};

console.log(`${TELEGRAMS} DSMR 5 telegrams with a gas meter (${telegrams[0]!.length} bytes each), in chunks of ${chunkSize} bytes:`);
let peers = 0;
/** PowerMeter against one peer, in alternating rounds; or how to install the peer where `theirs` is null. */
function against(peer: string, label: string, install: string, theirs: (() => void) | null): void {
  if (theirs === null) {
    console.log(`${peer} is not installed: ${install}`);
    return;
  }
  const r = compare(seconds, ours, theirs);
  line(peers++ === 0 ? 'PowerMeter (frame, check CRC, parse, map to readings)' : 'PowerMeter (as above)', r.a);
  line(label, r.b);
  console.log(`${`ratio PowerMeter / ${peer} (median of rounds)`.padEnd(58)} ${r.ratio.toFixed(2).padStart(9)}`);
}

const athombv = await load('@athombv/dsmr-parser');
let athombvParse: (() => void) | null = null;
if (hasProperty(athombv, 'UnencryptedDSMRStreamParser') && typeof athombv.UnencryptedDSMRStreamParser === 'function') {
  const Parser = athombv.UnencryptedDSMRStreamParser as StreamParserClass;
  const stream = new EventEmitter();
  let parsed = 0;
  new Parser({ stream, callback: (error) => (error ? undefined : parsed++) });
  let j = 0;
  athombvParse = () => {
    const before = parsed;
    for (const c of chunked[j++ % TELEGRAMS]!) stream.emit('data', c);
    if (parsed !== before + 1) throw new Error('@athombv/dsmr-parser did not parse a telegram');
  };
}
against('@athombv/dsmr-parser', '@athombv/dsmr-parser (its stream parser)', '`npm install --no-save @athombv/dsmr-parser`, or build athombv/node-dsmr-parser and name the folder whose node_modules holds it in POWERMETER_BENCH_PEERS', athombvParse);

const klep = await load('dsmr-parser');
const parse = hasProperty(klep, 'default') && hasProperty(klep.default, 'parse') && typeof klep.default.parse === 'function' ? (klep.default.parse as (telegram: string) => unknown).bind(klep.default) : null;
let k = 0;
against(
  'dsmr-parser',
  'dsmr-parser (one whole telegram from a string, no framing)',
  '`npm install --no-save dsmr-parser`, or name the folder whose node_modules holds it in POWERMETER_BENCH_PEERS',
  parse &&
    (() => {
      const result = parse(texts[k++ % TELEGRAMS]!);
      if (!hasProperty(result, 'objects')) throw new Error('dsmr-parser did not parse a telegram'); // it throws on a bad CRC
    }),
);
// Without a peer, PowerMeter's own rate still: against itself, in the same rounds.
if (peers === 0) line('PowerMeter (frame, check CRC, parse, map to readings)', compare(seconds, ours, ours).a);
if (sink < 0) console.log(sink);
