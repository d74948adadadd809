import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/accounting/time-zone.js';
import { Meter } from '../../src/core/meter.js';
import { Outbox } from '../../src/core/outbox.js';
import { Periods } from '../../src/core/periods.js';
import type { Reading } from '../../src/obis/readings.js';

const tz = 'Europe/Copenhagen';
const imp = (value: number): Reading => ({ key: 'active_energy_import', obis: '1-1:1.8.0.255', quantity: 'energy', value, unit: 'kWh' });
const frame = (value: number) => ({ meterId: 'm', meterTime: null, list: 'l', manufacturer: null, model: null, readings: [imp(value)], unitRule: null, frameCounter: null });

describe('a meter\'s energy periods, by a clock that never steps back under them', () => {
  it('opens the periods with the first reading, and closes a silent meter\'s hour at the full hour', () => {
    const out = new Outbox();
    const p = new Periods(tz, 120_000, 0, out);
    const m = new Meter('m');
    const t = instantOf({ year: 2026, month: 12, day: 4, hour: 20, minute: 50, second: 0 }, tz);
    expect(p.observe(m, [imp(10)], t)).toBe(true);
    m.record(frame(10), t, null, null);
    expect(p.observe(m, [imp(10.5)], t + 10_000)).toBe(false);
    m.record(frame(10.5), t + 10_000, null, null);
    expect(p.hour(m, t + 10 * 60_000)).toBe(true);
    expect(m.periods.active_energy_import?.previous.hour).toMatchObject({ value: 0.5, gap: true }); // opened mid-hour: a gap
  });

  it('says a host clock set back once, and books in the open period', () => {
    const out = new Outbox();
    const t = instantOf({ year: 2026, month: 12, day: 4, hour: 20, minute: 30, second: 0 }, tz);
    const p = new Periods(tz, 120_000, t, out);
    const m = new Meter('m');
    p.observe(m, [imp(10)], t - 7_200_000);
    p.observe(m, [imp(10)], t - 7_190_000);
    expect(m.periods.active_energy_import?.current.hour?.start).toBe(instantOf({ year: 2026, month: 12, day: 4, hour: 20, minute: 0, second: 0 }, tz));
    expect(out.take().flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []))).toEqual([expect.stringMatching(/^the host clock went back by 2 h 0 min/)]);
  });
});
