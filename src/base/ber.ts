/**
 * BER/A-XDR length (X.690 §8.1.3): one byte below 0x80, else 0x8n followed by n big-endian bytes. Returns
 * null when the bytes run out or the form is one no meter uses (indefinite, more than 4 bytes).
 */
export function readBerLength(buf: Uint8Array, pos: number): { length: number; next: number } | null {
  if (pos >= buf.length) return null;
  const first = buf[pos]!;
  if (first < 0x80) return { length: first, next: pos + 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 4 || pos + 1 + n > buf.length) return null;
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + buf[pos + i]!;
  return { length, next: pos + 1 + n };
}
