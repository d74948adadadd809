import { DATA_NOTIFICATION, GENERAL_GLO_CIPHERING, parseNotificationHeader } from '../dlms/apdu.js';
import { decipher, decipherWithoutTag, parseCiphered, protectionOf, type CipheredApdu, type Keys, type Protection } from '../dlms/cipher.js';
import { toIso } from '../dlms/datetime.js';
import { ApduError, AuthenticationError, FrameError, KeyMissingError, PowerMeterError, UnsupportedListError } from '../base/errors.js';
import { Framer, type FramedApdu, type Framing } from '../framing/framer.js';
import { fcsFailed } from '../framing/hdlc.js';
import { P1_START } from '../framing/p1.js';
import { SMARTY_AUTHENTICATION_KEY } from '../dsmr/smarty.js';
import { isTelegramText } from '../dsmr/telegram.js';
import { dumpList, readPushList, type PushList } from '../dlms/push-list.js';
import { applyProfile, type Mapped, type MappingTrace } from '../obis/mapping.js';
import { findList, type FrameContext, type Profile } from '../obis/profile.js';
import { profiles as allProfiles } from '../obis/profiles/index.js';
import type { MeterFrame } from '../obis/readings.js';
import { ListPlans } from './list-plan.js';
import { decodeTelegram } from './telegram-frame.js';
import { titleOf, type Title } from './title.js';

export interface DecoderOptions {
  readonly keys?: Keys;
  /**
   * Keys by system title (16 hex digits, upper case), for a source that carries many meters: a frame's own entry is
   * used before `keys`. A meter's system title is sent in clear in every ciphered APDU (Green Book §9.2.7.2.4).
   */
  readonly meterKeys?: ReadonlyMap<string, Keys>;
  /** Use the keys the other way round (the encryption key as the authentication key and back). */
  readonly swapKeys?: boolean;
  /** Hand each result the raw frames it came from (for a frame log); a copy per frame, so off by default. */
  readonly keepRaw?: boolean;
  readonly energyMultiplier?: number | undefined;
  readonly profiles?: readonly Profile[];
  /** A profile id to use instead of detecting one ("auto" or absent detects). P1 telegrams name their objects: never forced. */
  readonly profile?: string | undefined;
  /**
   * The time zone P1 telegrams' times are read in, with their summer/winter flag (`YYMMDDhhmmssS`); the process's own
   * when absent (the Supervisor sets TZ to Home Assistant's zone). DLMS clocks are not affected.
   */
  readonly timeZone?: string | undefined;
}

export interface DecodedFrame extends MeterFrame {
  readonly framing: Framing | 'apdu';
  readonly protection: Protection;
  /** Hex of the sender's system title; null for frames sent in clear. */
  readonly systemTitle: string | null;
  readonly frameCounter: number | null;
  /** The frame decoded only with the two configured keys the other way round. */
  readonly keysSwapped: boolean;
  /**
   * No authentication key was set and the frame verified with the one the Luxembourg Smarty P1 specification fixes
   * for every meter (dsmr/smarty.ts): worth saying once, since the user entered only the encryption key.
   */
  readonly fixedAuthenticationKey?: 'smarty';
}

export type DecodeResult = { readonly ok: true; readonly frame: DecodedFrame } | { readonly ok: false; readonly error: PowerMeterError };

/** What a decrypted APDU may be: a data-notification, or a P1 text telegram (Luxembourg, Austria). */
const isPlaintext = (plain: Uint8Array): boolean => (plain[0] === P1_START ? isTelegramText(plain) : isDataNotification(plain));

function isDataNotification(plain: Uint8Array): boolean {
  try {
    readPushList(plain, parseNotificationHeader(plain).bodyAt);
    return true;
  } catch (error) {
    if (error instanceof ApduError) return false;
    throw error;
  }
}

const NO_KEYS: Keys = Object.freeze({});

