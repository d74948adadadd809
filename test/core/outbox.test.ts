import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/core/outbox.js';

describe('the outbox', () => {
  it('hands effects out in order, once, frozen, their payloads too', () => {
    const out = new Outbox();
    out.publish('a', { x: 1 }, false);
    out.availability('b', true);
    out.publish('c', null, true);
    const effects = out.take();
    expect(effects.map((e) => e.kind)).toEqual(['publish', 'availability', 'publish']);
    expect(Object.isFrozen(effects[0])).toBe(true);
    const first = effects[0]!;
    if (first.kind === 'publish') expect(Object.isFrozen(first.payload)).toBe(true);
    expect(out.take()).toEqual([]);
  });

  it('says a notice through the board, and ends it by its signal in its scope', () => {
    const out = new Outbox();
    out.say('source-down', 'source=a', { detail: 'ECONNREFUSED' });
    out.say('source-down', 'source=a', { detail: 'ECONNREFUSED' });
    out.signal('source-up', 'source=b');
    out.signal('source-up', 'source=a');
    expect(out.take().flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []))).toEqual(['source unavailable: ECONNREFUSED; it retries by itself', 'source connected again']);
  });
});
