/**
 * The PowerMeter page's API, once: what `src/page/` serves and what `web/` reads. The browser imports this module
 * for its types only (`import type`, which compiles away), so it must stay free of imports and of anything but
 * types and plain constants. Every URL is relative to the page (Home Assistant's ingress puts it under a prefix):
 *
 * - `GET api/state` → {@link PageState}; `GET api/frames` → {@link FrameView}[] (newest first);
 * - `GET api/events` → server-sent events, one {@link PageEvent} as JSON per `data:` line;
 * - `GET api/capture` → the frames held, as a hex capture file;
 * - `GET api/serial-ports` → {@link SerialPortsAnswer};
 * - `POST api/key-check` → {@link KeyCheckAnswer}; `POST api/save-keys` → {@link SaveKeysAnswer} (JSON bodies,
 *   {@link KeyCheckRequest}); any failure → {@link ErrorAnswer} with its HTTP status.
 */

/** How many frames the frame log keeps (and the capture holds). */
export const FRAMES_KEPT = 100;

/**
 * The key check's states, as the `security` diagnostic sends them (src/ha/bridge.ts `securityStates`;
 * test/page-contract.test.ts holds the two lists equal).
 */
export type SecurityWord =
  | 'authenticated'
  | 'encryption_only'
  | 'not_authenticated'
  | 'keys_swapped'
  | 'not_encrypted'
  | 'wrong_authentication_key'
  | 'wrong_encryption_key'
  | 'key_missing'
  | 'no_frames'
  | 'no_data';

/** How the page names one source. */
export interface PageSource {
  readonly id: string;
  readonly name: string;
  /** The suffix of its fields in the diagnostics message ("" for the first). */
  readonly suffix: string;
}

/** A reading as the page shows it: the name and unit come from the meter's discovery, as Home Assistant sees them. */
export interface PageReading {
  readonly key: string;
  readonly name: string;
  readonly unit: string | null;
  readonly value: number | string | null;
}

/** Times (s since the epoch), import and export: uPlot's data layout. */
export type PowerSeries = [number[], (number | null)[], (number | null)[]];

/** The energy of one hour or one day, in kWh. */
export interface EnergyBar {
  /** The period's start, ms since the epoch. */
  readonly start: number;
  readonly import: number | null;
  readonly export: number | null;
  /** The period was not seen whole (the add-on started, stopped or heard nothing during part of it), or is still open. */
  readonly partial?: boolean;
  /**
   * With prices on: what the period's import cost, DKK incl. VAT (the sum of its quarter hours' energy at their prices,
   * src/core/history.ts); null when a quarter with energy had no price. Absent without prices.
   */
  readonly cost?: number | null;
}

/**
 * A meter's energy history, oldest first: the hours of the last 48 hours and the days of the last 31 days, closed
 * periods (and at most the open one, marked partial). The page adds the open hour and day from the state messages.
 */
export interface MeterHistory {
  readonly hours: readonly EnergyBar[];
  readonly days: readonly EnergyBar[];
}

export const HISTORY_HOURS = 48;
export const HISTORY_DAYS = 31;

export interface PageMeter {
  readonly id: string;
  readonly name: string;
  readonly updatedAt: number | null;
  readonly readings: readonly PageReading[];
  /** Power over the last hour: one point per state message. */
  readonly power: PowerSeries;
  readonly history: MeterHistory;
  /**
   * A gas, water or heat meter read through an electricity meter's P1 port (its device's `via_device`): that meter's
   * id. Its readings are its total, the time it took it, and its hour and day; it has no power and no history.
   */
  readonly subMeterOf?: string;
}

export interface BrokerView {
  readonly connected: boolean;
  readonly detail: string | null;
}

/** A frame log entry, without its bytes. */
export interface FrameView {
  readonly at: number;
  readonly source: string;
  readonly sourceName: string;
  /** The stream within the source (an MQTT topic under a wildcard); "" for the source's one. */
  readonly stream: string;
  readonly size: number;
  readonly list: string | null;
  readonly meterId: string | null;
  readonly systemTitle: string | null;
  /** `accepted`, or why not: the core's outcome (`replay` …) or the decode error's reason (`checksum` …). */
  readonly verdict: string;
  /** What a refusal means, in the service's words (English); null when accepted. */
  readonly detail: string | null;
}

/** A message's content as the service publishes it to Home Assistant. */
export type PayloadView = Readonly<Record<string, unknown>>;

/** What the event stream sends. `hello` comes first on every connection, `heartbeat` every `heartbeatMs` after. */
export type PageEvent =
  | { readonly type: 'hello'; readonly at: number; readonly heartbeatMs: number }
  | { readonly type: 'heartbeat'; readonly at: number }
  | { readonly type: 'state'; readonly meter: string; readonly at: number; readonly state: PayloadView }
  | { readonly type: 'history'; readonly meter: string; readonly history: MeterHistory }
  | { readonly type: 'diagnostics'; readonly diagnostics: PayloadView }
  | { readonly type: 'frame'; readonly frame: FrameView }
  | { readonly type: 'broker'; readonly broker: BrokerView };

/** `GET api/state`: the whole picture. */
export interface PageState {
  readonly meters: readonly PageMeter[];
  /** The PowerMeter device's diagnostics message, each source's fields with its suffix. */
  readonly diagnostics: PayloadView;
  readonly sources: readonly PageSource[];
  readonly broker: BrokerView;
  /** The system titles in the frame log: the meters a key check can be made for. */
  readonly systemTitles: readonly string[];
  readonly canSaveKeys: boolean;
  readonly framesKept: number;
}

/** The body of `POST api/key-check` and `POST api/save-keys` (`Content-Type: application/json`). */
export interface KeyCheckRequest {
  readonly encryption_key?: string;
  readonly authentication_key?: string;
  readonly system_title?: string;
}

export interface KeyCheckAnswer {
  readonly verdict: SecurityWord;
  /** What it means and what to do, in English (the page words it from the verdict, in its language). */
  readonly advice: string;
  /** How many frames were tried. */
  readonly frames: number;
  readonly systemTitle: string | null;
}

export interface SaveKeysAnswer {
  readonly saved: boolean;
  readonly verdict: SecurityWord;
  readonly message: string;
}

export interface ErrorAnswer {
  readonly error: string;
}

/** A serial port the add-on's container sees. */
export interface SerialPortView {
  /** What goes into `serial_port`: a `/dev/serial/by-id/…` name, or the device itself. */
  readonly path: string;
  /** For a by-id name, the device it points at (`/dev/ttyUSB0`); null for a device. */
  readonly device: string | null;
  readonly kind: 'by-id' | 'usb' | 'acm' | 'ama' | 'uart';
}

/** `GET api/serial-ports`: by-id names first (they survive a reboot), then the devices. */
export interface SerialPortsAnswer {
  readonly ports: readonly SerialPortView[];
  /** Why the list could not be read, if it could not (never thrown: an empty list and the reason). */
  readonly error: string | null;
}
