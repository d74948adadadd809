import { parseCapture } from '../capture.js';
import type { Source, SourceEvents } from './source.js';

/**
 * Raw frames that a bridge publishes on an MQTT topic: binary payloads, hex text, or the JSON of the
 * Tasmota serial bridge (`{"SerialReceived":"7EA1…"}`).
 */
export function framePayload(payload: Buffer): Buffer {
  if (payload[0] === 0x7b /* { */) {
    try {
      const json = JSON.parse(payload.toString('utf8')) as unknown;
      const hex = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).SerialReceived : undefined;
      if (typeof hex === 'string') return Buffer.from(parseCapture(Buffer.from(hex, 'latin1')));
    } catch {
      // not JSON after all: fall through and treat it as bytes
    }
  }
  return Buffer.from(parseCapture(payload));
}

export interface Subscriber {
  subscribe(topic: string, onMessage: (payload: Buffer) => void): void;
  unsubscribe(topic: string): void;
}

export class MqttFrameSource implements Source {
  readonly name: string;

  constructor(
    private readonly subscriber: Subscriber,
    private readonly topic: string,
  ) {
    this.name = `mqtt topic ${topic}`;
  }

  start(events: SourceEvents): void {
    this.subscriber.subscribe(this.topic, (payload) => {
      try {
        events.data(framePayload(payload));
      } catch {
        // An odd-length hex payload: let the framer see the raw bytes, so it is counted as discarded, not lost silently.
        events.data(payload);
      }
    });
    events.state('connected');
  }

  stop(): Promise<void> {
    this.subscriber.unsubscribe(this.topic);
    return Promise.resolve();
  }
}