/**
 * A forced profile that a frame of another meter happens to fit would misread it (an Aidon profile on a Kamstrup frame
 * reads energy ten times too low): where detection knows the list as another profile's, that is an error. A function
 * of its own: inside `decodeApdu` its bytes kept V8 from inlining the hot path (a third of the rate, measured).
 */
function checkForced(forced: string, profiles: readonly Profile[], list: PushList, ctx: FrameContext, protection: Protection): void {
  const detected = findList(profiles, list, ctx);
  if (detected && detected.profile.id !== forced) {
    throw new UnsupportedListError(`the forced profile "${forced}" does not fit this frame: it is list "${detected.spec.id}" of the profile "${detected.profile.id}"; set the profile to auto or to ${detected.profile.id}`, protection, dumpList(list));
  }
}

/** Security control: authenticated and encrypted (Green Book §9.2.7.2.4). */
const SC_AUTHENTICATED_ENCRYPTED = 0x30;

/**
 * A ciphered APDU bare on the wire is how Smarty meters send P1, and their users have the encryption key alone: the
 * authentication key their specification fixes is used, only where the tag verifies with it; else the frame needs the
 * key, as before.
 */
function decipherSmarty(c: CipheredApdu, encryption: Uint8Array): Uint8Array | null {
  try {
    return decipher(c, { encryption, authentication: SMARTY_AUTHENTICATION_KEY }, isPlaintext);
  } catch (error) {
    // The encryption key is right but the tag is not Smarty's: not a Smarty, read with the encryption key alone.
    if (error instanceof AuthenticationError && error.key === 'authentication') return null;
    throw error;
  }
}

/**
 * One APDU (plain or ciphered) or P1 telegram to a meter frame. Throws a PowerMeterError naming what is wrong. With
 * `plans`, a stream's list plan (list-plan.ts) reads the list when it fits, and is made from the mapping when not.
 */
export function decodeApdu(apdu: Uint8Array, options: DecoderOptions = {}, framing: DecodedFrame['framing'] = 'apdu', plans?: ListPlans): DecodedFrame {
  if (apdu[0] === P1_START) return decodeTelegram(apdu, options, { framing, protection: 'none', title: null, frameCounter: null, smarty: false });
  let plain = apdu;
  let protection: Protection = 'none';
  let title: Title | null = null;
  let frameCounter: number | null = null;
  if (apdu[0] === GENERAL_GLO_CIPHERING) {
    const c = parseCiphered(apdu);
    title = titleOf(c.systemTitle);
    // The frame's own entry of meter_keys, else the source's keys.
    const given = options.meterKeys?.get(title.hex) ?? options.keys ?? NO_KEYS;
    const keys = options.swapKeys === true ? { encryption: given.authentication, authentication: given.encryption } : given;
    // One key is enough to read: an authenticated frame with the encryption key alone is a Smarty's (whose fixed
    // authentication key then verifies its tag), or is read without its tag (cipher.ts decipherWithoutTag).
    const oneKey = keys.authentication === undefined && keys.encryption !== undefined && (c.securityControl & SC_AUTHENTICATED_ENCRYPTED) === SC_AUTHENTICATED_ENCRYPTED;
    let smarty = false;
    protection = protectionOf(c);
    try {
      if (oneKey && keys.encryption !== undefined) {
        const fixed = framing === 'apdu' ? decipherSmarty(c, keys.encryption) : null;
        smarty = fixed !== null;
        if (fixed !== null) plain = fixed;
        else {
          plain = decipherWithoutTag(c, keys.encryption, isPlaintext);
          protection = 'encrypted-tag-unchecked';
        }
      } else plain = decipher(c, keys, isPlaintext);
    } catch (error) {
      // The meter's system title tells the user which entry of meter_keys is missing or wrong.
      if (error instanceof KeyMissingError) throw new KeyMissingError(error.key, title.hex);
      if (error instanceof AuthenticationError) throw new AuthenticationError(error.key, title.hex);
      throw error;
    }
    frameCounter = c.frameCounter;
    if (plain[0] === P1_START) return decodeTelegram(plain, options, { framing, protection, title, frameCounter, smarty });
  }
  const notification = parseNotificationHeader(plain);
  const flag = title ? title.flag : null;
  const mapped = plans?.read(plain, notification.bodyAt, flag) ?? mapList(plain, notification.bodyAt, flag, options, protection, plans);
  return {
    list: mapped.list,
    manufacturer: mapped.manufacturer,
    model: mapped.model,
    readings: mapped.readings,
    unitRule: mapped.unitRule,
    meterId: mapped.meterId ?? (title ? title.meterId : null),
    meterTime: mapped.meterTime ?? (notification.dateTime ? toIso(notification.dateTime) : null),
    framing,
    protection,
    systemTitle: title ? title.hex : null,
    frameCounter,
    keysSwapped: false,
  };
}

