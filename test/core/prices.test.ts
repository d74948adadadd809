import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/core/outbox.js';
import { Prices } from '../../src/core/prices.js';
import { danishInstant } from '../../src/prices/danish-time.js';
import { radiusTable } from '../support/prices.js';

const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };
const at = (danishLocal: string): number => danishInstant(danishLocal)!;

describe('the electricity price device', () => {
  it('publishes the quarter\'s price when a table comes and at each quarter hour, the day\'s prices as compact attributes', () => {
    const out = new Outbox();
    const p = new Prices(topics, origin, 'DK1', out);
    const t = at('2025-11-05T17:05:00');
    p.take(radiusTable(t), t);
    const first = out.take();
    expect(first.filter((e) => e.kind === 'availability')).toEqual([{ kind: 'availability', topic: 'powermeter/price_dk1/availability', online: true }]);
    const attributes = first.find((e) => e.kind === 'publish' && e.topic === 'powermeter/price_dk1/attributes');
    expect(attributes?.kind === 'publish' && (attributes.payload?.today as unknown[]).length).toBe(96);
    expect(JSON.stringify(attributes?.kind === 'publish' ? attributes.payload : null).length).toBeLessThan(4096);
    p.tick(t + 60_000);
    expect(out.take()).toEqual([]); // the same quarter
    expect(p.dueAt(t)).toBe(at('2025-11-05T17:15:00'));
    p.tick(at('2025-11-05T17:15:00'));
    expect(out.take().map((e) => (e.kind === 'publish' ? e.topic : e.kind))).toEqual(['powermeter/price_dk1/state']);
  });

  it('is unavailable only when no price covers now, said once, and available again when one does', () => {
    const out = new Outbox();
    const p = new Prices(topics, origin, 'DK1', out);
    const t = at('2025-11-05T23:50:00');
    p.take(radiusTable(t), t);
    out.take();
    p.tick(at('2025-11-06T00:00:00')); // tomorrow's prices never came
    p.tick(at('2025-11-06T00:15:00'));
    const effects = out.take();
    expect(effects.filter((e) => e.kind === 'availability')).toEqual([{ kind: 'availability', topic: 'powermeter/price_dk1/availability', online: false }]);
    expect(effects.flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []))).toEqual([expect.stringMatching(/^no electricity price for DK1 covers 2025-11-05T23:00:00.000Z/)]);
    // The quarter that closes just after midnight is still priced from the table held before.
    const next = radiusTable(at('2025-11-06T00:20:00'), 'dayahead-dk1-2025-11-05-and-06.json');
    p.take(next, at('2025-11-06T00:20:00'));
    expect(p.priceOf(at('2025-11-05T23:45:00'))?.total).not.toBeNull();
    expect(out.take().flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []))).toEqual(['an electricity price covers now again']);
  });
});
