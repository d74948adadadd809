import type { Keys } from '../dlms/cipher.js';
import type { Origin, Topics } from '../ha/discovery.js';
import type { PriceArea } from '../prices/settings.js';
import type { SourceSpec } from './events.js';
import type { CapacitySetting } from './extras.js';
import type { AnyNotice } from './outbox.js';
import type { PersistedState } from './persisted.js';

/** What the service core is made with: its sources, its time zone, the saved state, and what is switched on. */
export interface CoreOptions {
  readonly sources: readonly SourceSpec[];
  /** Without bytes, or without frames, for this long a source's line is in trouble; its meters are unavailable. */
  readonly dataTimeoutMs: number;
  readonly topics: Topics;
  readonly origin: Origin;
  /** The Home Assistant time zone: meter clocks and energy periods are read in it. */
  readonly timeZone: string;
  /** What the last run left (an empty state when there was none). */
  readonly state: PersistedState;
  /** Whether to ask for the state to be saved: false keeps it in memory only (the demo, a newer state file). */
  readonly persist: boolean;
  /** Said at the start: what loading the state file or reading the time zone found wrong. */
  readonly startNotices?: readonly AnyNotice[];
  /** Where the PowerMeter device's page links to: the add-on in Home Assistant; null outside the add-on. */
  readonly configurationUrl?: string | null;
  /** Keys by system title (meter_keys), for every source, before the source's own keys. */
  readonly meterKeys?: readonly { readonly systemTitle: string; readonly keys: Keys }[];
  /** Emit a `frame` effect for every frame, with its raw bytes (the page's frame log). */
  readonly frameLog?: boolean;
  /** The Danish electricity price device, and each meter's cost: the area whose prices the shell fetches. */
  readonly prices?: { readonly area: PriceArea } | null;
  /** The capacity tariff's rule and steps, for each meter's import. */
  readonly capacity?: CapacitySetting | null;
  /** How often a P1 meter's state is published, its power, voltage and current averaged over it (default 10 s). */
  readonly publishIntervalMs?: number;
}
