import { describe, expect, it } from 'vitest';
import { ReplayGuard, type CounterRecord } from '../../src/core/replay-guard.js';

describe('the replay guard', () => {
  it('takes only a counter above the last one of the same system title and keys; new keys start afresh', () => {
    const counters: Record<string, CounterRecord> = {};
    const g = new ReplayGuard(counters);
    expect(g.check('T', 5, 'k1')).toEqual({ replay: false });
    expect(g.check('T', 5, 'k1')).toEqual({ replay: true, last: 5 });
    expect(g.check('T', 4, 'k1')).toEqual({ replay: true, last: 5 });
    expect(g.check('U', 1, 'k1')).toEqual({ replay: false });
    expect(g.check('T', 1, 'k2')).toEqual({ replay: false });
    expect(counters).toEqual({ T: { counter: 1, keys: 'k2' }, U: { counter: 1, keys: 'k1' } });
  });
});
