import { describe, expect, it } from 'vitest';
import { parseState } from '../../src/core/persisted.js';
import { readV1 } from '../../src/core/persisted-v1.js';

const NOW = Date.UTC(2026, 11, 1, 14, 5, 9);

describe('a state file of version 1', () => {
  it('reads version 1 (PowerMeter 0.1): periods with the register value inside', () => {
    const v1 = {
      version: 1,
      savedAt: 5,
      meters: {
        '27581522': {
          active_energy_import: {
            last: 8666.36,
            lastAt: NOW,
            lastInterval: 10_000,
            current: { hour: { start: NOW - 60_000, startValue: 8666, gap: false }, day: null, month: null },
            previous: { hour: null, day: null, month: null },
          },
        },
      },
    };
    const parsed = parseState(JSON.stringify(v1));
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    expect(parsed.state.meters['27581522']).toEqual({
      totals: { active_energy_import: { obis: '1-0:1.8.0.255', quantity: 'energy', value: 8666.36, at: NOW, clock: null } },
      periods: { active_energy_import: { lastInterval: 10_000, current: v1.meters['27581522'].active_energy_import.current, previous: v1.meters['27581522'].active_energy_import.previous } },
    });
    expect(parsed.state.counters).toEqual({});
  });

  it('is held to the meters bound it is given, like today\'s files', () => {
    const meters = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [String(i), {}]));
    expect(readV1({ version: 1, savedAt: 0, meters }, 2)).toMatchObject({ ok: false });
    expect(readV1({ version: 1, savedAt: 0, meters }, 3)).toMatchObject({ ok: true, savedAt: 0 });
  });
});
