import { parseCapture } from '../capture.js';
import type { Source, SourceEvents } from './source.js';

/**
 * Raw frames that a bridge publishes on an MQTT topic: binary payloads, hex text, or the JSON of the Tasmota serial
 * bridge (`{"SerialReceived":"7EA1…"}`). A payload that is none of these cleanly (odd hex) is passed on as the bytes it
 * is, so that the framer counts it as discarded rather than it being lost silently.
 */
export function framePayload(payload: Buffer): Buffer {
  const hex = payload[0] === 0x7b /* { */ ? tasmotaHex(payload) : null;
  try {
    return Buffer.from(parseCapture(hex === null ? payload : Buffer.from(hex, 'latin1')));
  } catch {
    return payload;
  }
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

export class MqttFrameSource implements Source {
  readonly name: string;

  constructor(
    private readonly subscriber: Subscriber,
    private readonly topic: string,
  ) {
    this.name = `mqtt topic ${topic}`;
  }

  start(events: SourceEvents): void {
    this.subscriber.subscribe(this.topic, (_topic, payload) => events.data(framePayload(payload)));
    events.state('connected');
  }

  stop(): Promise<void> {
    this.subscriber.unsubscribe(this.topic);
    return Promise.resolve();
  }
}