/** A data-notification's list read and mapped the whole way: matched to a profile and its list, then mapped. */
function mapList(plain: Uint8Array, bodyAt: number, flag: string | null, options: DecoderOptions, protection: Protection, plans: ListPlans | undefined): Mapped {
  const learn = plans?.learning === true;
  const valueAt: number[] | undefined = learn ? [] : undefined;
  const list = readPushList(plain, bodyAt, valueAt);
  const ctx = { flag };
  const forced = options.profile && options.profile !== 'auto' ? options.profile : undefined;
  const profiles = options.profiles ?? allProfiles;
  const match = findList(profiles, list, ctx, forced);
  if (forced && match) checkForced(forced, profiles, list, ctx, protection);
  if (!match) {
    const what = list.version ? `list "${list.version}"` : `a list of ${list.registers.length + list.bare.length} values`;
    const by = forced ? `the forced profile "${forced}" does not fit ${what}` : `${what} is not supported yet`;
    throw new UnsupportedListError(`${by}: please attach a capture (the capture_minutes option records one) to a bug report`, protection, dumpList(list));
  }
  const trace: MappingTrace | undefined = learn ? { readings: [], clock: -1 } : undefined;
  const mapped = applyProfile(match.profile, match.spec, list, ctx, { energyMultiplier: options.energyMultiplier }, trace);
  if (plans && valueAt && trace) plans.learn({ plain, bodyAt, flag, list, valueAt, trace, mapped, profile: match.profile, profiles });
  return mapped;
}

/**
 * The whole decode path as a sans-I/O object: bytes in, decoded frames or typed errors out. Per-frame
 * failures are results, not exceptions: a noisy line must never stop the stream.
 */
export class Decoder {
  private readonly framer: Framer;
  /** The options with the two keys the other way round. */
  private readonly reversed: DecoderOptions;
  /** Set once the keys have been found swapped, so that each frame is not decrypted twice. */
  private swapped = false;
  /** The stream's list plan: its frames' lists read without mapping them again. */
  private readonly plans = new ListPlans();

  constructor(private readonly options: DecoderOptions = {}) {
    // The decoder checks every tag: the FCS of a frame with a tagged APDU is checked only when the tag does not prove it.
    this.framer = new Framer(options.keepRaw === true, true);
    this.reversed = { ...options, swapKeys: true };
  }

  /** Frames whose list was read through a list plan (list-plan.ts). */
  get planned(): number {
    return this.plans.planned;
  }

  get discardedBytes(): number {
    return this.framer.discarded;
  }

  /** Whether a frame is under way: its first bytes are held and its rest awaited (Framer.awaiting). */
  get awaiting(): boolean {
    return this.framer.awaiting;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    const results: DecodeResult[] = [];
    this.feed(chunk, (r) => results.push(r));
    return results;
  }

