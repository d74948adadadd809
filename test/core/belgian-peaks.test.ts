import { describe, expect, it } from 'vitest';
import { instantOf } from '../../src/accounting/time-zone.js';
import { presets } from '../../src/capacity/rule.js';
import { harness, tz } from '../support/core.js';
import { emucsTelegram, type EmucsValues } from '../support/emucs.js';

const flanders = { rule: presets['be-flanders'].rule, steps: null };
const at = (mo: number, d: number, h: number, mi = 0, s = 0) => instantOf({ year: 2026, month: mo, day: d, hour: h, minute: mi, second: s }, tz);
const STATE = 'powermeter/1sag3101021605/state';
const CAPACITY = 'powermeter/1sag3101021605/capacity';

/** The 98.1.0 of a meter that has seen three months: September 3 kW, October 5 kW, November 4 kW. */
const history = [
  { monthEnd: at(10, 1, 0), at: at(9, 14, 18, 15), kW: 3 },
  { monthEnd: at(11, 1, 0), at: at(10, 20, 19, 0), kW: 5 },
  { monthEnd: at(12, 1, 0), at: at(11, 3, 7, 45), kW: 4 },
];

/** A meter drawing `kW` steadily from `from`, every 10 s until `to`, with the month peak it states at each moment. */
function stream(h: ReturnType<typeof harness>, from: number, to: number, kW: number, peakOf: (t: number) => EmucsValues['peak'], startKwh = 1000) {
  let kWh = startKwh;
  for (let t = from; t <= to; t += 10_000) {
    h.set(t);
    h.bytes(emucsTelegram(t, { importKwh: kWh, powerW: kW * 1000, quarterW: kW * 1000, peak: peakOf(t), history }, tz));
    kWh += (kW * 10) / 3600;
  }
}

describe("a Belgian meter's own capacity figures beside PowerMeter's", () => {
  it('seeds the 12-month mean from the meter\'s 13-month history (0-0:98.1.0): right from the first telegram, kept across a restart', () => {
    const t0 = at(12, 4, 10, 0, 5);
    const h = harness({ start: t0, keys: {}, capacity: flanders });
    h.bytes(emucsTelegram(t0, { importKwh: 1000, powerW: 500, quarterW: 500, peak: { at: at(12, 2, 8, 15), kW: 2.1 }, history }, tz));
    // This month counts at the 2.5 kW floor so far; the three months before at their peaks: (2.5 + 3 + 5 + 4) / 4.
    expect(h.last(STATE)?.capacity_12_month_average).toBe(3.625);
    expect(h.last(CAPACITY)?.capacity_12_month_average).toEqual({ months: 4 });
    h.stop();
    const saved = h.persisted().at(-1)!.meters['1SAG3101021605']?.capacity as { history: unknown[] } | undefined;
    expect(saved?.history).toEqual([
      { month: '2026-09', kW: 3, gap: false },
      { month: '2026-10', kW: 5, gap: false },
      { month: '2026-11', kW: 4, gap: false },
    ]);
  });

  it('shows the month peak (1-0:1.6.0) enabled, in W, with the time the meter stamped it and the history as attributes', () => {
    const t0 = at(12, 4, 10, 0, 5);
    const h = harness({ start: t0, keys: {}, capacity: flanders });
    h.bytes(emucsTelegram(t0, { importKwh: 1000, powerW: 500, quarterW: 500, peak: { at: at(12, 2, 8, 15), kW: 2.1 }, history }, tz));
    const config = h.last('homeassistant/device/powermeter_1sag3101021605/config') as { components: Record<string, Record<string, unknown>> };
    expect(config.components.active_power_import_month_peak).toMatchObject({ enabled_by_default: true, unit_of_measurement: 'W', json_attributes_topic: 'powermeter/1sag3101021605/details' });
    expect(config.components.active_power_import_average).toMatchObject({ enabled_by_default: true, unit_of_measurement: 'W' });
    expect(h.last(STATE)).toMatchObject({ active_power_import_month_peak: 2100, active_power_import_average: 500 });
    expect(h.last('powermeter/1sag3101021605/details')?.active_power_import_month_peak).toEqual({
      at: '2026-12-02T08:15:00+01:00',
      history: [
        { month: '2026-10-01T00:00:00+02:00', at: '2026-09-14T18:15:00+02:00', kW: 3 },
        { month: '2026-11-01T00:00:00+01:00', at: '2026-10-20T19:00:00+02:00', kW: 5 },
        { month: '2026-12-01T00:00:00+01:00', at: '2026-11-03T07:45:00+01:00', kW: 4 },
      ],
    });
  });

  it('says nothing while the two agree: a steady 4 kW is 4 kW by the register and by the meter', () => {
    const from = at(12, 4, 10, 0, 5);
    const h = harness({ start: from, keys: {}, capacity: flanders });
    // The meter states the quarter 10:15–10:30 as its peak, at its end, once it is over.
    stream(h, from, from + 3_600_000, 4, (t) => (t < at(12, 4, 10, 30) ? { at: at(12, 2, 8, 15), kW: 2.1 } : { at: at(12, 4, 10, 30), kW: 4 }));
    expect(h.notices(/month peak/)).toEqual([]);
    expect(h.last(STATE)?.capacity_value).toBe(4);
    // Side by side on the capacity sensor: the meter's own figure, as it stamped it.
    expect(h.last(CAPACITY)?.capacity_value).toMatchObject({ meter_month_peak_kw: 4, meter_month_peak_at: '2026-12-04T10:30:00+01:00' });
  });

  it("says once when the meter's month peak and PowerMeter's differ beyond rounding", () => {
    const from = at(12, 4, 10, 0, 5);
    const h = harness({ start: from, keys: {}, capacity: flanders });
    stream(h, from, from + 3_600_000, 4, (t) => (t < at(12, 4, 10, 30) ? { at: at(12, 2, 8, 15), kW: 2.1 } : { at: at(12, 4, 10, 30), kW: 4.6 }));
    const said = h.notices(/month peak/);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^WARN meter 1SAG3101021605: the meter's month peak \(4\.6 kW\) and PowerMeter's \(4 kW\) differ by 0\.6 kW, more than rounding/);
  });

  it("leaves a peak from before PowerMeter started alone: it could not have seen it", () => {
    const from = at(12, 4, 10, 0, 5);
    const h = harness({ start: from, keys: {}, capacity: flanders });
    stream(h, from, from + 3_600_000, 4, () => ({ at: at(12, 2, 8, 15), kW: 6.2 }));
    expect(h.notices(/month peak/)).toEqual([]);
  });
});
