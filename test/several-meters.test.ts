import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { fnv1a32, ownsTopic } from '../src/source/partition.js';
import { Recorder, TestBroker, type Message } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { MeterServer } from './support/meter-server.js';
import { randomBytes } from './support/random.js';
import { bytesOf, danish, vector } from './support/vectors.js';

const tz = 'UTC';
const json = (m: Message) => JSON.parse(m.payload) as Record<string, unknown>;
const last = (r: Recorder, topic: string) => r.messages.filter((m) => m.topic === topic).at(-1);

describe('FNV-1a 32, the partition hash: never changed between versions', () => {
  it('gives the published test values', () => {
    // http://www.isthe.com/chongo/tech/comp/fnv/ (test vectors of FNV-1a 32)
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // over the topic's UTF-8 bytes (C3 B8), not its UTF-16 units (00F8)
    expect(fnv1a32('ø')).toBe(0x0d9dcdfe);
    expect(ownsTopic({ index: 0, count: 1 }, 'han/any/raw')).toBe(true);
  });
});

describe('two meters on two sources in one add-on', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;
  const log = captureLogger();
  const austrian = vector('at-landisgyr-e450-gh501-1-encrypted');

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    const settings = parseOptions({
      source: 'tcp',
      tcp_host: '127.0.0.1',
      tcp_port: meter.port,
      encryption_key: danish.keys!.encryption,
      authentication_key: danish.keys!.authentication,
      mqtt_url: broker.url,
      more_meters: [{ source: 'mqtt', mqtt_source_topic: 'han/annex/raw', encryption_key: austrian.keys!.encryption, authentication_key: austrian.keys!.authentication }],
    });
    app = startApp(settings, { url: broker.url }, log.logger, { timeZone: tz });
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'online');
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  it('each meter gets its device; the PowerMeter device gets diagnostics for each source', async () => {
    await meter.send(bytesOf(danish));
    await recorder.client.publishAsync('han/annex/raw', bytesOf(austrian));
    const first = json(await recorder.next((m) => m.topic === 'powermeter/27581522/state'));
    const second = json(await recorder.next((m) => m.topic === 'powermeter/30137181/state'));
    expect(first.voltage_l1).toBe(224);
    expect(second.voltage_l2).toBe(237);
    expect(second.active_energy_import).toBe(31358.606);
    for (const id of ['27581522', '30137181']) {
      const config = json(await recorder.next((m) => m.topic === `homeassistant/device/powermeter_${id}/config`));
      expect(config.device).toMatchObject({ serial_number: id, via_device: 'powermeter_bridge' });
    }

    const bridge = json(await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_bridge/config'));
    const components = bridge.components as Record<string, { name: string; unique_id: string; value_template: string }>;
    // The first source keeps the names and ids of a one-meter installation; the second is suffixed and named.
    expect(components.security).toMatchObject({ name: `Key check (tcp 127.0.0.1:${meter.port})`, unique_id: 'powermeter_bridge_security' });
    expect(components.security_2).toMatchObject({ name: 'Key check (mqtt topic han/annex/raw)', unique_id: 'powermeter_bridge_security_2', value_template: '{{ value_json.security_2 }}' });
    expect(Object.keys(components)).toHaveLength(14);

    const diagnostics = await eventually(() => {
      const d = json(last(recorder, 'powermeter/bridge/state')!);
      expect(d).toMatchObject({ frames_decoded: 1, frames_decoded_2: 1 });
      return d;
    });
    expect(diagnostics).toMatchObject({ security: 'authenticated', security_2: 'authenticated', source_state: 'connected', source_state_2: 'connected', problem: 'OFF', problem_2: 'OFF' });
    // Every value template of the device finds its value.
    for (const c of Object.values(components)) expect(diagnostics).toHaveProperty(/value_json\.(\w+)/.exec(c.value_template)![1]!);
  });

  it('names the source in what the log says about it', async () => {
    const corrupt = bytesOf(austrian);
    corrupt[40]! ^= 0xff;
    await recorder.client.publishAsync('han/annex/raw', corrupt);
    await eventually(() => expect(app.core.rejected('1', 'checksum')).toBe(1));
    expect(log.lines.filter((l) => / DEBUG .*checksum.* source="mqtt topic han\/annex\/raw"$/.test(l.trim()))).toHaveLength(1);
    expect(log.lines.some((l) => l.trim().endsWith('INFO source connected source="mqtt topic han/annex/raw"'))).toBe(true);
    expect(log.lines.some((l) => l.trim().endsWith(`INFO source connected source="tcp 127.0.0.1:${meter.port}"`))).toBe(true);
  });
});

