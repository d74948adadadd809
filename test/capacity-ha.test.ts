import { describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { CapacityMachine } from '../src/capacity/machine.js';
import { presets, type CapacityRule } from '../src/capacity/rule.js';
import type { CapacitySteps } from '../src/capacity/steps.js';
import { capacityAttributes, capacityComponents, capacityEntities, capacityState, capacityTopic } from '../src/ha/capacity.js';
import { meterDiscovery, stateTopic, type Topics } from '../src/ha/discovery.js';
import { discoveryProblems, templateProblems } from './support/ha.js';

const topics: Topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };
const meterId = '1SAG1100042181';
const tz = 'Europe/Brussels';
const at = (mo: number, d: number, h: number, mi = 0) => instantOf({ year: 2026, month: mo, day: d, hour: h, minute: mi, second: 0 }, tz);
const steps: CapacitySteps = { thresholdIncluded: true, steps: [{ fromKw: 0, price: 1440 }, { fromKw: 2, price: 2400 }, { fromKw: 5, price: 4032 }] };

/** The meter's device message with the capacity components in it, as the core is to publish it. */
function device(rule: CapacityRule, s: CapacitySteps | null) {
  const payload = meterDiscovery(topics, origin, { meterId, manufacturer: 'Fluvius', model: null, readings: [], hasFrameCounter: false }) as { components: Record<string, unknown> };
  return { ...payload, components: { ...payload.components, ...capacityComponents(topics, meterId, capacityEntities(rule, s)) } };
}

/** Capacity messages at a few moments: the first frame, a window that does not count, a month later. */
function messages(rule: CapacityRule, s: CapacitySteps | null) {
  const e = capacityEntities(rule, s);
  const m = new CapacityMachine({ rule, steps: s, timeZone: tz, minGapMs: 60_000 });
  const out: { topic: string; payload: string }[] = [];
  const publish = (t: number, w: number | null) => {
    const v = m.values(t, w);
    out.push({ topic: stateTopic(topics, meterId), payload: JSON.stringify(capacityState(v, e)) });
    out.push({ topic: capacityTopic(topics, meterId), payload: JSON.stringify(capacityAttributes(v, e)) });
  };
  publish(at(3, 2, 7, 58), null); // before any frame
  let kWh = 100;
  const moments = [at(3, 2, 8), at(3, 7, 23, 10), at(4, 1, 0, 20)];
  for (let t = moments[0]!, end = moments[2]!; t <= end; t += 60_000) {
    kWh += (t % 7_200_000 < 900_000 ? 5.2 : 0.6) / 60;
    m.observe(t, Math.round(kWh * 1000) / 1000);
    if (moments.includes(t)) publish(t, t % 2 === 0 ? 1800 : null);
  }
  return out;
}

describe('Home Assistant entities of the capacity tariff', () => {
  const cases: [string, CapacityRule, CapacitySteps | null, string[]][] = [
    ['Flanders with steps', presets['be-flanders'].rule, steps, ['capacity_window_average', 'capacity_window_projected', 'capacity_peaks', 'capacity_value', 'capacity_headroom', 'capacity_step', 'capacity_12_month_average']],
    ['Norway without steps', presets['no-3-daily-max'].rule, null, ['capacity_window_average', 'capacity_window_projected', 'capacity_peaks', 'capacity_value', 'capacity_headroom']],
  ];

  for (const [name, rule, s, keys] of cases) {
    it(`${name}: a discovery Home Assistant accepts (power in kW, measurement), every template finds its key in every message`, () => {
      const config = device(rule, s);
      expect(discoveryProblems(config)).toEqual([]);
      const capacity = Object.keys(config.components).filter((k) => k.startsWith('capacity_'));
      expect(capacity).toEqual(keys);
      for (const k of capacity) expect(config.components[k]).toMatchObject({ unique_id: `powermeter_1sag1100042181_${k}`, device_class: 'power', unit_of_measurement: 'kW', state_class: 'measurement', enabled_by_default: true });
      const only = { state_topic: stateTopic(topics, meterId), components: capacityComponents(topics, meterId, capacityEntities(rule, s)) };
      expect(templateProblems([only], messages(rule, s))).toEqual([]);
    });
  }

  it('the states: the lowest counted peak on capacity_peaks, the step by its threshold, no limit as null', () => {
    const rule: CapacityRule = { ...presets['no-3-daily-max'].rule, hours: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17] };
    const m = new CapacityMachine({ rule, steps, timeZone: tz, minGapMs: 60_000 });
    let kWh = 10;
    for (let t = at(5, 4, 8), end = at(5, 6, 12, 30); t <= end; t += 10_000) {
      const interval = new Date(t - 10_000); // the 10 s this frame's energy was drawn in
      kWh += ((interval.getUTCHours() === 8 ? 2 + interval.getUTCDate() / 2 : 0.5) * 10) / 3600; // 10:00 local is the day's peak: 4.0, 4.5 and 5.0 kW
      m.observe(t, kWh);
    }
    const e = capacityEntities(rule, steps);
    const v = m.values(at(5, 6, 12, 30), 2000);
    // (4.0 + 4.5 + 5.0) / 3 = 4.5 kW, on the 2–5 kW step.
    expect(capacityState(v, e)).toMatchObject({ capacity_peaks: 4.0, capacity_value: 4.5, capacity_step: 2 });
    expect(capacityAttributes(v, e)).toMatchObject({
      capacity_peaks: { peaks: [{ at: '2026-05-06T08:00:00.000Z', kW: 5 }, { at: '2026-05-05T08:00:00.000Z', kW: 4.5 }, { at: '2026-05-04T08:00:00.000Z', kW: 4 }] },
      capacity_step: { price: 2400, up_to_kw: 5 },
      capacity_headroom: { limited: true },
    });
    // 19:00 does not count under this rule: the headroom is null and says it is not limited.
    const evening = m.values(at(5, 6, 19), 2000);
    expect(capacityState(evening, e).capacity_headroom).toBeNull();
    expect(capacityAttributes(evening, e).capacity_headroom).toMatchObject({ limited: false });
  });

  it('attributes stay far below the 16 KiB the recorder keeps, with ten peaks', () => {
    const rule: CapacityRule = { ...presets['no-3-daily-max'].rule, peaks: 10 };
    const m = new CapacityMachine({ rule, steps, timeZone: tz, minGapMs: 60_000 });
    let kWh = 10;
    for (let t = at(1, 1, 0), end = at(1, 20, 0); t <= end; t += 60_000) m.observe(t, (kWh += 0.02 + (t % 86_400_000) / 1e10));
    const v = m.values(at(1, 20, 0, 30), 0);
    expect(v.peaks).toHaveLength(10);
    expect(JSON.stringify(capacityAttributes(v, capacityEntities(rule, steps))).length).toBeLessThan(2048);
  });
});
