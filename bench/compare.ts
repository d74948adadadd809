import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Decoder } from '../src/decoder.js';

/**
 * Two builds of the decoder side by side, in alternating short rounds of one process, so that both see the same
 * machine: the A/B that decides whether a memo or a hand-made table earns its place (CONTRIBUTING.md). Run with the
 * add-on's flags by `npm run bench -- compare OTHER`, where OTHER is another checkout that has run `npm run build`.
 */
interface VectorFile {
  id: string;
  hex: string;
  keys: { encryption: string; authentication: string } | null;
}

type DecoderClass = new (options: { keys?: { encryption: Buffer; authentication: Buffer } }) => Decoder;

const other = process.argv[2];
if (!other) throw new Error('usage: npm run bench -- compare OTHER_CHECKOUT');
const theirs = ((await import(pathToFileURL(`${other}/dist/src/decoder.js`).href)) as { Decoder: DecoderClass }).Decoder;
const ours = ((await import('../src/decoder.js')) as { Decoder: DecoderClass }).Decoder;
const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/public-vectors.json', import.meta.url), 'utf8')) as VectorFile[];
const v = vectors.find((x) => x.id === 'dk-kamstrup-omnipower-radius-encrypted-1')!;
const frame = Buffer.from(v.hex, 'hex');
const keys = { encryption: Buffer.from(v.keys!.encryption, 'hex'), authentication: Buffer.from(v.keys!.authentication, 'hex') };

function runner(D: DecoderClass): () => void {
  const decoder = new D({ keys });
  return () => {
    if (!decoder.push(frame)[0]?.ok) throw new Error('the benchmark frame did not decode');
  };
}

/** Frames per second over about `ms` milliseconds. */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms * 1e6);
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const a = runner(theirs);
const b = runner(ours);
for (let i = 0; i < 300; i++) {
  a();
  b();
}
const as: number[] = [];
const bs: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < 20; i++) {
  const ra = rate(a, 200);
  const rb = rate(b, 200);
  as.push(ra);
  bs.push(rb);
  ratios.push(rb / ra);
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`${other}: ${Math.round(median(as)).toLocaleString('en-US')} frames/s; this checkout: ${Math.round(median(bs)).toLocaleString('en-US')} frames/s; ratio ${median(ratios).toFixed(3)} (median of 20 alternating rounds; the same build against itself gives 0.98–1.02)`);
