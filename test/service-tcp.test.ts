import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { Backoff } from '../src/base/backoff.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { mosquitto, Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { discoveryProblems, energyDashboardProblems } from './support/ha.js';
import { eventually } from './support/eventually.js';
import { MeterServer } from './support/meter-server.js';
import { bytesOf, danish, danishKeys } from './support/vectors.js';

const ek = danish.keys!.encryption!;
const ak = danish.keys!.authentication!;
const password = 'correct horse battery staple';

describe('service with a TCP bridge and a real broker', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;
  const log = captureLogger('debug');
  const sim = new SimulatedMeter(57_000_001, danishKeys);
  let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
  const simFrame = () => sim.frame(new Date((clock += 10_000)), 10);

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    const settings = parseOptions({
      source: 'tcp',
      tcp_host: '127.0.0.1',
      tcp_port: meter.port,
      encryption_key: ek.match(/../g)!.join(' ').toLowerCase(),
      authentication_key: `0x${ak}`,
      mqtt_url: broker.url,
      mqtt_username: 'powermeter',
      mqtt_password: password,
      data_timeout: 15,
    });
    app = startApp(settings, { url: broker.url, username: settings.broker.username, password: settings.broker.password }, log.logger, {
      birthDelayMs: 50,
      brokerBackoff: new Backoff(100, 300),
      timeZone: 'Europe/Copenhagen',
    });
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  it(`publishes a valid device config and the Danish meter's state (broker: ${mosquitto ? 'Mosquitto' : 'aedes, Mosquitto not installed'})`, async () => {
    await meter.send(bytesOf(danish));
    const config = await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_27581522/config');
    expect(config.retain).toBe(false); // live delivery; the retained copy is checked below
    const payload = JSON.parse(config.payload) as { components: Record<string, never>; device: Record<string, unknown>; origin: Record<string, unknown>; availability: { topic: string }[] };
    expect(discoveryProblems(payload)).toEqual([]);
    expect(energyDashboardProblems(payload.components.active_energy_import, 'energy')).toEqual([]);
    expect(energyDashboardProblems(payload.components.active_energy_export, 'energy')).toEqual([]);
    expect(energyDashboardProblems(payload.components.active_power_import, 'power')).toEqual([]);
    expect(energyDashboardProblems(payload.components.active_power_export, 'power')).toEqual([]);
    expect(payload.device).toMatchObject({ identifiers: ['powermeter_27581522'], manufacturer: 'Kamstrup', serial_number: '27581522' });
    expect(payload.origin).toMatchObject({ name: 'PowerMeter' });
    expect(payload.availability.map((a) => a.topic)).toEqual(['powermeter/availability', 'powermeter/27581522/availability']);
    expect(payload.components.active_energy_import).toMatchObject({
      platform: 'sensor',
      unique_id: 'powermeter_27581522_active_energy_import',
      default_entity_id: 'sensor.powermeter_27581522_active_energy_import',
      value_template: '{{ value_json.active_energy_import }}',
    });
    expect(payload.components).not.toHaveProperty('active_energy_import.object_id');
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/27581522/state')).payload) as Record<string, unknown>;
    expect(state).toMatchObject({ active_energy_import: 8666.36, reactive_energy_import: 177.08, voltage_l1: 224, voltage_l2: 223, power_factor: 1, meter_time: '2020-01-07T13:47:20.000Z' });
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'online');
    await recorder.next((m) => m.topic === 'powermeter/27581522/availability' && m.payload === 'online');
    const bridge = JSON.parse((await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_bridge/config')).payload) as unknown;
    expect(discoveryProblems(bridge)).toEqual([]);
    const diagnostics = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/bridge/state' && m.payload.includes('"authenticated"'))).payload) as Record<string, unknown>;
    expect(diagnostics).toMatchObject({ security: 'authenticated', source_state: 'connected', problem: 'OFF' });
  });

  it('keeps going when the bridge drops mid-frame and comes back', async () => {
    await meter.connected();
    const before = meter.connectionCount;
    await meter.dropMidFrame(simFrame());
    await meter.connected();
    expect(meter.connectionCount).toBe(before + 1);
    const since = recorder.messages.length;
    await meter.send(simFrame());
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, since)).payload) as Record<string, number>;
    expect(state.voltage_l1).toBe(231);
    expect(log.lines.some((l) => /source unavailable/.test(l))).toBe(true);
  });

  it('holds back a frame whose energy total went down, and publishes the next good one', async () => {
    const first = recorder.messages.length;
    await meter.send(simFrame());
    await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, first);
    const since = recorder.messages.length;
    await meter.send(sim.frame(new Date((clock += 10_000)), 10, { active_energy_import: 5 }));
    await meter.send(simFrame());
    const next = await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, since);
    expect(recorder.messages.slice(since).filter((m) => m.topic === 'powermeter/57000001/state')).toHaveLength(1);
    expect((JSON.parse(next.payload) as Record<string, number>).active_energy_import).toBeGreaterThanOrEqual(12345.67);
    expect(log.lines.some((l) => /WARNING frame held back: active_energy_import went down/.test(l))).toBe(true);
  });

  it('answers Home Assistant coming online with discovery and state', async () => {
    const first = recorder.messages.length;
    await meter.send(simFrame());
    await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, first);
    const since = recorder.messages.length;
    await recorder.client.publishAsync('homeassistant/status', 'online');
    await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_57000001/config', 5000, since);
    await recorder.next((m) => m.topic === 'powermeter/57000001/state', 5000, since);
  });

  it('logs a wrong key once, naming it, then counts', async () => {
    const wrong = new SimulatedMeter(57_000_001, { encryption: danishKeys.encryption, authentication: Buffer.alloc(16, 7) });
    for (let i = 0; i < 3; i++) await meter.send(wrong.frame(new Date(clock), 10));
    await eventually(() => expect(app.core.rejected('0', 'wrong-authentication-key')).toBe(3));
    const told = log.lines.filter((l) => /wrong authentication key/.test(l));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/GPK61/);
  });

  it('comes back by itself after a broker restart: availability, discovery and state, nothing wrong', async () => {
    await broker.down();
    await eventually(() => expect(app.publisher.connected).toBe(false));
    const decoded = app.core.frames;
    await meter.send(simFrame()); // decoded while the broker is away
    await eventually(() => expect(app.core.frames).toBe(decoded + 1));
    await broker.up();
    await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_57000001/config', 15_000, recorder.messages.length);
    const since = recorder.messages.length;
    await meter.send(simFrame());
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, since)).payload) as Record<string, number>;
    expect(state.voltage_l2).toBe(229);
    const availability = await Recorder.start(broker.url, 'powermeter/availability');
    expect((await availability.next(() => true)).payload).toBe('online');
    await availability.stop();
  });

  it('never shows a key or the broker password in a log line or a published message', () => {
    const everything = [...log.lines, ...recorder.messages.map((m) => `${m.topic} ${m.payload}`)].join('\n');
    for (const secret of [ek, ak, password]) {
      expect(everything).not.toContain(secret);
      expect(everything.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(everything.toLowerCase()).not.toContain(secret.slice(0, 16).toLowerCase());
    }
  });
});
