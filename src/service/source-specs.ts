import type { SourceId, SourceSpec } from '../core/events.js';
import type { Publisher } from '../mqtt/publisher.js';
import { hasWildcard, MqttFrameSource } from '../source/mqtt-frames.js';
import type { Partition } from '../source/partition.js';
import { SerialSource } from '../source/serial.js';
import type { Source } from '../source/source.js';
import { TcpSource } from '../source/tcp.js';
import type { MeterSource } from './options.js';

/** The source a meter's options name. */
export function sourceFor(meter: MeterSource, publisher: Publisher, partition: Partition | null = null): Source {
  const c = meter.connection;
  switch (c.kind) {
    case 'serial':
      return new SerialSource({ path: c.path, baudRate: meter.baudRate, parity: meter.parity });
    case 'tcp':
      return new TcpSource({ host: c.host, port: c.port });
    case 'mqtt':
      return new MqttFrameSource(publisher, c.topic, partition);
  }
}

/** What the core knows of a source: its options, and what kind of line it is. */
export function specOf(id: SourceId, meter: MeterSource, source: Source): SourceSpec {
  const kind = meter.connection.kind;
  return {
    id,
    name: source.name,
    redial: typeof source.redial === 'function',
    remoteLine: kind !== 'serial',
    keys: meter.keys,
    energyMultiplier: meter.energyMultiplier,
    profile: meter.meterProfile,
    baudRate: meter.baudRate,
    parity: meter.parity,
    multiStream: meter.connection.kind === 'mqtt' && hasWildcard(meter.connection.topic),
  };
}
