import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { harness, tz } from './support/core.js';
import { eventually } from './support/eventually.js';
import { discoveryProblems, enabledTable, templateProblems } from './support/ha.js';
import { MeterServer } from './support/meter-server.js';
import { root } from './support/addon.js';
import { danishKeys } from './support/vectors.js';

const at = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => instantOf({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, tz);
const docs = readFileSync(join(root, 'DOCS.md'), 'utf8');

interface Config {
  components: Record<string, { enabled_by_default?: boolean; state_class?: string }>;
  device: Record<string, unknown>;
}

describe('what Home Assistant makes of a run: a fresh install, through a real Mosquitto, across an hour, a day and a month', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;
  let clock = at(2026, 11, 30, 22, 59, 20);
  const log = captureLogger('info');

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    // The clock jumps an hour between the two windows: a data_timeout of an hour keeps the bridge from being redialled.
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, encryption_key: danishKeys.encryption.toString('hex'), authentication_key: danishKeys.authentication.toString('hex'), data_timeout: 3600 });
    const statePath = join(mkdtempSync(join(tmpdir(), 'powermeter-ha-')), 'accounting.json');
    app = startApp(settings, { url: broker.url }, log.logger, { now: () => clock, timeZone: tz, statePath, birthDelayMs: 10 });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    // 22:59:20 to 23:00:40, then 23:59:20 on 30 November to 00:00:40 on 1 December: every 10 s, the clock injected.
    for (const start of [at(2026, 11, 30, 22, 59, 20), at(2026, 11, 30, 23, 59, 20)]) {
      for (let i = 0; i < 9; i++) {
        clock = start + i * 10_000;
        const since = recorder.messages.length;
        await meter.send(sim.frame(new Date(clock), 10));
        await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, since).catch((e: unknown) => {
          console.log(log.lines.join(''));
          throw e;
        });
      }
    }
    await recorder.client.publishAsync('homeassistant/status', 'online'); // Home Assistant restarts: everything again
    await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_57000001/config', 5000, recorder.messages.length);
    await app.stop();
    await eventually(() => expect(recorder.messages.some((m) => m.topic === 'powermeter/availability' && m.payload === 'offline')).toBe(true));
  });

  afterAll(async () => {
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  const configs = () => recorder.messages.filter((m) => m.topic.endsWith('/config') && m.payload !== '').map((m) => JSON.parse(m.payload) as Config);

  it('crossed the boundaries: an hour and a day (and a month) closed', () => {
    const last = JSON.parse(recorder.messages.filter((m) => m.topic === 'powermeter/57000001/state').at(-1)!.payload) as Record<string, unknown>;
    expect(last.energy_import_day_last_reset).toBe(new Date(at(2026, 12, 1, 0)).toISOString());
    expect(typeof last.energy_import_previous_hour).toBe('number');
    const first = JSON.parse(recorder.messages.find((m) => m.topic === 'powermeter/57000001/state')!.payload) as Record<string, unknown>;
    expect(first.energy_import_previous_day).toBeNull(); // a fresh install: no closed day yet, and the key is there
  });

  it('every template of every component renders on every message of its topics: no warning, no error', () => {
    expect(configs().length).toBeGreaterThanOrEqual(2);
    expect(templateProblems(configs(), recorder.messages)).toEqual([]);
  });

  it('every config is valid for Home Assistant, and no previous period is offered to the Energy dashboard', () => {
    for (const c of configs()) expect(discoveryProblems(c)).toEqual([]);
    const meterConfig = configs().find((c) => 'energy_import_previous_day' in c.components)!;
    for (const [key, c] of Object.entries(meterConfig.components)) if (/_previous_/.test(key)) expect(c.state_class, key).toBeUndefined();
    expect(meterConfig.components.energy_import_day!.state_class).toBe('total');
  });

  it('creates enabled exactly the sensors DOCS.md says, the rest disabled', () => {
    const table = enabledTable(docs);
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const c of configs()) {
      for (const [key, component] of Object.entries(c.components)) {
        const row = table.find((r) => r.patterns.some((p) => p.test(key)));
        expect(row, `DOCS.md says nothing of ${key}`).toBeDefined();
        expect(component.enabled_by_default ?? true, key).toBe(row!.enabled);
      }
    }
  });

  it('hangs the meter under the PowerMeter device', () => {
    const meterConfig = configs().find((c) => 'active_energy_import' in c.components)!;
    expect(meterConfig.device.via_device).toBe('powermeter_bridge');
    const bridge = configs().find((c) => 'security' in c.components)!;
    expect(bridge.device.identifiers).toEqual(['powermeter_bridge']);
    expect(bridge.device).not.toHaveProperty('configuration_url'); // outside the add-on there is no page to link to
  });
});

describe('a month as Home Assistant sees it, from no state, with an outage and a restart (the service core)', () => {
  it('never publishes a message that a template of its discovery cannot render', () => {
    let h = harness({ start: at(2026, 10, 30, 12), dataTimeoutS: 60 });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    const messages: { topic: string; payload: string }[] = [];
    const keep = () => {
      for (const e of h.effects) if (e.kind === 'publish') messages.push({ topic: e.topic, payload: e.payload === null ? '' : JSON.stringify(e.payload) });
      h.effects.length = 0;
    };
    h.broker('connected');
    for (let t = at(2026, 10, 30, 12); t < at(2026, 12, 3, 12); t += 15 * 60_000) {
      const outage = t >= at(2026, 11, 14, 22) && t < at(2026, 11, 15, 3); // across a midnight
      h.set(t);
      if (!outage) h.bytes(sim.frame(new Date(t), 900));
      h.advance(1000);
      if (new Date(t).getUTCMinutes() === 0) h.hour();
      if (t === at(2026, 11, 20, 12)) {
        // A restart: the new run starts from the saved state.
        h.stop();
        keep();
        const state = h.persisted().at(-1) ?? structuredClone(h.core.snapshot(t));
        h = harness({ start: t + 30_000, state: structuredClone(state), dataTimeoutS: 60 });
        h.broker('connected');
      }
      keep();
    }
    expect(messages.filter((m) => m.topic === `${'powermeter/57000001'}/accounting`).length).toBeGreaterThan(30);
    const configs = messages.filter((m) => m.topic.endsWith('/config') && m.payload !== '').map((m) => JSON.parse(m.payload) as unknown);
    expect(templateProblems(configs, messages)).toEqual([]);
    const last = JSON.parse(messages.filter((m) => m.topic === 'powermeter/57000001/state').at(-1)!.payload) as Record<string, unknown>;
    expect(typeof last.energy_import_previous_month).toBe('number');
  });
});
