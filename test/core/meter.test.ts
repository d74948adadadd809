import { describe, expect, it } from 'vitest';
import { Meter } from '../../src/core/meter.js';
import type { Reading } from '../../src/obis/readings.js';

const r = (key: string, quantity: Reading['quantity'], value: number): Reading => ({ key, obis: `1-1:${key}`, quantity, value, unit: null });
const frame = (readings: Reading[], frameCounter: number | null = 7) => ({ meterId: '57000001', meterTime: null, list: 'l', manufacturer: 'Kamstrup', model: 'M', readings, unitRule: null, frameCounter });

describe('a meter: the one place for its last values', () => {
  it('records a frame: its readings, what it says of itself, and whether discovery must be published again', () => {
    const m = new Meter('57000001');
    m.record(frame([r('active_energy_import', 'energy', 10), r('active_power_import', 'power', 500)]), 1000, 990, null);
    expect(m.last('active_energy_import')).toMatchObject({ value: 10, at: 1000, clock: null });
    expect(m.sample('active_power_import')?.value).toBe(500);
    expect({ heard: m.heard, lastFrameAt: m.lastFrameAt, meterTime: m.meterTime, frameCounter: m.frameCounter, hasFrameCounter: m.hasFrameCounter, model: m.model }).toEqual({ heard: true, lastFrameAt: 1000, meterTime: 990, frameCounter: 7, hasFrameCounter: true, model: 'M' });
    m.discoveryStale = false;
    m.record(frame([r('active_energy_import', 'energy', 11)]), 2000, null, null);
    expect(m.discoveryStale).toBe(false); // the same register again
    m.record(frame([r('voltage_l1', 'voltage', 230)]), 3000, null, null);
    expect(m.discoveryStale).toBe(true); // a new one
  });

  it('keeps across a restart only the energy totals (the guard\'s baseline), its periods and its security floor', () => {
    const m = new Meter('57000001');
    m.record(frame([r('active_energy_import', 'energy', 10), r('reactive_energy_import', 'reactive_energy', 3), r('active_power_import', 'power', 500), r('voltage_l1', 'voltage', 230)]), 1000, null, 995);
    m.periodsOf('active_energy_import');
    m.security = { level: 2, keys: 'abc' };
    const p = m.persisted();
    expect(Object.keys(p.totals).sort()).toEqual(['active_energy_import', 'reactive_energy_import']);
    expect(p.totals.active_energy_import).toEqual({ obis: '1-1:active_energy_import', quantity: 'energy', value: 10, at: 1000, clock: 995 });
    expect(p.security).toEqual({ level: 2, keys: 'abc' });
    const again = new Meter('57000001', p);
    expect(again.last('active_energy_import')?.value).toBe(10);
    expect(again.security).toEqual({ level: 2, keys: 'abc' });
    expect(again.heard).toBe(false);
  });
});
