/**
 * CRC-16/ARC (the "CRC-16" of IBM, LHA): reflected poly 0xA001, init 0, no final xor. The DSMR P1 companion standard
 * (DSMR 4.0 §6.2, e-MUCS and the Luxembourg Smarty P1 specification alike) puts it after the `!` of a text telegram,
 * computed over the bytes from `/` to `!` inclusive and written as four hex digits, most significant first. One table
 * of 256 entries, one lookup per byte: a telegram is a kilobyte once a second, not a hot loop.
 */
export const crcArcTable = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  crcArcTable[n] = c;
}

/** The CRC of `bytes[start, end)` read as 7-bit characters (see `maskParity` in p1.ts), from `crc` on. */
export function crc16arc(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const t = crcArcTable;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ (bytes[i]! & 0x7f)) & 0xff]!;
  return crc;
}
