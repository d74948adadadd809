import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { MeterServer } from './support/meter-server.js';
import { danishKeys } from './support/vectors.js';

// Home Assistant's birth topic is a setting of its own, homeassistant/status by default, not derived from the
// discovery prefix (homeassistant/components/mqtt/const.py DEFAULT_BIRTH_WILL_TOPIC).
describe('Home Assistant coming online, with a discovery prefix of its own', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, discovery_prefix: 'custom', encryption_key: danishKeys.encryption.toString('hex'), authentication_key: danishKeys.authentication.toString('hex') });
    app = startApp(settings, { url: broker.url }, captureLogger().logger, { birthDelayMs: 10 });
    await meter.send(new SimulatedMeter(57_000_001, danishKeys).frame(new Date(), 10));
    await recorder.next((m) => m.topic === 'custom/device/powermeter_57000001/config');
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  it.each(['homeassistant/status', 'custom/status'])('answers online on %s with discovery and state', async (topic) => {
    const since = recorder.messages.length;
    await recorder.client.publishAsync(topic, 'online');
    await recorder.next((m) => m.topic === 'custom/device/powermeter_57000001/config', 5000, since);
    await recorder.next((m) => m.topic === 'powermeter/57000001/state', 5000, since);
    expect(recorder.messages.slice(since).some((m) => m.topic.startsWith('homeassistant/device/'))).toBe(false);
  });
});
