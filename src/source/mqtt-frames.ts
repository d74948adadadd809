import { ownsTopic, type Partition } from './partition.js';
import { RawFrameStream } from './raw-frames.js';
import { MAX_STREAMS, type Source, type SourceEvents } from './source.js';

/** How a raw-frame source subscribes: the MQTT client implements it (topic filters may hold wildcards). */
export interface Subscriber {
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): void;
  unsubscribe(filter: string): void;
}

/** Whether a topic filter holds a wildcard (MQTT 3.1.1 §4.7.1): then each matching topic is a stream of its own. */
export const hasWildcard = (filter: string): boolean => /(^|\/)[+#](\/|$)/.test(filter);

/**
 * Raw frames published on an MQTT topic (or on every topic under a wildcard, one stream per topic): each stream reads
 * its messages in the format it was found to use (src/source/raw-frames.ts), so that a frame published in pieces is
 * joined again by the framer.
 */
export class MqttFrameSource implements Source {
  readonly name: string;
  /**
   * The streams by topic, least recently heard first (a Map keeps insertion order; a topic heard is moved to the end).
   * Bounded: topics under a wildcard are a stranger's to add, and each costs memory.
   */
  private readonly streams = new Map<string, { reader: RawFrameStream; owned: boolean }>();

  constructor(
    private readonly subscriber: Subscriber,
    private readonly topic: string,
    /** This instance's share of a fleet: topics that hash to another instance are left to it. */
    private readonly partition: Partition | null = null,
    private readonly maxStreams = MAX_STREAMS,
  ) {
    this.name = `mqtt topic ${topic}`;
  }

  start(events: SourceEvents): void {
    this.subscriber.subscribe(this.topic, (topic, payload) => {
      const stream = this.stream(topic);
      if (!stream.owned) return;
      const read = stream.reader.push(payload);
      if (read.changed) events.notice(`the bridge on ${topic} now publishes ${read.changed.to} frames where it published ${read.changed.from}: reading them so from now on`, topic);
      if (read.bytes.length > 0) events.data(read.bytes, topic);
    });
    events.state('connected');
  }

  private stream(topic: string): { reader: RawFrameStream; owned: boolean } {
    let stream = this.streams.get(topic);
    if (stream !== undefined) {
      this.streams.delete(topic);
      this.streams.set(topic, stream);
      return stream;
    }
    if (this.streams.size >= this.maxStreams) {
      const idlest = this.streams.keys().next().value;
      // The core forgets the same stream, and says so (too-many-streams).
      if (idlest !== undefined) this.streams.delete(idlest);
    }
    stream = { reader: new RawFrameStream(), owned: this.partition === null || ownsTopic(this.partition, topic) };
    this.streams.set(topic, stream);
    return stream;
  }

  stop(): Promise<void> {
    this.subscriber.unsubscribe(this.topic);
    return Promise.resolve();
  }
}
