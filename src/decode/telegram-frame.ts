import { ApduError, FrameError } from '../base/errors.js';
import type { Protection } from '../dlms/cipher.js';
import { readTelegram } from '../dsmr/mapping.js';
import { TextTelegramScanner } from '../framing/p1.js';
import type { DecodedFrame, DecoderOptions } from './decoder.js';
import type { Title } from './title.js';

/** How a telegram came, for the frame that reads it. */
export interface Carrier {
  readonly framing: DecodedFrame['framing'];
  readonly protection: Protection;
  readonly title: Title | null;
  readonly frameCounter: number | null;
  readonly smarty: boolean;
}

/**
 * A P1 text telegram to a meter frame. One that came in clear was checked by the framer; a decrypted one is checked
 * here, unless its GCM tag verified: the tag proves every byte, and the CRC inside is then only what the meter wrote
 * (copies that rewrote line endings keep a valid tag around a CRC that no longer fits).
 */
export function decodeTelegram(text: Uint8Array, options: DecoderOptions, carrier: Carrier): DecodedFrame {
  if (carrier.title !== null && carrier.protection !== 'authenticated-encrypted') {
    const c = new TextTelegramScanner().at(text, 0, text.length, true);
    if (c.status === 'error') throw new FrameError(c.reason, `the decrypted ${c.message}`);
    if (c.status !== 'frame') throw new ApduError('the decrypted APDU is no complete P1 telegram');
  }
  const t = readTelegram(text, options.timeZone);
  return {
    ...t,
    meterId: t.meterId ?? (carrier.title ? carrier.title.meterId : null),
    framing: carrier.framing,
    protection: carrier.protection,
    systemTitle: carrier.title ? carrier.title.hex : null,
    frameCounter: carrier.frameCounter,
    keysSwapped: false,
    ...(carrier.smarty ? { fixedAuthenticationKey: 'smarty' as const } : {}),
  };
}
