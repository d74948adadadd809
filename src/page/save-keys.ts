import type { Keys } from '../dlms/cipher.js';

/** Where a meter's keys go in the options document. */
export interface KeyPlace {
  /** Its source's place: 0 for the first meter's, n for `more_meters[n-1]`. */
  readonly sourceIndex: number;
  /** The source carries many meters (an MQTT wildcard): keys go into `meter_keys`, by system title. */
  readonly multiStream: boolean;
  readonly systemTitle: string | null;
}

const hex = (key: Uint8Array | undefined): string => (key ? Buffer.from(key).toString('hex').toUpperCase() : '');

/**
 * The options as the user saved them, with a checked pair of keys put where its meter's source reads them: the
 * first meter's `encryption_key`/`authentication_key`, an item of `more_meters`, or the meter's entry of
 * `meter_keys` (added when missing). Everything else stays exactly as it was.
 */
export function withKeys(options: Readonly<Record<string, unknown>>, place: KeyPlace, keys: Keys): Record<string, unknown> {
  const pair = { encryption_key: hex(keys.encryption), authentication_key: hex(keys.authentication) };
  if (place.multiStream && place.systemTitle !== null) {
    const list = Array.isArray(options.meter_keys) ? options.meter_keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null) : [];
    const title = place.systemTitle.toUpperCase();
    const at = list.findIndex((k) => typeof k.system_title === 'string' && k.system_title.trim().toUpperCase() === title);
    const entry = { ...(at >= 0 ? list[at] : {}), system_title: title, ...pair };
    return { ...options, meter_keys: at >= 0 ? list.map((k, i) => (i === at ? entry : k)) : [...list, entry] };
  }
  if (place.sourceIndex === 0) return { ...options, ...pair };
  const meters: unknown[] = Array.isArray(options.more_meters) ? options.more_meters.map((m: unknown) => m) : [];
  const item = meters[place.sourceIndex - 1];
  if (typeof item !== 'object' || item === null) throw new Error(`more_meters has no item ${place.sourceIndex}`);
  meters[place.sourceIndex - 1] = { ...item, ...pair };
  return { ...options, more_meters: meters };
}
