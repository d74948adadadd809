import { openSync, writeSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { Backoff } from '../src/base/backoff.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { random } from './support/random.js';
import { PtyPair, socat } from './support/pty.js';
import { bytesOf, danish, danishKeys } from './support/vectors.js';

if (!socat) console.warn('socat is not installed (apt-get install socat): the serial tests are skipped');

/** Writes bytes into the meter's end of the pty in random chunk sizes, as a UART delivers them. */
async function write(path: string, bytes: Buffer): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * 48);
      writeSync(fd, bytes.subarray(at, at + n));
      at += n;
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!socat)('service with a serial port (socat pseudo-terminals)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-pty-'));
  const pty = new PtyPair(join(dir, 'meter'), join(dir, 'ttyHAN'));
  let broker: TestBroker;
  let recorder: Recorder;
  let app: Running;
  const log = captureLogger();

  beforeAll(async () => {
    await pty.up();
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    const settings = parseOptions({ source: 'serial', serial_port: pty.han, encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication, mqtt_url: broker.url });
    app = startApp(settings, { url: broker.url }, log.logger, { brokerBackoff: new Backoff(100, 300) });
    await eventually(() => expect(log.lines.some((l) => /source connected/.test(l))).toBe(true));
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await pty.down();
    await broker?.down();
  });

  it('decodes the Danish frame written in random chunks', async () => {
    await write(pty.meter, bytesOf(danish));
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/27581522/state')).payload) as Record<string, number>;
    expect(state.active_energy_import).toBe(8666.36);
    expect(state.active_energy_import_l3).toBe(2890.51);
  });

  it('says once that the device disappeared, and reopens it when it is back', async () => {
    await pty.down();
    // The retries are debug lines: wait until two have come, and only one warning must be among them.
    await eventually(() => expect(log.lines.filter((l) => /DEBUG source still unavailable/.test(l)).length).toBeGreaterThanOrEqual(2), 20_000);
    const gone = log.lines.filter((l) => /WARNING source unavailable/.test(l));
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatch(/ttyHAN/);
    await pty.up();
    await eventually(() => expect(log.lines.some((l) => /INFO source connected again/.test(l))).toBe(true), 20_000);
    const since = recorder.messages.length;
    const meter = new SimulatedMeter(57_000_002, danishKeys);
    await write(pty.meter, meter.frame(new Date(), 10));
    const state = await recorder.next((m) => m.topic === 'powermeter/57000002/state', 15_000, since);
    expect((JSON.parse(state.payload) as Record<string, number>).voltage_l3).toBe(232);
  });
});
