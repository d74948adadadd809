import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/accounting/time-zone.js';
import { presets } from '../../src/capacity/rule.js';
import { SimulatedMeter } from '../../src/simulator/meter.js';
import { harness, tz } from '../support/core.js';
import { danishKeys } from '../support/vectors.js';

const capacity = { rule: presets['no-3-daily-max'].rule, steps: { steps: [{ fromKw: 0, price: 100 }, { fromKw: 2, price: 200 }, { fromKw: 5, price: 300 }], thresholdIncluded: true } };
const STATE = 'powermeter/57000001/state';

describe('what the service adds to a meter: its capacity tariff', () => {
  it('publishes the capacity entities with every frame from the first on, and keeps the peaks across a restart', () => {
    const t0 = instantOf({ year: 2026, month: 12, day: 4, hour: 10, minute: 0, second: 0 }, tz);
    const h = harness({ start: t0, capacity });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    for (let t = t0; t <= t0 + 3_600_000; t += 10_000) {
      h.set(t);
      h.bytes(sim.frame(new Date(t), 10));
    }
    const state = h.last(STATE)!;
    expect(typeof state.capacity_value).toBe('number');
    expect(state.capacity_value).toBeGreaterThan(0.5);
    expect(state.capacity_step).toBe(0);
    const discovery = h.last('homeassistant/device/powermeter_57000001/config') as { components: Record<string, Record<string, unknown>> };
    expect(discovery.components.capacity_headroom).toMatchObject({ unit_of_measurement: 'kW', device_class: 'power' });
    expect(h.last('powermeter/57000001/capacity')?.capacity_peaks).toMatchObject({ peaks: [expect.objectContaining({ at: '2026-12-04T09:00:00.000Z' })] });
    h.stop();
    const saved = h.persisted().at(-1)!;
    expect(saved.meters['57000001']?.capacity).toBeDefined();
    const again = harness({ start: t0 + 3_610_000, state: saved, capacity });
    again.bytes(sim.frame(new Date(t0 + 3_610_000), 10));
    expect(again.last(STATE)!.capacity_value).toBe(state.capacity_value);
  });

  it('starts the peaks afresh, and says so, when the rule changed since they were saved', () => {
    const t0 = instantOf({ year: 2026, month: 12, day: 4, hour: 10, minute: 0, second: 0 }, tz);
    const h = harness({ start: t0, capacity });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    h.bytes(sim.frame(new Date(t0), 10));
    h.stop();
    const flanders = { rule: presets['be-flanders'].rule, steps: null };
    const again = harness({ start: t0 + 20_000, state: h.persisted().at(-1)!, capacity: flanders });
    again.bytes(sim.frame(new Date(t0 + 20_000), 10));
    expect(again.notices(/capacity tariff's saved peaks cannot be used/)).toHaveLength(1);
    expect(typeof again.last(STATE)!.capacity_12_month_average).toBe('number');
  });
});
