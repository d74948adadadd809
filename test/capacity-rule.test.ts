import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparePeaks } from '../src/capacity/compare.js';
import { monthFigures } from '../src/capacity/peaks.js';
import { presets, ruleKey, type CapacityRule } from '../src/capacity/rule.js';
import { resolveCapacity, validateRule, validateSteps, type CustomRule } from '../src/capacity/settings.js';
import { stepFor, stepsFromFriNettleie, type CapacitySteps } from '../src/capacity/steps.js';

/**
 * Two companies' steps from kraftsystemet/fri-nettleie (CC-BY-4.0), commit b9531c7c70bc0521fdd43104c3180a323849d645:
 * tariffer/elvia.yml (valid from 2026-07-01, terskel_inkludert: true) and tariffer/stram.yml (terskel_inkludert: false).
 * Prices in kr/year excluding taxes.
 */
const elvia = stepsFromFriNettleie({
  metode: 'TRE_DØGNMAX_MND',
  terskel_inkludert: true,
  terskler: [
    { terskel: 0, pris: 1440 },
    { terskel: 2, pris: 2400 },
    { terskel: 5, pris: 4032 },
    { terskel: 10, pris: 5616 },
    { terskel: 15, pris: 7248 },
    { terskel: 20, pris: 8880 },
    { terskel: 25, pris: 16896 },
    { terskel: 50, pris: 24960 },
    { terskel: 75, pris: 33024 },
    { terskel: 100, pris: 65280 },
  ],
});
const stram = stepsFromFriNettleie({
  metode: 'TRE_DØGNMAX_MND',
  terskel_inkludert: false,
  terskler: [
    { terskel: 0, pris: 1320 },
    { terskel: 2, pris: 3960 },
    { terskel: 5, pris: 5292 },
    { terskel: 10, pris: 6612 },
    { terskel: 15, pris: 7932 },
    { terskel: 20, pris: 9252 },
    { terskel: 25, pris: 23784 },
    { terskel: 50, pris: 38328 },
    { terskel: 75, pris: 52860 },
    { terskel: 100, pris: 81936 },
  ],
});

const steps = (s: CapacitySteps | string): CapacitySteps => {
  if (typeof s === 'string') throw new Error(s);
  return s;
};

describe('capacity steps', () => {
  it('a value exactly at a threshold: on the step that starts there when terskel_inkludert (Elvia), on the one below when not (Stram)', () => {
    expect(stepFor(steps(elvia), 5)).toEqual({ thresholdKw: 5, upToKw: 10, price: 4032 });
    expect(stepFor(steps(stram), 5)).toEqual({ thresholdKw: 2, upToKw: 5, price: 3960 });
    expect(stepFor(steps(stram), 5.001)).toEqual({ thresholdKw: 5, upToKw: 10, price: 5292 });
    expect(stepFor(steps(elvia), 4.999)).toEqual({ thresholdKw: 2, upToKw: 5, price: 2400 });
  });

  it('the lowest and the highest steps', () => {
    expect(stepFor(steps(elvia), 0)).toEqual({ thresholdKw: 0, upToKw: 2, price: 1440 });
    expect(stepFor(steps(stram), 0)).toEqual({ thresholdKw: 0, upToKw: 2, price: 1320 });
    expect(stepFor(steps(elvia), 240)).toEqual({ thresholdKw: 100, upToKw: null, price: 65280 });
    expect(stepFor({ thresholdIncluded: true, steps: [] }, 3)).toBeNull();
  });

  it('fri-nettleie methods whose thresholds are not kW, and an unknown edge, are refused with the reason', () => {
    expect(stepsFromFriNettleie({ metode: 'OV_TREFASE', terskel_inkludert: false, terskler: [{ terskel: 0, pris: 3500 }] })).toMatch(/not a kW peak method/);
    expect(stepsFromFriNettleie({ metode: 'TRE_DØGNMAX_MND', terskel_inkludert: null, terskler: [{ terskel: 0, pris: 1 }] })).toMatch(/up to and including/);
  });

  it('steps are checked: ascending, from 0 kW, numbers', () => {
    expect(validateSteps(steps(elvia))).toEqual([]);
    expect(validateSteps({ thresholdIncluded: true, steps: [{ fromKw: 0, price: 1 }, { fromKw: 5, price: 2 }, { fromKw: 5, price: 3 }] })).toEqual([
      'capacity_steps[2]: the threshold 5 kW is not above the one before (5 kW); list the steps from the lowest up',
    ]);
    expect(validateSteps({ thresholdIncluded: true, steps: [{ fromKw: 2, price: 1 }] })[0]).toMatch(/must start at 0 kW/);
    expect(validateSteps({ thresholdIncluded: true, steps: [{ fromKw: 0, price: Number.NaN }] })[0]).toMatch(/price NaN is not a number/);
    expect(validateSteps({ thresholdIncluded: true, steps: [] })[0]).toMatch(/no steps/);
  });
});