/** A fleet of simulated bridges, each publishing its meter's frames on a topic of its own, each meter with its keys. */
function fleet(count: number, topicOf: (n: number) => string) {
  return Array.from({ length: count }, (_, i) => {
    const number = 58_000_000 + i;
    const keys = { encryption: randomBytes(16), authentication: randomBytes(16) };
    return { number, topic: topicOf(number), keys, sim: new SimulatedMeter(number, keys, { timeZone: tz }), title: `4B414D45${number.toString(16).toUpperCase().padStart(8, '0')}` };
  });
}
const keyItem = (m: ReturnType<typeof fleet>[number]) => ({ system_title: m.title, encryption_key: m.keys.encryption.toString('hex'), authentication_key: m.keys.authentication.toString('hex') });

describe('200 bridges on one wildcard topic, keys by system title', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let app: Running;
  const log = captureLogger();
  const meters = fleet(200, (n) => `han/${n}/raw`);
  const keyless = fleet(201, (n) => `han/${n}/raw`).at(-1)!;
  const t0 = Date.UTC(2026, 5, 15, 10);

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url, 'powermeter/#');
    const settings = parseOptions({ source: 'mqtt', mqtt_source_topic: 'han/+/raw', mqtt_url: broker.url, meter_keys: meters.map(keyItem) });
    app = startApp(settings, { url: broker.url }, log.logger, { timeZone: tz });
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'online');
  });

  afterAll(async () => {
    await app?.stop();
    await recorder?.stop();
    await broker?.down();
  });

  it('decodes every meter with its own keys, in one process', async () => {
    // Two bridges' frames arrive in halves, interleaved: each topic has its own framer, so neither is lost.
    const [a, b] = [meters[0]!, meters[1]!];
    const fa = a.sim.frame(new Date(t0), 10, { active_energy_import: 1000 });
    const fb = b.sim.frame(new Date(t0), 10, { active_energy_import: 1001 });
    await recorder.client.publishAsync(a.topic, fa.subarray(0, 100));
    await recorder.client.publishAsync(b.topic, fb.subarray(0, 200));
    await recorder.client.publishAsync(a.topic, fa.subarray(100));
    await recorder.client.publishAsync(b.topic, fb.subarray(200));
    for (const [i, m] of meters.entries()) {
      if (i > 1) await recorder.client.publishAsync(m.topic, m.sim.frame(new Date(t0), 10, { active_energy_import: 1000 + i }));
    }
    await eventually(() => expect(new Set(recorder.messages.filter((m) => /^powermeter\/\d+\/state$/.test(m.topic)).map((m) => m.topic)).size).toBe(200), 30_000);
    for (const [i, m] of meters.entries()) {
      const state = json(last(recorder, `powermeter/${m.number}/state`)!);
      expect(state.active_energy_import, m.topic).toBe(1000 + i);
      expect(state.voltage_l2).toBe(229);
    }
    expect(app.core.frames).toBe(200);
    expect(app.core.security('0')).toBe('authenticated');
  });

  it('says a meter without keys once, naming its system title, and keeps counting it', async () => {
    for (let i = 0; i < 3; i++) await recorder.client.publishAsync(keyless.topic, keyless.sim.frame(new Date(t0 + i * 10_000), 10));
    await eventually(() => expect(app.core.rejected('0', 'key-missing')).toBe(3));
    const said = log.lines.filter((l) => l.includes(keyless.title));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/ ERROR .*no keys are set for it: add it to meter_keys/);
    expect(said[0]).toContain(keyless.topic);
    // The source's key check shows the worst of its bridges.
    await eventually(() => expect(app.core.security('0')).toBe('key_missing'));
    // 200 bridges whose keys are right are no 200 lines of "keys OK".
    expect(log.lines.filter((l) => l.includes('keys right') && / INFO /.test(l))).toHaveLength(0);
    for (const m of meters) for (const line of log.lines) expect(line).not.toContain(m.keys.encryption.toString('hex'));
  });
});

