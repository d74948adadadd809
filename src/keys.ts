import { OptionError } from './errors.js';

/**
 * Accepts a 16-byte key the ways users paste it: 32 hex digits, any case, with or without spaces, colons,
 * dashes or a `0x` prefix. An empty value means "not set". The error names the option and the expected
 * form, and never echoes what was typed: it is a secret even when it is wrong.
 */
export function parseKey(text: string | undefined | null, option: string): Uint8Array | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const hex = trimmed.replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    const digits = hex.replace(/[^0-9a-fA-F]/g, '').length;
    const detail = /[^0-9a-fA-F]/.test(hex) ? 'it contains characters that are not hexadecimal digits' : `it has ${digits} hex digits`;
    throw new OptionError(
      option,
      `must be 32 hexadecimal digits (16 bytes) as the grid company gives it, e.g. 00112233445566778899AABBCCDDEEFF (spaces and colons are fine); ${detail}`,
    );
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
