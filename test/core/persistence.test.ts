import { describe, expect, it } from 'vitest';
import { PERSIST_EVERY_MS, Persistence, SAVE_GAP_MS } from '../../src/core/persistence.js';

describe('when to save', () => {
  it('every few minutes, soon after a period closes but at most once a second, and always at the stop', () => {
    const p = new Persistence(true, 0);
    expect(p.due(PERSIST_EVERY_MS - 1)).toBe(false);
    expect(p.due(PERSIST_EVERY_MS)).toBe(true);
    p.changed(true);
    expect(p.dueAt()).toBe(PERSIST_EVERY_MS + SAVE_GAP_MS);
    expect(p.due(PERSIST_EVERY_MS + 10)).toBe(false);
    expect(p.due(PERSIST_EVERY_MS + SAVE_GAP_MS)).toBe(true);
    expect(p.due(PERSIST_EVERY_MS + SAVE_GAP_MS + 1)).toBe(false);
    expect(p.due(PERSIST_EVERY_MS + SAVE_GAP_MS + 1, true)).toBe(true);
  });

  it('never, when told not to', () => {
    const p = new Persistence(false, 0);
    p.changed(true);
    expect(p.due(10 * PERSIST_EVERY_MS, true)).toBe(false);
    expect(p.dueAt()).toBe(Infinity);
  });
});
