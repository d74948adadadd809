import { describe, expect, it } from 'vitest';
import { emptyState, parseState, STATE_VERSION } from '../../src/core/persisted.js';

describe('the persisted state', () => {
  it('reads version 2 as version 3, the meters\' security floors starting afresh', () => {
    const v2 = { version: 2, savedAt: 5, meters: { m: { totals: {}, periods: {} } }, counters: { T: { counter: 3, keys: 'k' } } };
    expect(parseState(JSON.stringify(v2))).toEqual({ kind: 'ok', state: { ...v2, version: STATE_VERSION } });
  });

  it('keeps a meter\'s security floor, and refuses one that is not a level PowerMeter writes', () => {
    const state = { ...emptyState(), meters: { m: { totals: {}, periods: {}, security: { level: 2, keys: 'abc' } } } };
    expect(parseState(JSON.stringify(state))).toEqual({ kind: 'ok', state });
    const bad = { ...emptyState(), meters: { m: { totals: {}, periods: {}, security: { level: 3, keys: 'abc' } } } };
    expect(parseState(JSON.stringify(bad))).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/security\/level/) as string });
  });

  it('says a newer file is newer, and never throws on anything', () => {
    expect(parseState(JSON.stringify({ version: STATE_VERSION + 1 }))).toEqual({ kind: 'newer', version: STATE_VERSION + 1 });
    for (const text of ['', '[]', 'null', '{"version":"3"}', '{"version":2,"meters":[]}']) expect(parseState(text).kind, text).toBe('invalid');
  });
});
