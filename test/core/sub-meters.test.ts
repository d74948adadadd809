import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/accounting/time-zone.js';
import { Meter } from '../../src/core/meter.js';
import { Outbox } from '../../src/core/outbox.js';
import { MAX_METERS, MAX_STATE_BYTES, parseState, STATE_VERSION } from '../../src/core/persisted.js';
import { SubMeters } from '../../src/core/sub-meters.js';
import { readTelegram } from '../../src/dsmr/mapping.js';
import type { SubMeter } from '../../src/obis/readings.js';
import { discoveryProblems, templateProblems } from '../support/ha.js';
import { bytesOf, telegram } from '../p1-fixtures.js';

const tz = 'Europe/Amsterdam';
const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };
const at = (h: number, mi: number, s = 0) => instantOf({ year: 2026, month: 11, day: 23, hour: h, minute: mi, second: s }, tz);
/** A DSMR 5 capture time as the decoder gives it: local time with its offset. */
const captured = (h: number, mi: number) => `2026-11-23T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00+01:00`;
const gas = (value: number, capturedAt: string | null, id = 'G0044007382246019'): SubMeter => ({ channel: 1, type: 'gas', deviceType: 3, id, obis: '0-1:24.2.1.255', value, unit: 'm³', capturedAt });

function setup() {
  const out = new Outbox();
  const subMeters = new SubMeters(topics, origin, tz, out);
  const meter = new Meter('E0044007382246019');
  const published = (topic: string) => out.take().flatMap((e) => (e.kind === 'publish' && e.topic === topic ? [e.payload === null ? null : { ...e.payload }] : []));
  return { out, subMeters, meter, published };
}

const STATE = 'powermeter/g0044007382246019/state';
const CONFIG = 'homeassistant/device/powermeter_g0044007382246019/config';

