import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { CapacityMachine, restoreCapacity, type CapacityOptions } from '../src/capacity/machine.js';
import { presets } from '../src/capacity/rule.js';
import { CapacityStateError, type CapacityState } from '../src/capacity/state.js';
import './support/random.js'; // fast-check takes the file's seed from here

const tz = 'Europe/Brussels';
const at = (d: number, h: number, mi = 0, s = 0) => instantOf({ year: 2026, month: 3, day: d, hour: h, minute: mi, second: s }, tz);
const options: CapacityOptions = { rule: presets['be-flanders'].rule, steps: null, timeZone: tz, minGapMs: 60_000 };

/** A machine that has seen two days of a steady 1.2 kW with a 4.4 kW quarter, and a month of history. */
function running(): CapacityMachine {
  const m = new CapacityMachine(options);
  m.seedHistory([{ at: instantOf({ year: 2026, month: 2, day: 10, hour: 12, minute: 0, second: 0 }, tz), kW: 3.1 }]);
  let kWh = 1000;
  const [from, end, peakFrom, peakTo] = [at(1, 0), at(2, 23, 50), at(2, 18), at(2, 18, 15)];
  for (let t = from; t <= end; t += 10_000) {
    const peak = t > peakFrom && t <= peakTo;
    kWh += ((peak ? 4.4 : 1.2) * 10) / 3600;
    m.observe(t, Math.round(kWh * 1000) / 1000);
  }
  return m;
}

const json = (s: CapacityState): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
const reason = (r: unknown) => (r instanceof CapacityStateError ? r.reason : 'restored');

describe('capacity state across a restart', () => {
  it('is plain JSON that restores to the same values', () => {
    const m = running();
    const restored = restoreCapacity(json(m.snapshot()), options);
    expect(restored).toBeInstanceOf(CapacityMachine);
    if (restored instanceof Error) return;
    expect(restored.values(at(2, 23, 52), 800)).toEqual(m.values(at(2, 23, 52), 800));
    expect(restored.values(at(2, 23, 52), 800).peaks[0]).toMatchObject({ start: at(2, 18), kW: 4.4 });
    expect(restored.snapshot()).toEqual(m.snapshot());
  });

  it('a restored machine does not share the saved object: later frames leave it untouched', () => {
    const saved = json(running().snapshot());
    const copy = JSON.stringify(saved);
    const restored = restoreCapacity(saved, options);
    if (restored instanceof Error) throw restored;
    restored.observe(at(3, 0, 5), 2000);
    expect(JSON.stringify(saved)).toBe(copy);
  });

  it('damaged state is refused with what is wrong, never thrown', () => {
    const good = json(running().snapshot());
    const cases: [unknown, string, RegExp][] = [
      [null, 'invalid', /damaged \(the document must be object\)/],
      ['{"version":1', 'invalid', /damaged/],
      [{ ...good, version: 2 }, 'newer', /newer PowerMeter \(version 2\)/],
      [{ ...good, extra: 1 }, 'invalid', /must NOT have additional properties/],
      [{ ...good, last: { at: -5, kWh: 1 } }, 'invalid', /\/last/],
      [{ ...good, window: { start: at(1, 0), startKwh: 1, usedKwh: -1, gap: false } }, 'invalid', /usedKwh/],
      [{ ...good, month: { start: at(1, 0), gap: false, windows: Array.from({ length: 32 }, (_, i) => ({ start: at(1, 0) + i * 900_000, kW: 1, gap: false })) } }, 'invalid', /must NOT have more than 31 items/],
      [{ ...good, history: Array.from({ length: 13 }, (_, i) => ({ month: `2025-${String((i % 12) + 1).padStart(2, '0')}`, kW: 1, gap: false })) }, 'invalid', /more than 12 items/],
      [{ ...good, history: [{ month: '2026-13', kW: 1, gap: false }] }, 'invalid', /pattern/],
      [{ ...good, history: [{ month: '2026-02', kW: 1, gap: false }, { month: '2026-01', kW: 1, gap: false }] }, 'invalid', /not in order/],
      [{ ...good, last: null }, 'invalid', /an open window without a reading/],
      [{ ...good, month: { start: at(2, 0), gap: false, windows: [{ start: at(1, 0), kW: 1, gap: false }] } }, 'invalid', /a window from before its month/],
      [{ ...good, rule: 'x'.repeat(600) }, 'invalid', /must NOT have more than 512 characters/],
    ];
    for (const [doc, why, text] of cases) {
      const r = restoreCapacity(doc, options);
      expect(reason(r), JSON.stringify(doc).slice(0, 80)).toBe(why);
      expect(r instanceof Error && r.message, why).toMatch(text);
    }
  });

  it('peaks kept under another rule are not reused: the month starts afresh under the new one', () => {
    const r = restoreCapacity(json(running().snapshot()), { ...options, rule: presets['no-3-daily-max'].rule });
    expect(reason(r)).toBe('rule-changed');
    expect(r instanceof Error && r.message).toMatch(/rule changed since the peaks were kept/);
  });

  it('any JSON at all: restored or refused, never thrown', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => {
        const r = restoreCapacity(doc, options);
        expect(r instanceof CapacityMachine || r instanceof CapacityStateError).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
