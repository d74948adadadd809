/**
 * CRC-16/X.25 (IBM-SDLC, RFC 1662 FCS-16): reflected poly 0x8408, init 0xFFFF, xorout 0xFFFF. IEC 62056-46
 * uses it for the HDLC HCS and FCS, sent low byte first. The FCS over a 489-byte frame is on the hot path of
 * every frame, so it is table-driven two bytes at a time: with a 16-bit register, xoring in two bytes replaces
 * the whole register, and one lookup in a 64 Ki-entry table (128 KiB) advances it by both.
 */
const table = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  table[n] = c;
}

const table16 = new Uint16Array(65536);
for (let x = 0; x < 65536; x++) {
  const once = (x >>> 8) ^ table[x & 0xff]!;
  table16[x] = (once >>> 8) ^ table[once & 0xff]!;
}

export function crc16x25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  let i = start;
  for (; i + 1 < end; i += 2) crc = table16[(crc ^ (bytes[i]! | (bytes[i + 1]! << 8))) & 0xffff]!;
  if (i < end) crc = (crc >>> 8) ^ table[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffff) & 0xffff;
}
