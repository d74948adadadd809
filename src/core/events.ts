import type { Keys } from '../dlms/cipher.js';
import type { PriceTable } from '../prices/price-model.js';
import type { SourceState } from '../source/source.js';
import type { Notice } from './notices.js';
import type { PersistedState } from './persisted.js';

/**
 * The service core's language: events in, effects out. Time is a plain number in every event (ms since the epoch),
 * so that the core has no clock of its own and tests read as tables.
 */
export type SourceId = string;

/** The broker as the publisher sees it: connected, away, or refusing the login. */
export type BrokerState = 'connected' | 'down' | 'refused';

export type Event =
  /** Once, first: the core says what it found at start-up and announces the service. */
  | { readonly kind: 'start'; readonly at: number }
  /** `stream` names the byte stream within the source (an MQTT topic under a wildcard); absent: the source's one. */
  | { readonly kind: 'bytes'; readonly source: SourceId; readonly stream?: string; readonly chunk: Uint8Array; readonly at: number }
  /** When the core asked for it (`wakeAt`), or any time: a tick only lets time-driven things happen. */
  | { readonly kind: 'tick'; readonly at: number }
  /** At every full hour of the Home Assistant time zone. */
  | { readonly kind: 'hour'; readonly at: number }
  | { readonly kind: 'source'; readonly source: SourceId; readonly state: SourceState; readonly detail?: string; readonly at: number }
  /** Something a source found in its bytes that the user should know (said once by the source). */
  | { readonly kind: 'source-notice'; readonly source: SourceId; readonly stream?: string; readonly text: string; readonly at: number }
  | { readonly kind: 'broker'; readonly state: BrokerState; readonly detail?: string; readonly at: number }
  /** The day's electricity prices, as the shell fetched them (with prices on). */
  | { readonly kind: 'prices'; readonly table: PriceTable; readonly at: number }
  /** Home Assistant's birth message: it wants discovery and state again. */
  | { readonly kind: 'ha-online'; readonly at: number }
  /** What became of a `persist` effect. */
  | { readonly kind: 'saved'; readonly error: string | null; readonly at: number }
  /** Last: the service is stopping. */
  | { readonly kind: 'stop'; readonly at: number };

/** A message's content: a plain object, serialised as JSON by the shell. */
export type Payload = Readonly<Record<string, unknown>>;

export type Effect =
  /** `payload` null is an empty message: with `retain`, it clears what the broker kept under the topic. */
  | { readonly kind: 'publish'; readonly topic: string; readonly payload: Payload | null; readonly retain: boolean }
  /** A retained `online`/`offline`. */
  | { readonly kind: 'availability'; readonly topic: string; readonly online: boolean }
  | { readonly kind: 'notice'; readonly notice: Notice }
  /** Save the state: a copy, made when the effect was, that nothing in the core changes afterwards. */
  | { readonly kind: 'persist'; readonly state: PersistedState }
  /**
   * A system title's invocation counter moved: written to a journal beside the state file (at once at a meter's pace,
   * within a second when faster: service/state-store.ts), so that a frame accepted before a crash is not accepted
   * again after it (the state file is saved every few minutes only).
   */
  | { readonly kind: 'counter'; readonly systemTitle: string; readonly counter: number; readonly keys: string }
  /** Drop the source's connection and dial again: a bridge that sends no good frame may be half-open. */
  | { readonly kind: 'redial'; readonly source: SourceId; readonly reason: string }
  /** A frame as it came and what became of it: for the page's frame log (only with `frameLog`). */
  | { readonly kind: 'frame'; readonly entry: FrameLogEntry };

/** One frame in the frame log. */
export interface FrameLogEntry {
  readonly at: number;
  readonly source: SourceId;
  /** The stream within the source (an MQTT topic under a wildcard); "" for the source's one. */
  readonly stream: string;
  /** The frames as they came, flags and checksums included (several for a segmented message); encrypted as sent. */
  readonly raw: readonly Buffer[];
  readonly size: number;
  readonly list: string | null;
  readonly meterId: string | null;
  readonly systemTitle: string | null;
  /**
   * `accepted`, or why not: `replay`, `energy-held`, `waiting-for-meter-id`, or the decode error's reason
   * (`checksum`, `wrong-authentication-key` …).
   */
  readonly verdict: string;
  /** What the refusal means, for a person; null when accepted. */
  readonly detail: string | null;
}

/** One byte source and how its frames are read. */
export interface SourceSpec {
  readonly id: SourceId;
  /** For the log and the diagnostics: "tcp 192.168.1.50:6638". */
  readonly name: string;
  /** Redialled when no good frame came for the data timeout (a TCP bridge). */
  readonly redial: boolean;
  /** The line settings are the bridge's, not PowerMeter's own (a TCP or MQTT bridge): said so in the hint. */
  readonly remoteLine: boolean;
  readonly keys: Keys;
  readonly energyMultiplier?: number | undefined;
  readonly profile?: string | undefined;
  readonly baudRate: number;
  readonly parity: string;
  /**
   * The source carries many byte streams (an MQTT wildcard: one per bridge): each gets its own framer and key check,
   * and a stream's "keys OK" is not worth a log line of its own.
   */
  readonly multiStream?: boolean;
}
