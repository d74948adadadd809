import { describe, expect, it } from 'vitest';
import { PeriodClock } from '../../src/core/period-clock.js';

describe('the periods\' clock', () => {
  it('follows the host clock forward, and stands still while the host clock is behind, saying by how much', () => {
    const c = new PeriodClock(0);
    expect(c.time(1000)).toEqual({ at: 1000, behindMs: 0 });
    expect(c.time(7_201_000)).toEqual({ at: 7_201_000, behindMs: 0 });
    expect(c.time(1000 + 60_000)).toEqual({ at: 7_201_000, behindMs: 7_140_000 });
    expect(c.time(7_300_000)).toEqual({ at: 7_300_000, behindMs: 0 });
  });

  it('starts no earlier than the saved state: a clock set back across a restart is caught too', () => {
    expect(new PeriodClock(5000).time(4000)).toEqual({ at: 5000, behindMs: 1000 });
  });
});
