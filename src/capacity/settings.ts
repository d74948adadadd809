import { aggregations, presets, type CapacityRule, type CapacityTariff, type NightWeight } from './rule.js';
import type { CapacitySteps } from './steps.js';

/**
 * What the add-on's options become for capacity (the options themselves are read elsewhere): the tariff, the rule of
 * `custom`, and the user's steps. `resolveCapacity` turns them into the rule the machine runs, or says every problem.
 */
export interface CapacitySettings {
  readonly tariff: CapacityTariff;
  /** Required when `tariff` is `custom`, ignored otherwise. */
  readonly custom: CustomRule | null;
  /** The user's grid company's steps (Norway: from kraftsystemet/fri-nettleie's tariffer/), or null. */
  readonly steps: CapacitySteps | null;
}

export type ResolvedCapacity =
  | { readonly kind: 'none' }
  | { readonly kind: 'rule'; readonly rule: CapacityRule; readonly steps: CapacitySteps | null }
  | { readonly kind: 'invalid'; readonly errors: readonly string[] };

/** A custom rule as the user gave it: `validateRule` says what is wrong with it, `resolveCapacity` makes it a rule. */
export interface CustomRule {
  readonly windowMinutes: number;
  readonly peaks: number;
  readonly distinctDays: boolean;
  readonly aggregation: string;
  readonly floorKw: number;
  readonly night: NightWeight | null;
  readonly months: readonly number[] | null;
  readonly weekdays: readonly number[] | null;
  readonly hours: readonly number[] | null;
}

/** The most peaks a rule may average: the persisted state keeps at most this many windows per month (and 31 days). */
export const MAX_PEAKS = 10;

const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

function listProblems(name: string, list: readonly number[] | null, lo: number, hi: number, what: string): string[] {
  if (list === null) return [];
  if (list.length === 0) return [`${name}: the list is empty, so no window would ever count; leave it out to count every ${what}`];
  const bad = list.filter((v) => !isInt(v, lo, hi));
  if (bad.length > 0) return [`${name}: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not ${what}s (${lo} to ${hi})`];
  if (new Set(list).size !== list.length) return [`${name}: the same ${what} is listed twice`];
  return [];
}

/** Every problem of a custom rule, each naming the field and what to enter; an empty list when it is sound. */
export function validateRule(r: CustomRule): string[] {
  const errors: string[] = [];
  if (r.windowMinutes !== 15 && r.windowMinutes !== 60) errors.push(`window_minutes: ${String(r.windowMinutes)} is not a window grid companies use; enter 15 or 60`);
  if (!aggregations.some((a) => a === r.aggregation)) errors.push(`aggregation: "${String(r.aggregation)}" is not one of ${aggregations.join(', ')}`);
  if (!isInt(r.peaks, 1, MAX_PEAKS)) errors.push(`peaks: ${String(r.peaks)} is not a whole number from 1 to ${MAX_PEAKS}`);
  else if (r.aggregation === 'maximum' && r.peaks !== 1) errors.push(`peaks: "maximum" counts one window, not ${r.peaks}; set peaks to 1, or choose mean-of-peaks`);
  if (!Number.isFinite(r.floorKw) || r.floorKw < 0) errors.push(`floor_kw: ${String(r.floorKw)} is not a power of 0 kW or more (0 for no floor)`);
  if (r.night !== null) {
    const n = r.night;
    if (!isInt(n.fromHour, 0, 23) || !isInt(n.toHour, 0, 23)) errors.push(`night hours: ${String(n.fromHour)}–${String(n.toHour)} are not whole hours from 0 to 23`);
    else if (n.fromHour === n.toHour) errors.push(`night hours: ${n.fromHour}–${n.toHour} is an empty window; e.g. 22–6 for 22:00 to 06:00`);
    if (!Number.isFinite(n.weight) || n.weight < 0 || n.weight > 1) errors.push(`night weight: ${String(n.weight)} is not a factor from 0 to 1 (Ellevio: 0.5)`);
  }
  errors.push(...listProblems('months', r.months, 1, 12, 'month'));
  errors.push(...listProblems('weekdays', r.weekdays, 1, 7, 'weekday'));
  errors.push(...listProblems('hours', r.hours, 0, 23, 'hour'));
  return errors;
}

/** Every problem of a list of steps. */
export function validateSteps(s: CapacitySteps): string[] {
  const errors: string[] = [];
  if (s.steps.length === 0) return ['capacity_steps: no steps; leave the option out instead'];
  if (s.steps.length > 64) errors.push(`capacity_steps: ${s.steps.length} steps; at most 64`);
  s.steps.forEach((step, i) => {
    if (!Number.isFinite(step.fromKw) || step.fromKw < 0) errors.push(`capacity_steps[${i}]: the threshold ${String(step.fromKw)} is not a power of 0 kW or more`);
    if (!Number.isFinite(step.price)) errors.push(`capacity_steps[${i}]: the price ${String(step.price)} is not a number`);
    const prev = s.steps[i - 1];
    if (prev && step.fromKw <= prev.fromKw) errors.push(`capacity_steps[${i}]: the threshold ${step.fromKw} kW is not above the one before (${prev.fromKw} kW); list the steps from the lowest up`);
  });
  if (s.steps[0]!.fromKw !== 0) errors.push(`capacity_steps[0]: the first step starts at ${s.steps[0]!.fromKw} kW; it must start at 0 kW (as every company file of kraftsystemet/fri-nettleie does)`);
  return errors;
}

/** A custom rule `validateRule` found sound, with its types narrowed. */
function asRule(r: CustomRule): CapacityRule {
  return {
    windowMinutes: r.windowMinutes === 15 ? 15 : 60,
    peaks: r.peaks,
    distinctDays: r.distinctDays,
    aggregation: aggregations.find((a) => a === r.aggregation) ?? 'mean-of-peaks',
    floorKw: r.floorKw,
    night: r.night,
    months: r.months,
    weekdays: r.weekdays,
    hours: r.hours,
  };
}

/** The rule to run: a preset, or the custom rule once it is sound. */
export function resolveCapacity(s: CapacitySettings): ResolvedCapacity {
  if (s.tariff === 'none') return { kind: 'none' };
  const errors: string[] = [];
  let rule: CapacityRule | null = null;
  if (s.tariff === 'custom') {
    if (s.custom === null) errors.push('capacity_tariff is custom but no custom rule is given: enter its window, peaks and aggregation');
    else {
      const problems = validateRule(s.custom);
      errors.push(...problems);
      if (problems.length === 0) rule = asRule(s.custom);
    }
  } else rule = presets[s.tariff].rule;
  if (s.steps !== null) errors.push(...validateSteps(s.steps));
  if (errors.length > 0 || rule === null) return { kind: 'invalid', errors };
  return { kind: 'rule', rule, steps: s.steps };
}