describe('two instances share a fleet by partition', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  const apps: (Running | null)[] = [null, null];
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'powermeter-partition-')));
  const meters = fleet(24, (n) => `site/${n}/han`);
  let clock = Date.UTC(2026, 5, 15, 10);
  const owner = (topic: string) => fnv1a32(topic) % 2;

  const start = async (index: number) => {
    const settings = parseOptions({ source: 'mqtt', mqtt_source_topic: 'site/#', mqtt_url: broker.url, meter_keys: meters.map(keyItem), partition_index: index, partition_count: 2 });
    const since = recorder.messages.length;
    apps[index] = startApp(settings, { url: broker.url }, captureLogger().logger, { timeZone: tz, now: () => clock, statePath: join(dirs[index]!, 'state.json') });
    await recorder.next((m) => m.topic === `powermeter/partition_${index}/availability` && m.payload === 'online', 15_000, since);
  };
  const round = async (kwh: (i: number) => number) => {
    clock += 10_000;
    for (const [i, m] of meters.entries()) await recorder.client.publishAsync(m.topic, m.sim.frame(new Date(clock), 10, { active_energy_import: kwh(i) }));
  };
  const states = (m: { number: number }) => recorder.messages.filter((x) => x.topic === `powermeter/${m.number}/state`).map(json);

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    await start(0);
    await start(1);
  });

  afterAll(async () => {
    for (const app of apps) await app?.stop();
    await recorder?.stop();
    await broker?.down();
  });

  it('every meter is decoded by exactly one instance, none is lost, and its accounting stays there across a restart', async () => {
    const owned = [0, 1].map((i) => meters.filter((m) => owner(m.topic) === i));
    expect(owned[0]!.length).toBeGreaterThan(0);
    expect(owned[1]!.length).toBeGreaterThan(0);

    await round((i) => 1000 + i);
    await eventually(() => expect(meters.every((m) => states(m).length === 1)).toBe(true), 20_000);
    expect([apps[0]!.core.frames, apps[1]!.core.frames]).toEqual([owned[0]!.length, owned[1]!.length]);

    // Each has its own device and availability; a meter's sensors follow the instance that decodes it.
    for (const i of [0, 1]) {
      const bridge = json(await recorder.next((m) => m.topic === `homeassistant/device/powermeter_bridge_p${i}/config`));
      expect(bridge).toMatchObject({ device: { name: `PowerMeter partition ${i}` }, state_topic: `powermeter/bridge_p${i}/state`, availability: [{ topic: `powermeter/partition_${i}/availability` }] });
    }
    for (const m of meters) {
      const config = json(await recorder.next((x) => x.topic === `homeassistant/device/powermeter_${m.number}/config`));
      expect(config.availability).toEqual([{ topic: `powermeter/partition_${owner(m.topic)}/availability` }, { topic: `powermeter/${m.number}/availability` }]);
      expect((config.device as { via_device: string }).via_device).toBe(`powermeter_bridge_p${owner(m.topic)}`);
    }

    // Instance 0 restarts; meanwhile nothing is sent (a meter's frames while its instance is away are the broker's
    // business: docs/scaling.md). Its meters' day keeps its start from before the restart.
    const since = recorder.messages.length;
    await apps[0]!.stop();
    apps[0] = null;
    const saved = JSON.parse(readFileSync(join(dirs[0]!, 'state.json'), 'utf8')) as { meters: Record<string, unknown> };
    expect(Object.keys(saved.meters).sort()).toEqual(owned[0]!.map((m) => String(m.number)).sort());
    expect(recorder.messages.slice(since).some((m) => m.topic === 'powermeter/partition_0/availability' && m.payload === 'offline')).toBe(true);
    expect(last(recorder, 'powermeter/partition_1/availability')!.payload).toBe('online');
    await start(0);

    await round((i) => 1000 + i + 0.05);
    await eventually(() => expect(meters.every((m) => states(m).length === 2)).toBe(true), 20_000);
    for (const m of meters) {
      const [, second] = states(m);
      // 0.05 kWh since the first frame of the day: the period's start came back from the instance's state file.
      expect(second!.energy_import_day, `${m.topic} of instance ${owner(m.topic)}`).toBeCloseTo(0.05, 6);
    }
    expect([apps[0]!.core.frames, apps[1]!.core.frames]).toEqual([owned[0]!.length, 2 * owned[1]!.length]);
  });
});

describe('two instances on an MQTT shared subscription', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  const apps: Running[] = [];
  const meters = fleet(6, (n) => `shared/${n}/raw`);

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    for (const base of ['pm-a', 'pm-b']) {
      const since = recorder.messages.length;
      const settings = parseOptions({ source: 'mqtt', mqtt_source_topic: '$share/powermeter/shared/+/raw', base_topic: base, mqtt_url: broker.url, meter_keys: meters.map(keyItem) });
      apps.push(startApp(settings, { url: broker.url }, captureLogger().logger, { timeZone: tz }));
      await recorder.next((m) => m.topic === `${base}/availability` && m.payload === 'online', 15_000, since);
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await recorder?.stop();
    await broker?.down();
  });

  it('the broker gives each frame to one of them: every frame decoded once, none twice', async () => {
    let clock = Date.UTC(2026, 5, 15, 10);
    const statesOf = (m: { number: number }) => recorder.messages.filter((x) => x.topic === `pm-a/${m.number}/state` || x.topic === `pm-b/${m.number}/state`);
    for (let round = 1; round <= 3; round++) {
      clock += 10_000;
      for (const m of meters) await recorder.client.publishAsync(m.topic, m.sim.frame(new Date(clock), 10));
      // A round at a time: while a meter's device config is on its way, its newer states replace older ones.
      await eventually(() => expect(meters.map((m) => statesOf(m).length)).toEqual(meters.map(() => round)), 20_000);
    }
    expect(apps[0]!.core.frames + apps[1]!.core.frames).toBe(18);
  });
});
