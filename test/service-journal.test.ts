import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../src/base/backoff.js';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import type { Source, SourceEvents } from '../src/source/source.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { danishKeys } from './support/vectors.js';

/** A bridge's backlog: frames faster than a meter sends, so that their counters are journalled at the gap, later. */
class BurstSource implements Source {
  readonly name = 'burst';
  constructor(private readonly frames: readonly Buffer[]) {}
  start(events: SourceEvents): void {
    events.state('connected');
    for (const f of this.frames) events.data(f);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

let app: Running | null = null;
afterEach(async () => {
  await app?.stop().catch(() => undefined);
  app = null;
});

describe('a replay journal the disk refuses (ENOSPC)', () => {
  it('is said as a failed save, every frame is still taken, and the stop ends cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-journal-'));
    // The journal, and the state file's temporary file too: the stop's save fails as well, and leaves the journal's
    // last counters to the close, which must not stop the stop.
    symlinkSync('/dev/full', join(dir, 'accounting.json.counters'));
    symlinkSync('/dev/full', join(dir, 'accounting.json.tmp'));
    const sim = new SimulatedMeter(57_000_003, danishKeys);
    const start = Date.UTC(2026, 10, 23, 12);
    const frames = Array.from({ length: 5 }, (_, i) => sim.frame(new Date(start + i * 10_000), 10));
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: 1, encryption_key: danishKeys.encryption.toString('hex'), authentication_key: danishKeys.authentication.toString('hex'), mqtt_url: 'mqtt://127.0.0.1:1' });
    const { logger, lines } = captureLogger();
    app = startApp(settings, { url: 'mqtt://127.0.0.1:1' }, logger, { source: new BurstSource(frames), brokerBackoff: new Backoff(60_000, 60_000), statePath: join(dir, 'accounting.json'), now: () => start + 60_000 });
    await eventually(() => expect(app!.core.frames).toBe(frames.length));
    // The first counter is written at once and refused; the four after it wait for the gap (its refusal goes the same
    // way: test/state-store.test.ts), and the stop's close writes what waits, quietly (the stop's save holds it).
    await eventually(() => expect(lines.some((l) => /ERROR cannot save the energy periods: .*accounting\.json\.counters: ENOSPC/.test(l))).toBe(true));
    await app.stop();
    app = null;
    expect(lines.some((l) => /error while stopping/.test(l))).toBe(false);
  });
});
