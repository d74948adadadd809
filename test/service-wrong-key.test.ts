import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { MeterServer } from './support/meter-server.js';
import { danish, danishKeys } from './support/vectors.js';

/**
 * A wrong authentication key over a real TCP bridge, for longer than data_timeout (15 s here, the least the options
 * take; the core test runs the same for 5 minutes of simulated time): frames keep coming, so the bridge is never
 * redialled, the problem sensor stays off, and the log says the key once.
 */
describe('a wrong authentication key over a TCP bridge, past data_timeout', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;
  const log = captureLogger('info');
  const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: 'UTC' });

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, encryption_key: danish.keys!.encryption, authentication_key: '00'.repeat(16), mqtt_url: broker.url, data_timeout: 15 });
    app = startApp(settings, { url: broker.url }, log.logger, { timeZone: 'UTC' });
    await meter.connected();
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  it('no redial, the problem sensor OFF, the key check wrong_authentication_key, one line about it', async () => {
    // A frame a second for 22 s: well past data_timeout (15 s); each one is waited for by its count, not by a sleep.
    for (let i = 1; i <= 22; i++) {
      const next = new Promise((r) => setTimeout(r, 1000));
      await meter.write(sim.frame(new Date(Date.UTC(2026, 11, 4, 12) + i * 10_000), 10));
      await next;
    }
    expect(meter.connectionCount).toBe(1);
    expect(app.core.security('0')).toBe('wrong_authentication_key');
    expect(app.core.rejected('0', 'wrong-authentication-key')).toBeGreaterThanOrEqual(21);
    const states = recorder.messages.filter((m) => m.topic === 'powermeter/bridge/state').map((m) => JSON.parse(m.payload) as { problem: string });
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s.problem === 'OFF')).toBe(true);
    const after = log.lines.slice(log.lines.findIndex((l) => /source connected/.test(l)) + 1).filter((l) => !/connected to the MQTT broker/.test(l));
    expect(after.filter((l) => / (INFO|WARNING|ERROR) /.test(l))).toEqual([expect.stringMatching(/ERROR key check: wrong authentication key/)]);
  }, 60_000);
});
