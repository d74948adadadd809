import { describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { Dashboard } from '../src/page/dashboard.js';
import { SimulatedP1Meter } from '../src/simulator/p1.js';
import { harness, tz } from './support/core.js';

const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };

describe("the page's picture of a P1 port with a gas meter", () => {
  it('shows the gas meter as a sub-meter of its electricity meter: its total, the time it took it, its hour and day; no plots', () => {
    const from = instantOf({ year: 2026, month: 11, day: 23, hour: 12, minute: 4, second: 50 }, tz);
    const h = harness({ start: from, keys: {} });
    const dashboard = new Dashboard(topics, [{ id: 'm', name: 'manual', suffix: '' }]);
    h.broker('connected');
    const sim = new SimulatedP1Meter('E0044007382246019', { timeZone: tz });
    for (let i = 0; i < 20; i++) {
      h.set(from + i * 1000);
      for (const e of h.bytes(sim.telegram(new Date(from + i * 1000), 1))) dashboard.observe(e, from + i * 1000);
    }
    const meters = dashboard.state().meters;
    expect(meters.map((m) => [m.id, m.subMeterOf])).toEqual([
      ['E0044007382246019', undefined],
      ['G0044007382246019', 'E0044007382246019'],
    ]);
    const gas = meters[1]!;
    expect(gas.name).toBe('Gas meter G0044007382246019');
    expect(gas.readings.find((r) => r.key === 'gas')).toMatchObject({ name: 'Gas', unit: 'm³' });
    expect(gas.readings.find((r) => r.key === 'captured_at')).toMatchObject({ name: 'Reading time', value: new Date(instantOf({ year: 2026, month: 11, day: 23, hour: 12, minute: 5, second: 0 }, tz)).toISOString() });
    expect(gas.readings.map((r) => r.key)).toEqual(['gas', 'captured_at', 'gas_hour', 'gas_hour_last_reset', 'gas_previous_hour', 'gas_day', 'gas_day_last_reset', 'gas_previous_day']);
    expect(gas.power).toEqual([[], [], []]);
    expect(meters[0]!.power[0].length).toBeGreaterThan(0);
  });
});
