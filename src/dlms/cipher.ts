import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { uint32 } from '../base/bytes.js';
import { ApduError, AuthenticationError, KeyMissingError, UnsupportedSecurityError } from '../base/errors.js';
import { readBerLength } from '../base/ber.js';
import { GENERAL_GLO_CIPHERING } from './apdu.js';

/**
 * general-glo-ciphering (Green Book §9.2.7.2.4):
 * `DB | 08 | system title(8) | BER length | SC | frame counter(4) | ciphertext | tag(12)`.
 * The one place that touches node:crypto. AES-128-GCM, IV = system title ‖ frame counter,
 * AAD = SC ‖ authentication key (‖ plaintext for authentication-only).
 */
export interface Keys {
  readonly encryption?: Uint8Array | undefined;
  readonly authentication?: Uint8Array | undefined;
}

export interface CipheredApdu {
  readonly systemTitle: Uint8Array;
  readonly securityControl: number;
  readonly frameCounter: number;
  readonly payload: Uint8Array;
  readonly tag: Uint8Array | null;
}

/**
 * How a frame was protected, as far as the keys could check it. `encrypted-tag-unchecked`: encrypted and authenticated
 * by the meter, but read with the encryption key alone, its tag not checked (see `decipherWithoutTag`).
 */
export type Protection = 'authenticated-encrypted' | 'encrypted-tag-unchecked' | 'encrypted' | 'authenticated' | 'none';

const SC_AUTHENTICATION = 0x10;
const SC_ENCRYPTION = 0x20;
const SC_BROADCAST_KEY = 0x40;
const SC_COMPRESSION = 0x80;
const TAG_LENGTH = 12;

export function parseCiphered(apdu: Uint8Array): CipheredApdu {
  if (apdu[0] !== GENERAL_GLO_CIPHERING) throw new ApduError('not a general-glo-ciphering APDU');
  const stLength = apdu[1];
  if (stLength !== 8 || apdu.length < 2 + 8 + 1) throw new ApduError('general-glo-ciphering system title is not 8 bytes');
  const systemTitle = apdu.subarray(2, 10);
  const len = readBerLength(apdu, 10);
  if (!len || len.length < 5) throw new ApduError('general-glo-ciphering length is malformed');
  const at = len.next;
  if (at + len.length !== apdu.length) {
    throw new ApduError(`general-glo-ciphering says ${len.length} bytes follow but ${apdu.length - at} do`);
  }
  const sc = apdu[at]!;
  if (sc & SC_COMPRESSION) throw new UnsupportedSecurityError('compressed ciphered APDUs are not supported');
  if (sc & SC_BROADCAST_KEY) throw new UnsupportedSecurityError('ciphering with a broadcast key is not supported');
  if ((sc & 0x0f) > 1) throw new UnsupportedSecurityError(`security suite ${sc & 0x0f} is not supported (only suites 0 and 1: AES-128-GCM)`);
  const fcAt = at + 1;
  const frameCounter = uint32(apdu, fcAt);
  const hasTag = (sc & SC_AUTHENTICATION) !== 0;
  const payloadEnd = apdu.length - (hasTag ? TAG_LENGTH : 0);
  if (payloadEnd <= fcAt + 4) throw new ApduError('general-glo-ciphering carries no payload');
  return {
    systemTitle,
    securityControl: sc,
    frameCounter,
    payload: apdu.subarray(fcAt + 4, payloadEnd),
    tag: hasTag ? apdu.subarray(payloadEnd) : null,
  };
}

export function protectionOf(c: CipheredApdu): Protection {
  const enc = (c.securityControl & SC_ENCRYPTION) !== 0;
  const auth = (c.securityControl & SC_AUTHENTICATION) !== 0;
  return enc && auth ? 'authenticated-encrypted' : enc ? 'encrypted' : auth ? 'authenticated' : 'none';
}

/**
 * One IV buffer for every call: node:crypto copies the IV into the cipher context when it creates it, and a
 * fresh 12-byte Buffer per frame made Node allocate a new 8 KiB pool every 512 frames, at a visible cost.
 */
const ivScratch = Buffer.alloc(12);

function iv(c: CipheredApdu): Buffer {
  const iv = ivScratch;
  const st = c.systemTitle;
  for (let i = 0; i < 8; i++) iv[i] = st[i]!;
  const fc = c.frameCounter;
  iv[8] = fc >>> 24;
  iv[9] = (fc >>> 16) & 0xff;
  iv[10] = (fc >>> 8) & 0xff;
  iv[11] = fc & 0xff;
  return iv;
}

/**
 * GCM without its tag is AES-CTR starting at counter block J0 + 1 = IV ‖ 00000002 (NIST SP 800-38D §7.1).
 * Encryption-only meters (SC 0x20) need it, and it lets a failed tag be blamed on the right key.
 */
function ctrDecrypt(c: CipheredApdu, key: Uint8Array): Buffer {
  const counter = Buffer.alloc(16);
  counter.set(iv(c), 0);
  counter[15] = 2;
  const d = createDecipheriv('aes-128-ctr', key, counter);
  return Buffer.concat([d.update(c.payload), d.final()]);
}

/** SC ‖ AK is the same for every frame of a meter: built once per key and security control byte. */
const aadCache = new WeakMap<Uint8Array, Map<number, Buffer>>();

