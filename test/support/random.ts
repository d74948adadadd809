import fc from 'fast-check';

/**
 * One seed per test file for every random input: set POWERMETER_TEST_SEED to replay a failure. The seed is printed
 * when a test fails (test/support/setup.ts), and fast-check's properties use it too.
 */
export const seed = process.env.POWERMETER_TEST_SEED ? Number(process.env.POWERMETER_TEST_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
fc.configureGlobal({ seed });

/** mulberry32: a small, fast generator; good enough to vary chunk sizes and keys. */
export function prng(s: number = seed): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The test's random numbers, in [0, 1). */
export const random = prng();

export function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}
