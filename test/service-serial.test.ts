import { openSync, writeSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { PtyPair, socat } from './support/pty.js';
import { bytesOf, danish, danishKeys } from './support/vectors.js';

if (!socat) console.warn('socat is not installed (apt-get install socat): the serial tests are skipped');

/** Writes bytes into the meter's end of the pty in random chunk sizes, as a UART delivers them. */
async function write(path: string, bytes: Buffer): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(Math.random() * 48);
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
    app = startApp(settings, { url: broker.url }, log.logger, { reconnectMs: 300 });
    await new Promise((r) => setTimeout(r, 300));
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
    const unavailable = () => log.lines.filter((l) => /WARNING source unavailable/.test(l));
    for (let i = 0; i < 100 && unavailable().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2500)); // retries happen in this time: they must not be logged again
    const gone = unavailable();
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatch(/ttyHAN/);
    await pty.up();
    const since = recorder.messages.length;
    const meter = new SimulatedMeter(57_000_002, danishKeys);
    // The port is reopened with back-off: keep the meter talking until a frame gets through.
    let state: string | null = null;
    for (let i = 0; i < 40 && state === null; i++) {
      await write(pty.meter, meter.frame(new Date(), 10));
      state = recorder.messages.slice(since).find((m) => m.topic === 'powermeter/57000002/state')?.payload ?? null;
      if (state === null) await new Promise((r) => setTimeout(r, 500));
    }
    expect(state).not.toBeNull();
    expect((JSON.parse(state!) as Record<string, number>).voltage_l3).toBe(232);
  });
});
