import { describe, expect, it } from 'vitest';
import { Meters } from '../../src/core/meters.js';
import { emptyState, MAX_METERS } from '../../src/core/persisted.js';
import type { Reading } from '../../src/obis/readings.js';

const r = (key: string, value: number): Reading => ({ key, obis: `1-1:${key}`, quantity: 'energy', value, unit: 'kWh' });
const frame = (value: number) => ({ meterId: 'm0', meterTime: null, list: 'l', manufacturer: null, model: null, readings: [r('active_energy_import', value)], unitRule: null, frameCounter: null });

describe('the meters', () => {
  it('are made when first heard, up to the most the state file admits, and saved as copies', () => {
    const meters = new Meters(emptyState());
    for (let i = 0; i < MAX_METERS; i++) expect(meters.getOrMake(`m${i}`)).not.toBeNull();
    expect(meters.getOrMake('m0')).toBe(meters.get('m0'));
    expect(meters.getOrMake('another')).toBeNull();
    const m = meters.get('m0')!;
    m.record(frame(1), 1, null, null);
    const saved = meters.persisted();
    m.record(frame(2), 2, null, null);
    expect(saved.m0?.totals.active_energy_import?.value).toBe(1);
  });
});
