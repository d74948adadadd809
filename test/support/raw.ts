import { parseDataNotification, type DataNotification } from '../../src/dlms/apdu.js';
import { decipher, parseCiphered } from '../../src/dlms/cipher.js';
import { Framer } from '../../src/framing/framer.js';
import { bytesOf, keysOf, type Vector } from './vectors.js';

/** A vector down to its data-notification (and the plain APDU), without any profile: checks framing, security and A-XDR on every capture. */
export function rawNotification(v: Vector): DataNotification & { apdu: Uint8Array } {
  const bytes = bytesOf(v);
  let apdu: Uint8Array = bytes;
  if (v.framing !== 'APDU') {
    const framer = new Framer();
    const out = [...framer.push(bytes), ...framer.end()];
    const ok = out.flatMap((o) => (o.ok ? [o.value.apdu] : []));
    if (ok.length !== 1) throw new Error(`${v.id}: ${ok.length} APDUs`);
    apdu = ok[0]!;
  }
  if (apdu[0] === 0xdb) {
    apdu = decipher(parseCiphered(apdu), keysOf(v), () => true);
  }
  return { ...parseDataNotification(apdu), apdu };
}