function aad(c: CipheredApdu, authKey: Uint8Array, plaintext?: Uint8Array): Buffer {
  if (plaintext) return Buffer.concat([Buffer.of(c.securityControl), authKey, plaintext]);
  let byKey = aadCache.get(authKey);
  if (!byKey) aadCache.set(authKey, (byKey = new Map<number, Buffer>()));
  let value = byKey.get(c.securityControl);
  if (!value) byKey.set(c.securityControl, (value = Buffer.concat([Buffer.of(c.securityControl), authKey])));
  return value;
}

function gcmVerify(c: CipheredApdu, key: Uint8Array, authKey: Uint8Array, encrypted: boolean): Buffer | null {
  const d = createDecipheriv('aes-128-gcm', key, iv(c), { authTagLength: TAG_LENGTH });
  d.setAAD(aad(c, authKey, encrypted ? undefined : c.payload));
  d.setAuthTag(c.tag!);
  const plain = encrypted ? d.update(c.payload) : Buffer.alloc(0);
  try {
    d.final();
  } catch {
    return null; // node:crypto only says "Unsupported state or unable to authenticate data"
  }
  return encrypted ? plain : Buffer.from(c.payload);
}

/**
 * Returns the plaintext APDU. `isValid` is the structural check of a plaintext: it decides, when the tag
 * fails, which key is wrong, and it is the only check an encryption-only frame gets.
 */
export function decipher(c: CipheredApdu, keys: Keys, isValid: (plain: Uint8Array) => boolean): Uint8Array {
  const protection = protectionOf(c);
  if (protection === 'none') return c.payload;
  if (protection === 'authenticated') {
    if (!keys.authentication) throw new KeyMissingError('authentication');
    if (!keys.encryption) throw new KeyMissingError('encryption'); // the GMAC key is the encryption key
    const plain = gcmVerify(c, keys.encryption, keys.authentication, false);
    if (!plain) throw new AuthenticationError('authentication');
    return plain;
  }
  if (!keys.encryption) throw new KeyMissingError('encryption');
  if (protection === 'encrypted') {
    const plain = ctrDecrypt(c, keys.encryption);
    if (!isValid(plain)) throw new AuthenticationError('encryption');
    return plain;
  }
  if (!keys.authentication) throw new KeyMissingError('authentication');
  const plain = gcmVerify(c, keys.encryption, keys.authentication, true);
  if (plain) return plain;
  throw new AuthenticationError(isValid(ctrDecrypt(c, keys.encryption)) ? 'authentication' : 'encryption');
}

/**
 * An encrypted and authenticated APDU read with the encryption key alone: GCM is counter mode, so the key decrypts it;
 * the tag, which needs the authentication key too, is left unchecked (NIST SP 800-38D §7.2 decrypts before it
 * verifies). Many grid companies hand out one key (Austria, and the encryption key of a Luxembourg Smarty): without
 * this their frames could not be read at all. The plaintext's structure is the only check: a wrong key gives garbage.
 */
export function decipherWithoutTag(c: CipheredApdu, encryption: Uint8Array, isValid: (plain: Uint8Array) => boolean): Uint8Array {
  const plain = ctrDecrypt(c, encryption);
  if (!isValid(plain)) throw new AuthenticationError('encryption');
  return plain;
}

/**
 * A short name for a pair of keys, to tell whether the keys changed without keeping them: the first 64 bits of a
 * SHA-256 over a label and both keys, in either order (a pair entered swapped is the same pair). It reveals nothing
 * of the keys; an empty string when no key is set.
 */
export function keyFingerprint(keys: Keys): string {
  const present = [keys.encryption, keys.authentication].filter((k): k is Uint8Array => k !== undefined);
  if (present.length === 0) return '';
  const sorted = present.map((k) => Buffer.from(k)).sort((a, b) => Buffer.compare(a, b));
  const hash = createHash('sha256').update('powermeter key pair v1');
  for (const k of sorted) hash.update(k);
  return hash.digest('hex').slice(0, 16);
}

/** The inverse, for tests and the demo meter. Not used on the decode path. */
export function encipher(
  plaintext: Uint8Array,
  opts: { systemTitle: Uint8Array; frameCounter: number; securityControl: number; keys: Required<Keys> },
): Uint8Array {
  const c: CipheredApdu = { systemTitle: opts.systemTitle, securityControl: opts.securityControl, frameCounter: opts.frameCounter, payload: plaintext, tag: null };
  const auth = (opts.securityControl & SC_AUTHENTICATION) !== 0;
  const enc = (opts.securityControl & SC_ENCRYPTION) !== 0;
  let body: Buffer = Buffer.from(plaintext);
  let tag = Buffer.alloc(0);
  if (enc || auth) {
    const e = createCipheriv('aes-128-gcm', opts.keys.encryption, iv(c), { authTagLength: TAG_LENGTH });
    e.setAAD(aad(c, opts.keys.authentication, enc ? undefined : plaintext));
    const ct = enc ? e.update(plaintext) : Buffer.alloc(0);
    e.final();
    if (enc) body = ct;
    if (auth) tag = e.getAuthTag();
  }
  const inner = Buffer.concat([Buffer.of(opts.securityControl), u32(opts.frameCounter), body, tag]);
  return Buffer.concat([Buffer.of(GENERAL_GLO_CIPHERING, 8), opts.systemTitle, berLength(inner.length), inner]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function berLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  if (n < 0x100) return Buffer.of(0x81, n);
  return Buffer.of(0x82, n >> 8, n & 0xff);
}
