import { describe, expect, it } from 'vitest';
import { ARRIVAL_TOLERANCE_MS, CONFIRM_FRAMES, elapsedSeconds, EnergyGuard, implausibility, MAX_POWER_KW, SLACK_KWH, type Sample } from '../../src/core/energy-guard.js';

const s = (value: number, at: number, clock: number | null = at): Sample => ({ value, at, clock });

describe('the energy guard', () => {
  it('counts time as the smaller of the meter clock and arrival plus a tolerance; backwards as none', () => {
    expect(elapsedSeconds(s(0, 0, 0), s(0, 100, 10_000))).toBe(10); // a replay, fast: the meter's clock
    expect(elapsedSeconds(s(0, 0, 0), s(0, 10_000, 365 * 86_400_000))).toBe((10_000 + ARRIVAL_TOLERANCE_MS) / 1000); // a clock that lies
    expect(elapsedSeconds(s(0, 0, null), s(0, 10_000, null))).toBe(10);
    expect(elapsedSeconds(s(0, 0, 3_600_000), s(0, 10_000, 0))).toBe(0);
  });

  it('allows power × time plus a slack, no more, and never less than before', () => {
    const allowed = (MAX_POWER_KW * 10) / 3600 + SLACK_KWH;
    expect(implausibility('e', s(100, 0), s(100 + allowed - 1e-9, 10_000))).toBeNull();
    expect(implausibility('e', s(100, 0), s(100 + allowed + 0.01, 10_000))).toMatchObject({ kind: 'jump' });
    expect(implausibility('e', s(100, 0), s(99.99, 10_000))).toMatchObject({ kind: 'decrease' });
  });

  it(`holds a level that contradicts the baseline, and takes it when ${CONFIRM_FRAMES} frames in a row agree`, () => {
    const g = new EnergyGuard();
    const base = new Map([['e', s(100, 0)]]);
    const lower = (n: number) => new Map([['e', s(50 + n * 0.001, n * 10_000)]]);
    expect(g.check((k) => base.get(k), lower(1))).toMatchObject({ kind: 'hold', first: true });
    expect(g.check((k) => base.get(k), lower(2))).toMatchObject({ kind: 'hold', first: false });
    expect(g.check((k) => base.get(k), lower(3))).toMatchObject({ kind: 'confirm' });
    // The true level after a held spike clears it: it is no new level.
    const h = new EnergyGuard();
    expect(h.check((k) => base.get(k), new Map([['e', s(1e6, 10_000)]])).kind).toBe('hold');
    expect(h.check((k) => base.get(k), new Map([['e', s(100.01, 20_000)]])).kind).toBe('accept');
    expect(h.holding).toBe(false);
  });
});
