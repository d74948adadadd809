import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/accounting/time-zone.js';
import { SimulatedMeter } from '../../src/simulator/meter.js';
import { SimulatedP1Meter, telegramCrc } from '../../src/simulator/p1.js';
import { harness, tz } from '../support/core.js';
import { discoveryProblems, templateProblems } from '../support/ha.js';
import { danishKeys } from '../support/vectors.js';

const at = (h: number, mi = 0, s = 0) => instantOf({ year: 2026, month: 11, day: 23, hour: h, minute: mi, second: s }, tz);
const METER = 'e0044007382246019';
const STATE = `powermeter/${METER}/state`;
const GAS_STATE = 'powermeter/g0044007382246019/state';

/** A DSMR 5 meter sending every second from `from` for `seconds`, with the shell's tick between telegrams. */
function run(seconds: number, o: { publishIntervalMs?: number; from?: number } = {}) {
  const from = o.from ?? at(12, 59, 0);
  const h = harness({ start: from, keys: {}, publishIntervalMs: o.publishIntervalMs, dataTimeoutS: 60 });
  h.broker('connected');
  const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
  const frames: number[] = [];
  for (let i = 0; i < seconds; i++) {
    const t = from + i * 1000;
    h.set(t);
    h.bytes(sim.telegram(new Date(t), 1));
    frames.push(h.core.frames);
    h.step({ kind: 'tick', at: t + 500 });
  }
  const states = () => h.effects.flatMap((e, i) => (e.kind === 'publish' && e.topic === STATE ? [{ i, state: e.payload as Record<string, unknown> }] : []));
  return { h, sim, frames, states };
}

