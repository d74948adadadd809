import { readCapture } from '../capture-reader.js';
import { ownsTopic, type Partition } from './partition.js';
import type { Source, SourceEvents } from './source.js';

/**
 * Raw frames that a bridge publishes on an MQTT topic: binary payloads, hex text, or the JSON of the Tasmota serial
 * bridge (`{"SerialReceived":"7EA1…"}`). Hex is read as `decode` reads a capture (one reader for both): damaged hex is
 * read as far as it goes, and the framer counts the frame it spoils (a checksum error), never losing it silently.
 */
export function framePayload(payload: Buffer): Buffer {
  const hex = payload[0] === 0x7b /* { */ ? tasmotaHex(payload) : null;
  return readCapture(hex === null ? payload : Buffer.from(hex, 'latin1'));
}

function tasmotaHex(payload: Buffer): string | null {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null; // not JSON after all: the bytes themselves
  }
  const hex = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).SerialReceived : undefined;
  return typeof hex === 'string' ? hex : null;
}

/** How a raw-frame source subscribes: the MQTT client implements it (topic filters may hold wildcards). */
export interface Subscriber {
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): void;
  unsubscribe(filter: string): void;
}

/** Whether a topic filter holds a wildcard (MQTT 3.1.1 §4.7.1): then each matching topic is a stream of its own. */
export const hasWildcard = (filter: string): boolean => /(^|\/)[+#](\/|$)/.test(filter);

export class MqttFrameSource implements Source {
  readonly name: string;
  /** Topics seen, with whether this instance owns them: the hash is worked out once per topic. */
  private readonly owned = new Map<string, boolean>();

  constructor(
    private readonly subscriber: Subscriber,
    private readonly topic: string,
    /** This instance's share of a fleet: topics that hash to another instance are left to it. */
    private readonly partition: Partition | null = null,
  ) {
    this.name = `mqtt topic ${topic}`;
  }

  start(events: SourceEvents): void {
    this.subscriber.subscribe(this.topic, (topic, payload) => {
      if (this.partition !== null && !this.owns(this.partition, topic)) return;
      // Each topic is its own stream: bridges under one wildcard never share a framer.
      events.data(framePayload(payload), topic);
    });
    events.state('connected');
  }

  private owns(partition: Partition, topic: string): boolean {
    let owned = this.owned.get(topic);
    if (owned === undefined) {
      owned = ownsTopic(partition, topic);
      // Bounded: a broker with endless topic names under the filter must not grow it without end.
      if (this.owned.size >= 100_000) this.owned.clear();
      this.owned.set(topic, owned);
    }
    return owned;
  }

  stop(): Promise<void> {
    this.subscriber.unsubscribe(this.topic);
    return Promise.resolve();
  }
}
