/** Big-endian unsigned integers read in place: DLMS sends every multi-byte number most significant byte first. */

export function uint16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function uint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Bytes as Latin-1 text, one character a byte (an A-XDR visible-string, an octet-string shown as text). A short one
 * from its char codes: Buffer's toString makes a Buffer for it and goes through Node's binding, 2× the time of this
 * with the processor gone cold between frames under --jitless (15 against 7 µs for a meter's 14-character list name;
 * issue #30). A long one, which a call's arguments should not carry, through Buffer.
 */
export function latin1(bytes: Uint8Array): string {
  return bytes.length <= 256 ? String.fromCharCode(...bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
