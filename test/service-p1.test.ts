import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedP1Meter } from '../src/simulator/p1.js';
import { root } from './support/addon.js';
import { mosquitto, Recorder, TestBroker, type Message } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { tz } from './support/core.js';
import { eventually } from './support/eventually.js';
import { discoveryProblems, enabledTable, energyDashboardProblems, templateProblems } from './support/ha.js';
import { MeterServer } from './support/meter-server.js';

const at = (h: number, mi: number, s = 0) => instantOf({ year: 2026, month: 11, day: 23, hour: h, minute: mi, second: s }, tz);
const METER = 'e0044007382246019';
const GAS = 'g0044007382246019';
const PUBLISH_INTERVAL_S = 5;
/** 12:04:40 to 12:05:39, a telegram every second: the gas meter takes its 12:05 value in the middle. */
const FROM = at(12, 4, 40);
const TELEGRAMS = 60;

interface Config {
  device: Record<string, unknown>;
  components: Record<string, Record<string, unknown> & { enabled_by_default?: boolean }>;
}

describe(`a DSMR 5 meter with a gas meter, every second, through a real broker (${mosquitto ? 'Mosquitto' : 'aedes, Mosquitto not installed'})`, () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;
  let app: Running;
  let clock = FROM;
  const texts: string[] = [];
  const publishedAt: number[] = [];
  const log = captureLogger('info');

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
    // P1 in clear: no keys. The clock is injected, a second per telegram; data_timeout keeps the bridge from redials.
    const settings = parseOptions({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, baud_rate: 115200, publish_interval: PUBLISH_INTERVAL_S, data_timeout: 3600 });
    app = startApp(settings, { url: broker.url }, log.logger, { now: () => clock, timeZone: tz, birthDelayMs: 10 });
    // When the service hands each state message to the broker, by its clock.
    const publish = app.publisher.publish.bind(app.publisher);
    app.publisher.publish = (topic, payload, retain) => {
      if (topic === `powermeter/${METER}/state`) publishedAt.push(clock);
      publish(topic, payload, retain);
    };
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    for (let i = 0; i < TELEGRAMS; i++) {
      clock = FROM + i * 1000;
      const text = sim.text(new Date(clock), 1);
      texts.push(text);
      await meter.send(Buffer.from(text, 'latin1'));
      await eventually(() => expect(app.core.frames).toBe(i + 1), 15_000).catch((e: unknown) => {
        console.log(log.lines.join(''));
        throw e;
      });
    }
    await app.stop();
    await eventually(() => expect(recorder.messages.some((m) => m.topic === 'powermeter/availability' && m.payload === 'offline')).toBe(true));
  });

  afterAll(async () => {
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  const on = (topic: string): Message[] => recorder.messages.filter((m) => m.topic === topic);
  const parsed = (topic: string) => on(topic).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
  const config = (id: string) => JSON.parse(on(`homeassistant/device/powermeter_${id}/config`).at(-1)!.payload) as Config;
  /** The tariff registers a telegram sent, added up: what the meter's total is. */
  const tariffSum = (text: string, c: 1 | 2) => [...text.matchAll(new RegExp(`1-0:${c}\\.8\\.[12]\\((\\d+\\.\\d+)\\*kWh\\)`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);

  it('gives an electricity device whose enabled energy totals are the sums of the tariffs, for the Energy dashboard', () => {
    const c = config(METER);
    expect(discoveryProblems(c)).toEqual([]);
    for (const key of ['active_energy_import', 'active_energy_export']) {
      expect(c.components[key]?.enabled_by_default, key).toBe(true);
      expect(energyDashboardProblems(c.components[key] as never, 'energy'), key).toEqual([]);
    }
    for (const key of ['active_energy_import_tariff_1', 'active_energy_import_tariff_2', 'active_energy_export_tariff_1', 'active_energy_export_tariff_2']) expect(c.components[key]?.enabled_by_default, key).toBe(true);
    const states = parsed(`powermeter/${METER}/state`);
    // Each state carries the totals of the latest telegram: found by its meter clock.
    for (const s of states) {
      const i = (Date.parse(String(s.meter_time)) - FROM) / 1000;
      expect(s.active_energy_import).toBe(Math.round(tariffSum(texts[i]!, 1) * 1000) / 1000);
      expect(s.active_energy_export).toBe(Math.round(tariffSum(texts[i]!, 2) * 1000) / 1000);
    }
  });

  it(`publishes a 1-s stream at most once per publish_interval (${PUBLISH_INTERVAL_S} s), with the means of its power`, () => {
    const states = parsed(`powermeter/${METER}/state`);
    // 60 telegrams over 59 s: published at 0, 5 … 55 s, twelve messages where a message per telegram would be sixty.
    expect(states.length).toBe(TELEGRAMS / PUBLISH_INTERVAL_S);
    expect(publishedAt).toHaveLength(states.length);
    for (let i = 1; i < publishedAt.length; i++) expect(publishedAt[i]! - publishedAt[i - 1]!).toBeGreaterThanOrEqual(PUBLISH_INTERVAL_S * 1000);
    // Each message names its latest telegram (meter_time). A state the clock published (no telegram came to carry it)
    // names the telegram before its time: two messages are a full interval apart, their telegrams one second less.
    const index = states.map((st) => (Date.parse(String(st.meter_time)) - FROM) / 1000);
    for (let i = 1; i < index.length; i++) expect(index[i]! - index[i - 1]!).toBeGreaterThanOrEqual(PUBLISH_INTERVAL_S - 1);
    // Each message's power is the mean of the telegrams since the one before.
    const watts = texts.map((t) => Math.round(Number(/1-0:1\.7\.0\((\d+\.\d+)\*kW\)/.exec(t)![1]) * 1000));
    for (let i = 1; i < states.length; i++) {
      const span = watts.slice(index[i - 1]! + 1, index[i]! + 1);
      expect(states[i]!.active_power_import, `message ${i}`).toBe(Math.round((span.reduce((a, b) => a + b, 0) / span.length) * 1000) / 1000);
    }
  });

  it('gives a gas device under the meter, with a total_increasing m³ sensor published when its capture time changes', () => {
    const c = config(GAS);
    expect(discoveryProblems(c)).toEqual([]);
    expect(c.device).toMatchObject({ name: 'Gas meter G0044007382246019', via_device: `powermeter_${METER}` });
    expect(c.components.gas).toMatchObject({ device_class: 'gas', state_class: 'total_increasing', unit_of_measurement: 'm³', enabled_by_default: true });
    const states = parsed(`powermeter/${GAS}/state`);
    expect(states.map((s) => s.captured_at)).toEqual([new Date(at(12, 0)).toISOString(), new Date(at(12, 5)).toISOString()]);
    const gas = texts.map((t) => Number(/0-1:24\.2\.1\(\d{12}[SW]\)\((\d+\.\d+)\*m3\)/.exec(t)![1]));
    expect(states.map((s) => s.gas)).toEqual([gas[0], gas[TELEGRAMS - 1]]);
  });

  it('every template renders on every message, and every sensor is created enabled or disabled as DOCS.md says', () => {
    const configs = recorder.messages.filter((m) => m.topic.endsWith('/config') && m.payload !== '').map((m) => JSON.parse(m.payload) as Config);
    expect(templateProblems(configs, recorder.messages)).toEqual([]);
    const table = enabledTable(readFileSync(join(root, 'DOCS.md'), 'utf8'));
    /** Rows that depend on the meter (P1 tariffs, Belgian peaks): checked above, not by the table's one word. */
    const depends = /_tariff_\d$/;
    for (const c of configs) {
      for (const [key, component] of Object.entries(c.components)) {
        if (depends.test(key)) continue;
        const row = table.find((r) => r.patterns.some((p) => p.test(key)));
        expect(row, `DOCS.md says nothing of ${key}`).toBeDefined();
        expect(component.enabled_by_default ?? true, key).toBe(row!.enabled);
      }
    }
  });
});
