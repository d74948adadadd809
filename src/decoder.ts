import { parseDataNotification, GENERAL_GLO_CIPHERING } from './dlms/apdu.js';
import { decipher, parseCiphered, protectionOf, type Keys, type Protection } from './dlms/cipher.js';
import { toIso } from './dlms/datetime.js';
import { ApduError, PowerMeterError, UnsupportedListError } from './errors.js';
import { Framer, type Framing } from './framing/framer.js';
import { readList } from './obis/entries.js';
import { applyProfile, findList, type Profile } from './obis/profile.js';
import { profiles as allProfiles } from './obis/profiles/index.js';
import type { MeterFrame } from './obis/readings.js';

export interface DecoderOptions {
  readonly keys?: Keys;
  readonly energyMultiplier?: number | undefined;
  readonly profiles?: readonly Profile[];
}

export interface DecodedFrame extends MeterFrame {
  readonly framing: Framing | 'apdu';
  readonly protection: Protection;
  /** Hex of the sender's system title; null for frames sent in clear. */
  readonly systemTitle: string | null;
  readonly frameCounter: number | null;
}

export type DecodeResult = { readonly ok: true; readonly frame: DecodedFrame } | { readonly ok: false; readonly error: PowerMeterError };

function isDataNotification(plain: Uint8Array): boolean {
  try {
    parseDataNotification(plain);
    return true;
  } catch (error) {
    if (error instanceof ApduError) return false;
    throw error;
  }
}

/** Kamstrup puts the meter number in the last four bytes of its system title ("KAME" + u32). */
function meterIdFromSystemTitle(st: Uint8Array): string {
  const flag = Buffer.from(st.subarray(0, 3)).toString('latin1');
  if (flag === 'KAM') return String(Buffer.from(st).readUInt32BE(4));
  return Buffer.from(st).toString('hex').toUpperCase();
}

/** One APDU (plain or ciphered) to a meter frame. Throws a PowerMeterError naming what is wrong. */
export function decodeApdu(apdu: Uint8Array, options: DecoderOptions = {}, framing: DecodedFrame['framing'] = 'apdu'): DecodedFrame {
  let plain = apdu;
  let protection: Protection = 'none';
  let systemTitle: Uint8Array | null = null;
  let frameCounter: number | null = null;
  if (apdu[0] === GENERAL_GLO_CIPHERING) {
    const c = parseCiphered(apdu);
    plain = decipher(c, options.keys ?? {}, isDataNotification);
    protection = protectionOf(c);
    systemTitle = c.systemTitle;
    frameCounter = c.frameCounter;
  }
  const notification = parseDataNotification(plain);
  const content = readList(notification.body);
  const match = findList(options.profiles ?? allProfiles, content);
  if (!match) {
    const what = content.version ? `list "${content.version}"` : `a list of ${content.entries.size + content.bare.length} values`;
    throw new UnsupportedListError(`${what} is not supported yet: please attach a capture (the decode command reads it) to a bug report`);
  }
  const mapped = applyProfile(match.profile, match.list, content, { energyMultiplier: options.energyMultiplier });
  return {
    ...mapped,
    meterId: mapped.meterId ?? (systemTitle ? meterIdFromSystemTitle(systemTitle) : null),
    meterTime: mapped.meterTime ?? (notification.dateTime ? toIso(notification.dateTime) : null),
    framing,
    protection,
    systemTitle: systemTitle ? Buffer.from(systemTitle).toString('hex').toUpperCase() : null,
    frameCounter,
  };
}

/**
 * The whole decode path as a sans-I/O object: bytes in, decoded frames or typed errors out. Per-frame
 * failures are results, not exceptions: a noisy line must never stop the stream.
 */
export class Decoder {
  private readonly framer = new Framer();

  constructor(private readonly options: DecoderOptions = {}) {}

  get discardedBytes(): number {
    return this.framer.discarded;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    return this.decodeAll(this.framer.push(chunk));
  }

  end(): DecodeResult[] {
    return this.decodeAll(this.framer.end());
  }

  private decodeAll(outputs: ReturnType<Framer['push']>): DecodeResult[] {
    return outputs.map((o): DecodeResult => {
      if (!o.ok) return o;
      try {
        return { ok: true, frame: decodeApdu(o.value.apdu, this.options, o.value.framing) };
      } catch (error) {
        if (error instanceof PowerMeterError) return { ok: false, error };
        throw error;
      }
    });
  }
}

/**
 * A whole capture at once. A capture that holds one bare APDU (as printed by other tools' debug logs) has
 * no framing: it is decoded as such when no frame is found in it.
 */
export function decodeCapture(bytes: Uint8Array, options: DecoderOptions = {}): DecodeResult[] {
  const decoder = new Decoder(options);
  const results = [...decoder.push(bytes), ...decoder.end()];
  const first = bytes[0];
  if (results.length === 0 && (first === 0x0f || first === GENERAL_GLO_CIPHERING)) {
    try {
      return [{ ok: true, frame: decodeApdu(bytes, options) }];
    } catch (error) {
      if (error instanceof PowerMeterError) return [{ ok: false, error }];
      throw error;
    }
  }
  return results;
}
