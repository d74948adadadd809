import fc from 'fast-check';
import { prng as mulberry32 } from '../../rig/prng.js';

/**
 * One seed per test file for every random input: set POWERMETER_TEST_SEED to replay a failure. The seed is printed
 * when a test fails (test/support/setup.ts), and fast-check's properties use it too.
 */
export const seed = process.env.POWERMETER_TEST_SEED ? Number(process.env.POWERMETER_TEST_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
fc.configureGlobal({ seed });

/** A generator of the file's seed, or of another (rig/prng.ts: mulberry32). */
export function prng(s: number = seed): () => number {
  return mulberry32(s);
}

/** The test's random numbers, in [0, 1). */
export const random = prng();

export function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}