describe('a P1 meter that sends every second', () => {
  it('is published once per publish_interval: 6 state messages a minute at the default 10 s, 60 at 1 s', () => {
    expect(run(60).states()).toHaveLength(6);
    expect(run(60, { publishIntervalMs: 1000 }).states()).toHaveLength(60);
    expect(run(60, { publishIntervalMs: 30_000 }).states()).toHaveLength(2);
  });

  it('publishes the means of power, voltage and current over the interval, and the latest totals', () => {
    const { h } = run(21);
    const power: number[] = [];
    const imports: number[] = [];
    for (const e of h.effects) if (e.kind === 'publish' && e.topic === STATE) imports.push((e.payload as Record<string, number>).active_energy_import!);
    // What each telegram sent, read back from the simulator's own arithmetic: the means of seconds 1–10 and 11–20.
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    const texts = Array.from({ length: 21 }, (_, i) => sim.text(new Date(at(12, 59, 0) + i * 1000), 1));
    const watts = texts.map((t) => Math.round(Number(/1-0:1\.7\.0\((\d+\.\d+)\*kW\)/.exec(t)![1]) * 1000));
    const totals = texts.map((t) => [...t.matchAll(/1-0:1\.8\.[12]\((\d+\.\d+)\*kWh\)/g)].reduce((s, m) => s + Number(m[1]), 0));
    for (const e of h.effects) if (e.kind === 'publish' && e.topic === STATE) power.push((e.payload as Record<string, number>).active_power_import!);
    const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
    expect(power).toEqual([watts[0], mean(watts.slice(1, 11)), mean(watts.slice(11, 21))]);
    expect(imports.map((x) => Math.round(x * 1000))).toEqual([totals[0]!, totals[10]!, totals[20]!].map((x) => Math.round(x * 1000)));
  });

  it('still feeds every telegram to the energy guard and the accounting: the hour closes at its boundary, not at the next publish', () => {
    // 12:59:00 to 13:00:59: the 13:00:00 telegram ends the hour though the state is published at 13:00:00 only by chance.
    // Published at 12:59:03, 12:59:13 … 13:00:03: the 13:00:00 telegram is one that is not published.
    const { h } = run(125, { from: at(12, 59, 3) });
    expect(h.core.frames).toBe(125);
    const last = h.last(STATE)!;
    expect(last.energy_import_hour_last_reset).toBe(new Date(at(13)).toISOString());
    // The hour's energy is the register at 13:00:00 (telegram 57) less the one at 12:59:03 (telegram 0).
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    const totals = Array.from({ length: 61 }, (_, i) => [...sim.text(new Date(at(12, 59, 3) + i * 1000), 1).matchAll(/1-0:1\.8\.[12]\((\d+\.\d+)\*kWh\)/g)].reduce((a, m) => a + Number(m[1]), 0));
    expect(totals[60]).not.toBe(totals[57]);
    expect(last.energy_import_previous_hour).toBe(Math.round((totals[57]! - totals[0]!) * 1000) / 1000);
  });

  it('holds no telegram back from the guard: a lower total between two publishes is refused and said', () => {
    const from = at(12, 0, 0);
    const h = harness({ start: from, keys: {}, dataTimeoutS: 60 });
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    for (let i = 0; i < 20; i++) {
      h.set(from + i * 1000);
      const text = sim.text(new Date(from + i * 1000), 1);
      // Telegram 5 says 1000 kWh less on tariff 1: a glitch between two publishes.
      const bytes = i === 5 ? text.replace(/1-0:1\.8\.1\((\d+\.\d+)/, (_, v: string) => `1-0:1.8.1(${(Number(v) - 1000).toFixed(3).padStart(10, '0')}`) : text;
      h.bytes(Buffer.from(i === 5 ? resign(bytes) : bytes, 'latin1'));
    }
    expect(h.core.frames).toBe(19);
    expect(h.notices(/frame held back/)).toHaveLength(1);
  });

  it('publishes the last telegrams of an interval by the clock when no telegram comes to carry them', () => {
    const from = at(12, 0, 0);
    const h = harness({ start: from, keys: {}, dataTimeoutS: 60 });
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    for (let i = 0; i < 4; i++) {
      h.set(from + i * 1000);
      h.bytes(sim.telegram(new Date(from + i * 1000), 1));
    }
    expect(h.published(STATE)).toHaveLength(1);
    expect(h.core.wakeAt).toBeLessThanOrEqual(from + 10_000);
    h.advance(6_000);
    expect(h.published(STATE)).toHaveLength(1);
    h.advance(1_000);
    expect(h.at()).toBe(from + 10_000);
    expect(h.published(STATE)).toHaveLength(2);
    h.advance(30_000);
    expect(h.published(STATE)).toHaveLength(2);
  });

  it('leaves DLMS frames as they were: each published as it comes', () => {
    const h = harness({ start: at(12), dataTimeoutS: 60 });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    for (let i = 0; i < 5; i++) {
      h.set(at(12, 0, i));
      h.bytes(sim.frame(new Date(at(12, 0, i)), 1));
    }
    expect(h.published('powermeter/57000001/state')).toHaveLength(5);
  });

  it('announces the gas meter after its electricity meter, when its value is new, and everything again when Home Assistant restarts', () => {
    const { h } = run(360);
    const topics = h.effects.flatMap((e) => (e.kind === 'publish' ? [e.topic] : []));
    const meterConfig = topics.indexOf(`homeassistant/device/powermeter_${METER}/config`);
    const gasConfig = topics.indexOf('homeassistant/device/powermeter_g0044007382246019/config');
    expect(meterConfig).toBeGreaterThanOrEqual(0);
    expect(gasConfig).toBeGreaterThan(meterConfig);
    // 12:59:00 to 13:04:59: the gas meter took values at 12:55, 13:00 (and the telegram repeats each for five minutes).
    expect(h.published(GAS_STATE).map((s) => s?.captured_at)).toEqual([new Date(at(12, 55)).toISOString(), new Date(at(13, 0)).toISOString()]);
    const before = h.effects.length;
    h.haOnline();
    const again = h.effects.slice(before).flatMap((e) => (e.kind === 'publish' ? [e.topic] : []));
    expect(again).toContain('homeassistant/device/powermeter_g0044007382246019/config');
    expect(again).toContain(GAS_STATE);
    const configs = h.effects.flatMap((e) => (e.kind === 'publish' && e.topic.endsWith('/config') && e.payload !== null ? [e.payload] : []));
    for (const c of configs) expect(discoveryProblems(c)).toEqual([]);
    const messages = h.effects.flatMap((e) => (e.kind === 'publish' && e.payload !== null ? [{ topic: e.topic, payload: JSON.stringify(e.payload) }] : []));
    expect(templateProblems(configs, messages)).toEqual([]);
  });
});

/** A telegram's text with the CRC its bytes now have. */
function resign(text: string): string {
  const bang = text.indexOf('\r\n!') + 3;
  const body = text.slice(0, bang);
  return `${body}${telegramCrc(body)}\r\n`;
}
