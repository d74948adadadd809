import type { Keys } from './cipher.js';
import { OptionsError } from '../base/errors.js';

/**
 * A 16-byte key the ways users paste it: 32 hex digits in any case, whole or in groups separated by spaces, colons,
 * dashes or commas, with a `0x` before the whole or before each byte, and the byte array that Arduino sketches print
 * (`{0x5A, 0xD8, …}`); or nothing (not set). The one grammar of a key: config.yaml's `match()` for every key option
 * is this pattern (a test holds them equal), so that the Supervisor's form and the service accept the same keys. It
 * is valid in Python's `re` (the Supervisor's vol.Match) and in ECMAScript alike.
 */
export const KEY_PATTERN = '^$|^[\\s{\\[]*(?:(?:0[xX])?[0-9a-fA-F]{2}[\\s:,-]*){15}(?:0[xX])?[0-9a-fA-F]{2}[\\s,}\\]]*$';
const keyPattern = new RegExp(KEY_PATTERN);

/**
 * Reads a key in any form of KEY_PATTERN. An empty value means "not set". The error names the option and the expected
 * form, and never echoes what was typed: it is a secret even when it is wrong.
 */
export function parseKey(text: string | undefined | null, option: string): Uint8Array | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!keyPattern.test(trimmed)) {
    const hex = trimmed.replace(/0x/gi, '').replace(/[\s:,{}[\]-]/g, '');
    const digits = hex.replace(/[^0-9a-fA-F]/g, '').length;
    const detail = /[^0-9a-fA-F]/.test(hex) ? 'it contains characters that are not hexadecimal digits' : `it has ${digits} hex digits`;
    throw OptionsError.of(
      option,
      `must be 32 hexadecimal digits (16 bytes) as the grid company gives it, e.g. 00112233445566778899AABBCCDDEEFF (spaces, colons and a byte list like 0x00, 0x11, … are fine); ${detail}`,
    );
  }
  return Uint8Array.from(Buffer.from(trimmed.replace(/0x/gi, '').replace(/[^0-9a-fA-F]/g, ''), 'hex'));
}

/**
 * Both keys of an options-like object, by the option names users know (`encryption_key`, `authentication_key`),
 * each problem named with `at` before the option and added to `problems` (all are said at once).
 */
export function parseKeyOptions(o: { readonly encryption_key?: string | null; readonly authentication_key?: string | null }, at: string, problems: string[]): Keys {
  const keys: { encryption?: Uint8Array | undefined; authentication?: Uint8Array | undefined } = {};
  for (const [option, key] of [['encryption_key', 'encryption'], ['authentication_key', 'authentication']] as const) {
    try {
      keys[key] = parseKey(o[option], `${at}${option}`);
    } catch (error) {
      if (!(error instanceof OptionsError)) throw error;
      problems.push(...error.problems);
    }
  }
  return keys;
}
