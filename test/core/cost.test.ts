import { describe, expect, it } from 'vitest';
import { Cost, emptyCost } from '../../src/core/cost.js';
import { quarterAt } from '../../src/prices/lookup.js';
import { danishInstant } from '../../src/prices/danish-time.js';
import { SimulatedMeter } from '../../src/simulator/meter.js';
import { harness, tz } from '../support/core.js';
import { radiusTable } from '../support/prices.js';
import { danishKeys } from '../support/vectors.js';

const at = (danishLocal: string): number => danishInstant(danishLocal)!;

describe('the cost of each quarter hour', () => {
  it('an hour of frames: cost_today is the sum of each quarter\'s imported energy × that quarter\'s price (2025-11-05, DK1, Radius)', () => {
    const start = at('2025-11-05T17:00:00');
    const table = radiusTable(start);
    const h = harness({ start, prices: { area: 'DK1' } });
    h.step({ kind: 'prices', table, at: start });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    const readings: { at: number; kWh: number }[] = [];
    for (let t = start; t <= start + 3_600_000; t += 10_000) {
      h.set(t);
      h.bytes(sim.frame(new Date(t), 10));
      readings.push({ at: t, kWh: h.last('powermeter/57000001/state')!.active_energy_import as number });
    }
    // By hand: the register at each quarter boundary (a frame falls on each), the difference, times the total price.
    const value = (t: number) => readings.find((r) => r.at === t)!.kWh;
    let expected = 0;
    for (let q = start; q < start + 3_600_000; q += 900_000) expected += (value(q + 900_000) - value(q)) * quarterAt(table, q)!.total!;
    const state = h.last('powermeter/57000001/state')!;
    expect(expected).toBeGreaterThan(0.5);
    expect(state.cost_today).toBeCloseTo(expected, 3);
    expect(state.cost_this_month).toBeCloseTo(expected, 3);
    expect(state.cost_today_last_reset).toBe(new Date(at('2025-11-05T00:00:00')).toISOString());
    expect(state.cost_today_missing).toBe(0);
    // The meter's device has the cost sensors; the price device its own.
    const discovery = h.last('homeassistant/device/powermeter_57000001/config') as { components: Record<string, Record<string, unknown>> };
    expect(discovery.components.cost_today).toMatchObject({ device_class: 'monetary', unit_of_measurement: 'DKK', state_class: 'total' });
    h.step({ kind: 'tick', at: start + 3_600_000 });
    expect(h.last('powermeter/price_dk1/state')?.price).toBeCloseTo(quarterAt(table, start + 3_600_000)!.total!, 5);
  });

  it('counts a quarter without a price as such, never guessed; starts the day afresh at local midnight', () => {
    const c = new Cost('Europe/Copenhagen', 60_000);
    const s = emptyCost();
    const t0 = at('2025-11-05T23:30:00');
    const noPrice = () => null;
    for (let t = t0, kWh = 100; t <= t0 + 45 * 60_000; t += 10_000, kWh += 0.01) c.observe(s, t, kWh, null, noPrice);
    const v = c.values(s, t0 + 45 * 60_000, noPrice);
    expect(v.costToday).toBe(0);
    expect(v.missingToday).toBe(1); // 23:30 and 23:45 were yesterday's; 00:00 closed at 00:15
    expect(s.missingMonth).toBe(3);
    expect(v.dayStart).toBe(at('2025-11-06T00:00:00'));
  });
});