  /**
   * Pushes a chunk and hands over each result as soon as it is decoded. The service uses this: a chunk that
   * holds a backlog of frames would otherwise keep all of their readings alive at once, long enough for the
   * garbage collector to move them to the old generation.
   */
  feed(chunk: Uint8Array, take: (result: DecodeResult, raw: readonly Buffer[] | undefined) => void): void {
    // Each APDU is decoded while it is still a view into the framer's buffer: nothing of it outlives the call.
    this.framer.feed(chunk, (o) => take(o.ok ? this.decodeFramed(o.value) : o, o.raw));
  }

  /**
   * A framed APDU whose FCS the framer left to the tag (hdlc.ts, `tagProves`): a frame that decodes with its tag
   * checked is proven whole; one that does not decode, or whose tag was not checked (no authentication key), is judged
   * by its FCS first, so that a damaged frame is said as one and never taken for a wrong key.
   */
  private decodeFramed(v: FramedApdu): DecodeResult {
    const fcs = v.fcs;
    if (fcs === undefined) return this.decode(v.apdu, v.framing);
    const first = this.attempt(v.apdu, v.framing, this.swapped);
    if (first.ok && first.frame.protection === 'authenticated-encrypted') return first;
    if (!this.framer.fcsHolds(fcs)) return { ok: false, error: new FrameError('checksum', fcsFailed(fcs.total)) };
    return first.ok ? first : this.swappedIfFails(first, v.apdu, v.framing);
  }

  end(): DecodeResult[] {
    return this.framer.end().map((o) => (o.ok ? this.decode(o.value.apdu, o.value.framing) : o));
  }

  /**
   * Decodes with the keys as configured; when the tag fails, tries them the other way round, the most common
   * mistake of all (GPK60 and GPK61 look alike). A frame that only decodes swapped says so.
   */
  decode(apdu: Uint8Array, framing: DecodedFrame['framing'] = 'apdu'): DecodeResult {
    return this.swappedIfFails(this.attempt(apdu, framing, this.swapped), apdu, framing);
  }

  /** After the first attempt: the keys the other way round when its tag failed. */
  private swappedIfFails(first: DecodeResult, apdu: Uint8Array, framing: DecodedFrame['framing']): DecodeResult {
    // A tag that fails means both keys were set (decipher says which one is missing otherwise).
    if (first.ok || !(first.error instanceof AuthenticationError)) return first;
    const second = this.attempt(apdu, framing, !this.swapped);
    if (!second.ok) return first;
    this.swapped = !this.swapped;
    return second;
  }

  private attempt(apdu: Uint8Array, framing: DecodedFrame['framing'], swap: boolean): DecodeResult {
    try {
      const frame = decodeApdu(apdu, swap ? this.reversed : this.options, framing, this.plans);
      return { ok: true, frame: swap ? { ...frame, keysSwapped: true } : frame };
    } catch (error) {
      if (error instanceof PowerMeterError) return { ok: false, error };
      throw error;
    }
  }
}

/**
 * A whole capture at once. A capture that holds one bare APDU (as printed by other tools' debug logs) has
 * no framing: it is decoded as such when no frame is found in it.
 */
export function decodeCapture(bytes: Uint8Array, options: DecoderOptions = {}): DecodeResult[] {
  const decoder = new Decoder(options);
  const results = [...decoder.push(bytes), ...decoder.end()];
  const apdu = results.length === 0 ? bareApdu(bytes) : null;
  if (apdu) return [decoder.decode(apdu)];
  return results;
}

/**
 * A capture of one APDU without framing, as other tools' debug logs print them: bytes that start as a
 * data-notification or a ciphered APDU, or as the LLC header `E6 E7 00` before one (IEC 62056-46 §6.3: destination
 * and source LSAP, quality; the AMS reader logs such "LLC frames"). The APDU, or null.
 */
export function bareApdu(bytes: Uint8Array): Uint8Array | null {
  const at = bytes[0] === 0xe6 && bytes[1] === 0xe7 && bytes[2] === 0x00 ? 3 : 0;
  return bytes[at] === DATA_NOTIFICATION || bytes[at] === GENERAL_GLO_CIPHERING ? bytes.subarray(at) : null;
}
