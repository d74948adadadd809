import { pathToFileURL } from 'node:url';
import type { Decoder } from '../src/decode/decoder.js';
import { danishFrame as frame, danishKeys as keys } from './danish.js';
import { compare } from './decode.js';

/**
 * Two builds of the decoder side by side, in alternating short rounds of one process (`compare` in decode.ts), so
 * that both see the same machine: the A/B that decides whether a memo or a hand-made table earns its place
 * (CONTRIBUTING.md). Run with the add-on's flags by `npm run bench -- compare OTHER`, where OTHER is another checkout
 * that has run `npm run build`.
 */
type DecoderClass = new (options: { keys?: { encryption: Buffer; authentication: Buffer } }) => Decoder;

const other = process.argv[2];
if (!other) throw new Error('usage: npm run bench -- compare OTHER_CHECKOUT');
const theirs = ((await import(pathToFileURL(`${other}/dist/src/decoder.js`).href)) as { Decoder: DecoderClass }).Decoder;
const ours = ((await import('../src/decode/decoder.js')) as { Decoder: DecoderClass }).Decoder;

function runner(D: DecoderClass): () => void {
  const decoder = new D({ keys });
  return () => {
    if (!decoder.push(frame)[0]?.ok) throw new Error('the benchmark frame did not decode');
  };
}

const { a, b, ratio } = compare(8, runner(ours), runner(theirs));
console.log(`${other}: ${Math.round(b).toLocaleString('en-US')} frames/s; this checkout: ${Math.round(a).toLocaleString('en-US')} frames/s; ratio ${ratio.toFixed(3)} (median of alternating rounds; the same build against itself gives 0.98–1.02)`);
