import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Decoder } from '../src/decoder.js';

interface VectorFile {
  id: string;
  hex: string;
  keys: { encryption: string; authentication: string } | null;
}

/** The Danish Radius frame: 491 bytes, SC 0x30. */
export function danishFrame(): { frame: Buffer; keys: { encryption: Buffer; authentication: Buffer } } {
  const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/public-vectors.json', import.meta.url), 'utf8')) as VectorFile[];
  const v = vectors.find((x) => x.id === 'dk-kamstrup-omnipower-radius-encrypted-1')!;
  return { frame: Buffer.from(v.hex, 'hex'), keys: { encryption: Buffer.from(v.keys!.encryption, 'hex'), authentication: Buffer.from(v.keys!.authentication, 'hex') } };
}

function rate(label: string, seconds: number, fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    now = process.hrtime.bigint();
  }
  const perSecond = n / (Number(now - start) / 1e9);
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} frames/s`);
  return perSecond;
}

export function benchDecode(seconds = 3): { full: number; bare: number } {
  const { frame, keys } = danishFrame();
  const decoder = new Decoder({ keys });
  let sink = 0;
  const full = rate('full decode (deframe, verify, decrypt, map)', seconds, () => {
    const [r] = decoder.push(frame);
    if (!r?.ok) throw new Error('the benchmark frame did not decode');
    sink += r.frame.readings.length;
  });
  // Bare AES-128-GCM over the same payload: IV = system title ‖ frame counter, AAD = SC ‖ AK, 12-byte tag.
  const iv = Buffer.concat([frame.subarray(13, 21), frame.subarray(25, 29)]);
  const aad = Buffer.concat([frame.subarray(24, 25), keys.authentication]);
  const ciphertext = frame.subarray(29, frame.length - 3 - 12);
  const tag = frame.subarray(frame.length - 3 - 12, frame.length - 3);
  const bare = rate('bare AES-128-GCM decryption (node:crypto)', seconds, () => {
    const d = createDecipheriv('aes-128-gcm', keys.encryption, iv, { authTagLength: 12 });
    d.setAAD(aad);
    d.setAuthTag(tag);
    sink += d.update(ciphertext).length;
    d.final();
  });
  console.log(`${'ratio full / bare'.padEnd(44)} ${(full / bare).toFixed(2).padStart(10)}   (goal: at least 0.50)`);
  if (sink < 0) console.log(sink);
  return { full, bare };
}