describe('capacity rules', () => {
  it('every preset is a sound rule with its sources', () => {
    for (const [name, p] of Object.entries(presets)) {
      expect(validateRule(p.rule), name).toEqual([]);
      expect(p.provenance.length, name).toBeGreaterThan(0);
    }
    expect(presets['be-flanders'].rule).toMatchObject({ windowMinutes: 15, peaks: 1, aggregation: 'mean-of-12-months', floorKw: 2.5 });
    expect(presets['se-ellevio'].rule.night).toEqual({ fromHour: 22, toHour: 6, weight: 0.5 });
  });

  it('a custom rule with every mistake gets one clear error for each, naming the field', () => {
    const bad: CustomRule = { windowMinutes: 30, peaks: 0, distinctDays: true, aggregation: 'median', floorKw: -1, night: { fromHour: 22, toHour: 22, weight: 2 }, months: [0, 13], weekdays: [], hours: [7, 7] };
    expect(validateRule(bad)).toEqual([
      'window_minutes: 30 is not a window grid companies use; enter 15 or 60',
      'aggregation: "median" is not one of mean-of-peaks, maximum, mean-of-12-months',
      'peaks: 0 is not a whole number from 1 to 10',
      'floor_kw: -1 is not a power of 0 kW or more (0 for no floor)',
      'night hours: 22–22 is an empty window; e.g. 22–6 for 22:00 to 06:00',
      'night weight: 2 is not a factor from 0 to 1 (Ellevio: 0.5)',
      'months: 0, 13 are not months (1 to 12)',
      'weekdays: the list is empty, so no window would ever count; leave it out to count every weekday',
      'hours: the same hour is listed twice',
    ]);
    expect(validateRule({ ...presets['se-max-hour'].rule, peaks: 3 })).toEqual(['peaks: "maximum" counts one window, not 3; set peaks to 1, or choose mean-of-peaks']);
  });

  it('settings resolve to the preset, the custom rule, nothing, or every problem at once', () => {
    expect(resolveCapacity({ tariff: 'none', custom: null, steps: null })).toEqual({ kind: 'none' });
    expect(resolveCapacity({ tariff: 'no-3-daily-max', custom: null, steps: steps(elvia) })).toEqual({ kind: 'rule', rule: presets['no-3-daily-max'].rule, steps: steps(elvia) });
    const custom: CapacityRule = { ...presets['no-3-daily-max'].rule, windowMinutes: 15, peaks: 5 };
    expect(resolveCapacity({ tariff: 'custom', custom, steps: null })).toEqual({ kind: 'rule', rule: custom, steps: null });
    expect(resolveCapacity({ tariff: 'custom', custom: null, steps: null })).toEqual({ kind: 'invalid', errors: ['capacity_tariff is custom but no custom rule is given: enter its window, peaks and aggregation'] });
    const wrong = resolveCapacity({ tariff: 'custom', custom: { ...custom, peaks: 11 }, steps: { thresholdIncluded: true, steps: [{ fromKw: 1, price: 1 }] } });
    expect(wrong.kind === 'invalid' && wrong.errors.length).toBe(2);
  });

  it("the rule's key changes with every field, so that peaks kept under another rule are not reused", () => {
    const r = presets['se-ellevio'].rule;
    const variants: CapacityRule[] = [
      { ...r, windowMinutes: 15 },
      { ...r, peaks: 2 },
      { ...r, distinctDays: false },
      { ...r, aggregation: 'maximum' },
      { ...r, floorKw: 1 },
      { ...r, night: { fromHour: 22, toHour: 6, weight: 0.4 } },
      { ...r, months: [1] },
      { ...r, weekdays: [1] },
      { ...r, hours: [1] },
    ];
    const keys = new Set([ruleKey(r), ...variants.map(ruleKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });
});

describe("a Belgian meter's own month peak beside PowerMeter's", () => {
  // The e-MUCS example as ebaauw/homebridge-p1#69 quotes it: 1-0:1.6.0(200509134558S)(02.589*kW).
  const stamp = Date.UTC(2020, 4, 9, 11, 45, 58);
  const window = Date.UTC(2020, 4, 9, 11, 30);
  const p1 = { windowMinutes: 15, registerResolutionKwh: 0.001, frameIntervalMs: 1000 };

  it('agree within rounding: 1 W on the meter, 1 Wh at each boundary (× 4), and half a 1-s frame at each boundary', () => {
    const c = comparePeaks({ kW: 2.589, at: stamp }, { kW: 2.592, at: window }, p1);
    // 0.0005 + 2 × 0.001 / 0.25 + 2 × 2.592 × 0.5 s / 900 s = 0.0005 + 0.008 + 0.00288 = 0.01138 kW
    expect(c.toleranceKw).toBeCloseTo(0.01138, 5);
    expect(c).toMatchObject({ agree: true, differenceKw: 0.003, sameWindow: true });
    expect(c.text).toBe("the meter's month peak (2.589 kW) and PowerMeter's (2.592 kW) agree");
  });

  it('differ beyond rounding, or in another window: said, with what to look at', () => {
    const c = comparePeaks({ kW: 2.589, at: stamp }, { kW: 2.2, at: window - 86_400_000 }, p1);
    expect(c).toMatchObject({ agree: false, differenceKw: -0.389, sameWindow: false });
    expect(c.text).toMatch(/differ by 0.389 kW, in another window, more than rounding/);
    expect(comparePeaks({ kW: 2.589, at: null }, { kW: 2.589, at: window }, p1).sameWindow).toBeNull();
  });
});

describe('the capacity machine is sans-I/O', () => {
  it('imports no Node module and nothing above the accounting, and has no clock of its own', () => {
    const dir = new URL('../src/capacity/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const imports = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      // ajv's types, and base/validators.js: the state's check, as code the build wrote or ajv compiles (no I/O of its own)
      expect(imports.filter((i) => !/^\.\/|^\.\.\/accounting\/|^ajv$|^\.\.\/base\/validators\.js$/.test(i)), file).toEqual([]);
      expect(text, file).not.toMatch(/\b(setTimeout|setInterval|Date\.now|new Date\(\))/);
    }
  });
});

describe("the month's figures and the ceiling of the running window", () => {
  const w = (day: number, kW: number) => ({ start: Date.UTC(2026, 2, day, 12), kW, gap: false });
  const running = { start: Date.UTC(2026, 2, 20, 18), kW: 1.0, gap: false };
  const sameDay20 = (t: number) => new Date(t).getUTCDate() === 20;

  it("distinct days, today's closed hour among the peaks: the running hour may reach it", () => {
    // Other days 7.2, 5.4, 5.0; today 6.0 at noon; the running hour at 1.0 so far.
    const f = monthFigures([w(1, 7.2), w(20, 6.0), w(2, 5.4), w(3, 5.0)], running, 3, 0, sameDay20);
    // (7.2 + 6.0 + 5.4) / 3 = 6.2; the day counts max(6.0, x): flat until x passes 6.0.
    expect(f.valueKw).toBeCloseTo(6.2, 9);
    expect(f.ceilingKw).toBe(6.0);
    expect(f.peaks.map((p) => p.kW)).toEqual([7.2, 6.0, 5.4]);
  });

  it('below the floor with fewer windows than peaks: the ceiling is where the mean reaches the floor', () => {
    // N = 3, floor 2.5, one closed window of 3.0, the running one at 0.5: the mean is of 2 windows, 1.75, so 2.5 counts.
    const f = monthFigures([w(1, 3.0)], { ...running, kW: 0.5 }, 3, 2.5, null);
    expect(f.valueKw).toBe(2.5);
    // (3.0 + x) / 2 = 2.5 at x = 2 × 2.5 − 3.0 = 2.0
    expect(f.ceilingKw).toBe(2.0);
  });

  it('a tie at the N-th peak is the ceiling; below it the running window is not a peak', () => {
    const f = monthFigures([w(1, 5.0), w(2, 4.5), w(3, 4.5), w(4, 4.2)], { ...running, kW: 0.5 }, 3, 0, null);
    expect(f.ceilingKw).toBe(4.5);
    expect(f.peaks.map((p) => [new Date(p.start).getUTCDate(), p.kW])).toEqual([
      [1, 5.0],
      [2, 4.5],
      [3, 4.5],
    ]);
    // A running window equal to a closed one ranks after it (the earlier window wins a tie).
    expect(monthFigures([w(1, 5.0)], { ...running, kW: 5.0 }, 1, 0, null).peaks[0]).toMatchObject({ running: false });
  });
});
