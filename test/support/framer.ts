import { Framer, type FramerOutput } from '../../src/framing/framer.js';

/** Everything a framer makes of `bytes` handed to it in chunks of `sizes(i)` bytes (at least one), its end included. */
export function feedAll(bytes: Uint8Array, sizes: (i: number) => number, framer = new Framer()): FramerOutput[] {
  const out: FramerOutput[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    out.push(...framer.push(bytes.subarray(at, at + n)));
    at += n;
  }
  return [...out, ...framer.end()];
}
