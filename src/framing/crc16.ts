/**
 * CRC-16/X.25 (IBM-SDLC, RFC 1662 FCS-16): reflected poly 0x8408, init 0xFFFF, xorout 0xFFFF. IEC 62056-46
 * uses it for the HDLC HCS and FCS, sent low byte first. Table-driven: the FCS over a 489-byte frame is on
 * the hot path of every frame.
 */
const table = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  table[n] = c;
}

export function crc16x25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ table[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffff) & 0xffff;
}
