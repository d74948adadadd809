import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../src/base/backoff.js';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import type { Source, SourceEvents } from '../src/source/source.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { danishKeys } from './support/vectors.js';

/**
 * A source hands the service its own read buffer, valid during the call only (SourceEvents.data): the TCP and serial
 * sources read every time into the same memory. A backlog larger than the service decodes in one turn (a bridge that
 * buffered while Wi-Fi was away) waits in the service, which must copy it: here the source overwrites its buffer as
 * soon as the call returns, as its next read would.
 */
class ReusingSource implements Source {
  readonly name = 'reusing';
  private readonly buffer = Buffer.alloc(64 * 1024);
  constructor(private readonly backlog: Buffer) {}
  start(events: SourceEvents): void {
    events.state('connected');
    this.backlog.copy(this.buffer);
    events.data(this.buffer.subarray(0, this.backlog.length));
    this.buffer.fill(0x7e); // the next read's bytes: flags that frame nothing
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

let app: Running | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

describe('a backlog in the source’s read buffer', () => {
  it('is decoded whole, though the source reuses its buffer at once', async () => {
    const sim = new SimulatedMeter(57_000_002, danishKeys);
    const start = Date.UTC(2026, 10, 23, 12);
    const frames = Array.from({ length: 80 }, (_, i) => sim.frame(new Date(start + i * 10_000), 10));
    const backlog = Buffer.concat(frames);
    expect(backlog.length).toBeGreaterThan(3 * 8192); // more than the service decodes in one turn (SLICE_BYTES)
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: 1, encryption_key: danishKeys.encryption.toString('hex'), authentication_key: danishKeys.authentication.toString('hex'), mqtt_url: 'mqtt://127.0.0.1:1' });
    app = startApp(settings, { url: 'mqtt://127.0.0.1:1' }, captureLogger().logger, { source: new ReusingSource(backlog), brokerBackoff: new Backoff(60_000, 60_000), now: () => start + 600_000 });
    await eventually(() => expect(app!.core.frames).toBe(frames.length));
    expect(app.core.rejected('0', 'checksum')).toBe(0);
  });
});