describe('a gas meter on the P1 port', () => {
  it('is a device of its own under the electricity meter: gas, m³, total_increasing, its hour and day sums without a device class', () => {
    const s = setup();
    s.subMeters.observe(s.meter, [gas(4321.5, captured(13, 0))], at(13, 0, 7));
    s.subMeters.publish(s.meter, false);
    const effects = s.out.take();
    const config = effects.find((e) => e.kind === 'publish' && e.topic === CONFIG);
    expect(config?.kind === 'publish' && config.retain).toBe(true);
    const payload = (config?.kind === 'publish' ? config.payload : null) as { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
    expect(discoveryProblems(payload)).toEqual([]);
    expect(payload.device).toMatchObject({ name: 'Gas meter G0044007382246019', via_device: 'powermeter_e0044007382246019', identifiers: ['powermeter_g0044007382246019'] });
    expect(payload.components.gas).toMatchObject({ device_class: 'gas', state_class: 'total_increasing', unit_of_measurement: 'm³', enabled_by_default: true });
    for (const key of ['gas_hour', 'gas_day', 'gas_previous_hour', 'gas_previous_day']) expect(payload.components[key]).not.toHaveProperty('device_class');
    expect(Object.values(payload.components).filter((c) => c.device_class === 'gas')).toHaveLength(1);
    expect(payload.components.captured_at).toMatchObject({ device_class: 'timestamp' });
    const messages = effects.flatMap((e) => (e.kind === 'publish' && e.payload !== null ? [{ topic: e.topic, payload: JSON.stringify(e.payload) }] : []));
    expect(templateProblems([payload], messages)).toEqual([]);
    expect(messages.find((m) => m.topic === STATE)?.payload).toBe(
      JSON.stringify({ gas: 4321.5, captured_at: '2026-11-23T12:00:00.000Z', gas_hour: 0, gas_hour_last_reset: '2026-11-23T12:00:00.000Z', gas_previous_hour: null, gas_day: 0, gas_day_last_reset: '2026-11-22T23:00:00.000Z', gas_previous_day: null }),
    );
  });

  it('is published when its capture time changes, not with every telegram, and books its hour by that time, not the arrival', () => {
    const s = setup();
    const values: [number, number, number][] = [
      [12, 50, 100],
      [12, 55, 100.2],
      [13, 0, 100.5],
      [13, 5, 100.6],
    ];
    const states: Record<string, unknown>[] = [];
    for (const [h, mi, v] of values) {
      // The telegram repeats the value every second until the gas meter takes the next, five minutes on; it arrives
      // 7 s after the capture: the 13:00 value ends the 12:00 hour though it came at 13:00:07.
      for (let second = 7; second < 300; second += 30) {
        s.subMeters.observe(s.meter, [gas(v, captured(h, mi))], at(h, mi, second));
        s.subMeters.publish(s.meter, false);
        states.push(...(s.published(STATE) as Record<string, unknown>[]));
      }
    }
    expect(states.map((m) => m.gas)).toEqual([100, 100.2, 100.5, 100.6]);
    expect(states.map((m) => m.captured_at)).toEqual(['2026-11-23T11:50:00.000Z', '2026-11-23T11:55:00.000Z', '2026-11-23T12:00:00.000Z', '2026-11-23T12:05:00.000Z']);
    const last = states.at(-1)!;
    expect(last.gas_previous_hour).toBe(0.5);
    expect(last.gas_hour).toBe(0.1);
    expect(last.gas_hour_last_reset).toBe('2026-11-23T12:00:00.000Z');
    expect(s.meter.subMeters['1']?.periods.previous.hour).toEqual({ start: at(12, 0), end: at(13, 0), value: 0.5, gap: true });
  });

  it('books a DSMR 4 gas meter that takes a value once an hour: each hour whole, without a gap once its cadence is known', () => {
    const s = setup();
    for (const [h, v] of [
      [10, 50],
      [11, 50.8],
      [12, 51.1],
      [13, 52],
    ] as const) {
      // The hourly value comes a few seconds after the hour (dsmr-reader#78): booked at the hour all the same.
      s.subMeters.observe(s.meter, [gas(v, captured(h, 0))], at(h, 0, 12));
    }
    expect(s.meter.subMeters['1']?.periods.previous.hour).toEqual({ start: at(12, 0), end: at(13, 0), value: 0.9, gap: false });
  });

  it('never publishes 0 m³, a lower total or an impossible jump (the energy guard), and takes a level three values confirm', () => {
    const s = setup();
    s.subMeters.observe(s.meter, [gas(500, captured(12, 0))], at(12, 0, 5));
    s.subMeters.publish(s.meter, false);
    s.out.take();
    const sequence: [number, number][] = [
      [5, 0],
      [10, 499],
      [15, 500.1],
    ];
    for (const [mi, v] of sequence) {
      s.subMeters.observe(s.meter, [gas(v, captured(12, mi))], at(12, mi, 5));
      s.subMeters.publish(s.meter, false);
    }
    const effects = s.out.take();
    const states = effects.flatMap((e) => (e.kind === 'publish' && e.topic === STATE ? [(e.payload as Record<string, unknown>).gas] : []));
    expect(states).toEqual([500.1]);
    const said = effects.flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/gas meter on channel 1 of meter E0044007382246019 sent 0 m³/);
    // A meter exchanged for one that counts from 12 m³: held, then taken when three values agree.
    for (const [mi, v] of [
      [20, 12],
      [25, 12.1],
      [30, 12.2],
      [35, 12.3],
    ] as const) {
      s.subMeters.observe(s.meter, [gas(v, captured(12, mi))], at(12, mi, 5));
      s.subMeters.publish(s.meter, false);
    }
    const after = s.out.take();
    expect(after.flatMap((e) => (e.kind === 'publish' && e.topic === STATE ? [(e.payload as Record<string, unknown>).gas] : []))).toEqual([12.2, 12.3]);
    expect(after.flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : [])).some((t) => /went down from 500.1 to 12 m³, and 3 frames in a row agreed/.test(t))).toBe(true);
  });

  it('makes no device for an empty channel, and a new device when another meter is on the channel', () => {
    const s = setup();
    // Smarty's empty channels: (632525252525S)(00000.000*m3), read as no time and 0.
    s.subMeters.observe(s.meter, [{ ...gas(0, null), channel: 3, id: null }], at(12, 0));
    s.subMeters.publish(s.meter, false);
    expect(s.out.take()).toEqual([]);
    expect(s.meter.subMeters).toEqual({});
    s.subMeters.observe(s.meter, [gas(10, captured(12, 0))], at(12, 0, 5));
    s.subMeters.observe(s.meter, [gas(3, captured(12, 5), 'G0099')], at(12, 5, 5));
    s.subMeters.publish(s.meter, false);
    const effects = s.out.take();
    expect(effects.flatMap((e) => (e.kind === 'publish' && e.topic.endsWith('/config') ? [e.topic] : []))).toEqual(['homeassistant/device/powermeter_g0099/config']);
    expect(effects.flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []))).toEqual([expect.stringMatching(/meter G0099 now sends where meter G0044007382246019 did/)]);
  });

  it('types a meter by its device type, never by its channel: the Belgian gas and water meters of the e-MUCS example', () => {
    const s = setup();
    const frame = readTelegram(bytesOf(telegram('ndokter-fluvius-v171').telegram), 'Europe/Brussels');
    s.subMeters.observe(s.meter, frame.subMeters, Date.parse('2020-05-12T11:54:10Z'));
    s.subMeters.publish(s.meter, false);
    const configs = s.out.take().flatMap((e) => (e.kind === 'publish' && e.topic.endsWith('/config') ? [e.payload as { device: { name: string }; components: Record<string, Record<string, unknown>> }] : []));
    expect(configs.map((c) => c.device.name)).toEqual(['Gas meter 7FLO2119033733', 'Water meter 8SAG1234567890']);
    expect(configs[1]!.components.water).toMatchObject({ device_class: 'water', unit_of_measurement: 'm³', state_class: 'total_increasing' });
    for (const c of configs) expect(discoveryProblems(c)).toEqual([]);
  });

  it('names a heat meter in GJ an energy total, as Home Assistant takes GJ for energy', () => {
    const s = setup();
    const frame = readTelegram(bytesOf(telegram('ndokter-unpadded-crc').telegram), tz);
    s.subMeters.observe(s.meter, frame.subMeters, Date.parse('2026-02-15T19:05:30Z'));
    s.subMeters.publish(s.meter, false);
    const config = s.out.take().find((e) => e.kind === 'publish' && e.topic.endsWith('/config'));
    const payload = (config?.kind === 'publish' ? config.payload : null) as { device: { name: string }; components: Record<string, Record<string, unknown>> };
    expect(payload.device.name).toBe('Heat meter 621848012D2C0B0C');
    expect(payload.components.heat).toMatchObject({ device_class: 'energy', unit_of_measurement: 'GJ', state_class: 'total_increasing' });
    expect(discoveryProblems(payload)).toEqual([]);
  });

  it('is saved with its meter and comes back from the state file: the same sums, no new device, and the guard has its baseline', () => {
    const s = setup();
    s.subMeters.observe(s.meter, [gas(100, captured(12, 0))], at(12, 0, 5));
    s.subMeters.observe(s.meter, [gas(100.4, captured(12, 5))], at(12, 5, 5));
    const state = { version: STATE_VERSION, savedAt: at(12, 6), meters: { [s.meter.id]: structuredClone(s.meter.persisted()) }, counters: {} } as const;
    const parsed = parseState(JSON.stringify(state));
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    const again = setup();
    const restored = new Meter(s.meter.id, parsed.state.meters[s.meter.id]);
    expect(restored.subMeters['1']).toMatchObject({ value: 100.4, capturedAt: at(12, 5), type: 'gas' });
    again.subMeters.observe(restored, [gas(90, captured(12, 10))], at(12, 10, 5));
    again.subMeters.observe(restored, [gas(100.6, captured(12, 15))], at(12, 15, 5));
    again.subMeters.publish(restored, true);
    const last = again.published(STATE).at(-1) as Record<string, unknown>;
    expect(last).toMatchObject({ gas: 100.6, gas_hour: 0.6 });
  });

  it('keeps the state file bounded: the most meters, each with nine sub-meters of the longest ids, add at most 12 MB', () => {
    const period = { start: 1_781_510_400_000, end: 1_781_514_000_000, value: 1234.567, gap: true };
    const open = { start: 1_781_510_400_000, startValue: 123456.789, gap: true };
    const full = { type: 'heat-cool' as const, id: 'X'.repeat(64), unit: 'm³', value: 123456.789, capturedAt: 1_781_510_400_000, periods: { lastInterval: 3_600_000, current: { hour: open, day: open, month: open }, previous: { hour: period, day: period, month: period } } };
    const subMeters = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i + 1), full]));
    const meters = Object.fromEntries(Array.from({ length: MAX_METERS }, (_, i) => [`E00${String(i).padStart(14, '0')}`, { totals: {}, periods: {}, subMeters }]));
    const text = JSON.stringify({ version: STATE_VERSION, savedAt: 0, meters, counters: {} });
    expect(Buffer.byteLength(text)).toBeLessThan(12 * 1024 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_STATE_BYTES);
    expect(parseState(text).kind).toBe('ok');
  });

  it('keeps the state file bounded: at most nine channels, each checked', () => {
    const channels = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), { type: 'gas', id: null, unit: 'm³', value: 1, capturedAt: 0, periods: { lastInterval: null, current: { hour: null, day: null, month: null }, previous: { hour: null, day: null, month: null } } }]));
    const doc = { version: STATE_VERSION, savedAt: 0, meters: { m: { totals: {}, periods: {}, subMeters: channels } }, counters: {} };
    expect(parseState(JSON.stringify(doc)).kind).toBe('invalid');
    delete channels['0'];
    expect(parseState(JSON.stringify(doc)).kind).toBe('ok');
    (channels['1'] as Record<string, unknown>).type = 'electricity';
    expect(parseState(JSON.stringify(doc)).kind).toBe('invalid');
  });
});
