import { describe, expect, it } from 'vitest';
import { PublishPace } from '../../src/core/pace.js';
import type { Reading } from '../../src/obis/readings.js';

const power = (value: number): Reading => ({ key: 'active_power_import', obis: '1-0:1.7.0.255', quantity: 'power', value, unit: 'W' });
const volts = (value: number): Reading => ({ key: 'voltage_l1', obis: '1-0:32.7.0.255', quantity: 'voltage', value, unit: 'V' });
const energy = (value: number): Reading => ({ key: 'active_energy_import', obis: '1-0:1.8.0.255', quantity: 'energy', value, unit: 'kWh' });
const peak: Reading = { key: 'active_power_import_month_peak', obis: '1-0:1.6.0.255', quantity: 'power', value: 2589, unit: 'W', at: '2020-05-09T13:45:58+02:00' };
const average: Reading = { key: 'active_power_import_average', obis: '1-0:1.4.0.255', quantity: 'power', value: 2351, unit: 'W' };

describe('the pace of a meter that sends every second', () => {
  it('publishes the first frame at once, then once per interval with the means of power, voltage and current', () => {
    const pace = new PublishPace(10_000);
    pace.add('m', [power(100), volts(230), energy(1)]);
    expect(pace.take('m', 0, false)).toEqual({ attributes: false, averages: { active_power_import: 100, voltage_l1: 230 } });
    for (let s = 1; s < 10; s++) {
      pace.add('m', [power(100 * s), volts(230 + s / 10), energy(1 + s)]);
      expect(pace.take('m', s * 1000, s === 4)).toBe('wait');
    }
    expect(pace.dueAtOf('m')).toBe(10_000);
    expect(pace.due('m', 9_999)).toBe(false);
    expect(pace.due('m', 10_000)).toBe(true);
    pace.add('m', [power(1000), volts(231), energy(11)]);
    // Frames 1 to 10: 100 … 1000 W, whose mean is 550 W; 230.1 … 230.9 and 231 V. The period closed in frame 4 rides along.
    expect(pace.take('m', 10_000, false)).toEqual({ attributes: true, averages: { active_power_import: 550, voltage_l1: 230.55 } });
    expect(pace.dueAtOf('m')).toBe(Infinity);
    expect(pace.dueAt()).toBe(Infinity);
  });

  it('gives a 1-s stream six messages a minute at the default 10 s, sixty at 1 s', () => {
    for (const [interval, expected] of [
      [10_000, 6],
      [1_000, 60],
      [60_000, 1],
    ] as const) {
      const pace = new PublishPace(interval);
      let published = 0;
      for (let s = 0; s < 60; s++) {
        pace.add('m', [power(s)]);
        if (pace.take('m', s * 1000, false) !== 'wait') published++;
      }
      expect(published, `interval ${interval}`).toBe(expected);
    }
  });

  it("takes the Belgian meter's own quarter-hour average and month peak as sent, not averaged again", () => {
    const pace = new PublishPace(10_000);
    pace.add('m', [power(1), peak, average]);
    expect(pace.take('m', 0, false)).toEqual({ attributes: false, averages: { active_power_import: 1 } });
  });

  it('leaves a meter it was given no frame of (a DLMS meter) to be published frame by frame', () => {
    const pace = new PublishPace(10_000);
    expect(pace.paces('dlms')).toBe(false);
    expect(pace.take('dlms', 0, true)).toBeNull();
    expect(pace.take('dlms', 1, true)).toBeNull();
    expect(pace.due('dlms', 100_000)).toBe(false);
    expect(pace.dueAtOf('dlms')).toBe(Infinity);
  });

  it('holds a state asked for by the clock (a period closed) until the interval is over, and knows when each meter is due', () => {
    const pace = new PublishPace(10_000);
    pace.add('a', [power(1)]);
    pace.add('b', [power(2)]);
    pace.take('a', 0, false);
    pace.take('b', 3000, false);
    expect(pace.dueAt()).toBe(Infinity);
    expect(pace.take('b', 5000, true)).toBe('wait');
    expect(pace.take('a', 6000, false)).toBe('wait');
    expect(pace.dueAt()).toBe(10_000);
    expect(pace.take('a', 10_000, false)).toMatchObject({ attributes: false });
    expect(pace.dueAt()).toBe(13_000);
    // No frame came for b since its last publish: the held state has no means, only the latest values.
    expect(pace.take('b', 13_000, false)).toEqual({ attributes: true, averages: {} });
  });
});
