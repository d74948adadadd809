import { readFileSync } from 'node:fs';

export interface Vector {
  id: string;
  meter: string;
  country: string;
  framing: 'HDLC' | 'M-Bus' | 'APDU';
  encrypted: boolean;
  security_control?: string;
  hex: string;
  keys: { encryption: string | null; authentication: string | null } | null;
  expect_problems?: boolean;
  expected?: {
    plaintext_hex?: string;
    date_time_prefix?: string;
    raw_by_index?: Record<string, string | number>;
    raw_by_obis?: Record<string, string | number>;
  };
  verification?: { problems: string[] };
}

export const vectors: Vector[] = JSON.parse(readFileSync(new URL('../fixtures/public-vectors.json', import.meta.url), 'utf8')) as Vector[];

export function vector(id: string): Vector {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return v;
}

/** Captures beyond the shared collection, each with the values its source states (test/fixtures/extra-vectors.json). */
export interface ExtraVector {
  id: string;
  hex: string;
  /** The authentication key is null for meters that encrypt without authenticating (security control 0x20). */
  keys: { encryption: string; authentication: string | null } | null;
  expected: { list?: string; meter_id: string | null; meter_time: string | null; readings: Record<string, number> };
}

export const extraVectors: ExtraVector[] = JSON.parse(readFileSync(new URL('../fixtures/extra-vectors.json', import.meta.url), 'utf8')) as ExtraVector[];

export const bytesOf = (v: Vector): Buffer => Buffer.from(v.hex, 'hex');

/** The keys a capture was published with (none, or only the encryption key for encryption-only meters). */
export const keysOf = (v: Vector): { encryption?: Buffer; authentication?: Buffer } => ({
  ...(v.keys?.encryption ? { encryption: Buffer.from(v.keys.encryption, 'hex') } : {}),
  ...(v.keys?.authentication ? { authentication: Buffer.from(v.keys.authentication, 'hex') } : {}),
});

export const danish = vector('dk-kamstrup-omnipower-radius-encrypted-1');
export const danishKeys = {
  encryption: Buffer.from(danish.keys!.encryption!, 'hex'),
  authentication: Buffer.from(danish.keys!.authentication!, 'hex'),
};
