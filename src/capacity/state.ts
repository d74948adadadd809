import type { JSONSchemaType } from 'ajv';
import { validator, type Check } from '../base/validators.js';
import type { OpenWindow, Reading, WindowState } from '../accounting/register-windows.js';
import { MAX_PEAKS } from './settings.js';

/**
 * What the capacity machine keeps across a restart, as plain JSON (the service saves it with the energy periods): the
 * register's last reading, the open window, the month's windows that can still be peaks, and up to 12 monthly values.
 * Times are instants (ms since the epoch); energies kWh, powers kW.
 */
export const CAPACITY_STATE_VERSION = 1;

/** A closed window that can still be one of the month's peaks: its counted kW (the average times the rule's weight). */
export interface ClosedWindow {
  readonly start: number;
  readonly kW: number;
  readonly gap: boolean;
}

export interface MonthWindows {
  /** The local month's first instant. */
  readonly start: number;
  /**
   * The windows that can still count: with distinct days, each day's highest (at most 31); otherwise the `peaks`
   * highest. Ties keep the earlier window.
   */
  windows: ClosedWindow[];
  /** Some window of the month had a gap. */
  gap: boolean;
}

/** A finished month's value under the rule (before any floor). */
export interface MonthValue {
  /** `YYYY-MM`, local. */
  readonly month: string;
  readonly kW: number;
  readonly gap: boolean;
}

export interface CapacityState extends WindowState {
  version: typeof CAPACITY_STATE_VERSION;
  /** The rule the peaks were kept under (rule.ts `ruleKey`). */
  rule: string;
  month: MonthWindows | null;
  /** The last finished months, oldest first, at most 12. */
  history: MonthValue[];
}

export const emptyCapacityState = (rule: string): CapacityState => ({ version: CAPACITY_STATE_VERSION, rule, lastInterval: null, last: null, window: null, month: null, history: [] });

const instant = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;
const energy = { type: 'number', minimum: -1e12, maximum: 1e12 } as const;
const power = { type: 'number', minimum: 0, maximum: 1e9 } as const;
const orNull = <const S extends object>(schema: S) => ({ anyOf: [schema, { type: 'null', nullable: true }] }) as const;

const readingSchema: JSONSchemaType<Reading> = {
  type: 'object',
  properties: { at: instant, kWh: energy },
  required: ['at', 'kWh'],
  additionalProperties: false,
};
const openSchema: JSONSchemaType<OpenWindow> = {
  type: 'object',
  properties: { start: instant, startKwh: energy, usedKwh: { type: 'number', minimum: 0, maximum: 1e12 }, gap: { type: 'boolean' } },
  required: ['start', 'startKwh', 'usedKwh', 'gap'],
  additionalProperties: false,
};
const closedSchema: JSONSchemaType<ClosedWindow> = {
  type: 'object',
  properties: { start: instant, kW: power, gap: { type: 'boolean' } },
  required: ['start', 'kW', 'gap'],
  additionalProperties: false,
};
const monthSchema: JSONSchemaType<MonthWindows> = {
  type: 'object',
  properties: { start: instant, windows: { type: 'array', items: closedSchema, maxItems: Math.max(31, MAX_PEAKS) }, gap: { type: 'boolean' } },
  required: ['start', 'windows', 'gap'],
  additionalProperties: false,
};
const monthValueSchema: JSONSchemaType<MonthValue> = {
  type: 'object',
  properties: { month: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7 }, kW: power, gap: { type: 'boolean' } },
  required: ['month', 'kW', 'gap'],
  additionalProperties: false,
};

export const capacityStateSchema: JSONSchemaType<CapacityState> = {
  type: 'object',
  properties: {
    version: { type: 'integer', const: CAPACITY_STATE_VERSION },
    rule: { type: 'string', maxLength: 512 },
    lastInterval: orNull({ type: 'number', minimum: 0, maximum: 8.64e15 }),
    last: orNull(readingSchema),
    window: orNull(openSchema),
    month: orNull(monthSchema),
    history: { type: 'array', items: monthValueSchema, maxItems: 12 },
  },
  required: ['version', 'rule', 'lastInterval', 'last', 'window', 'month', 'history'],
  additionalProperties: false,
};

/**
 * The capacity state's check (base/validators.ts: written out by the build, compiled where it was not), made on first
 * use: the service loads this module whether or not a capacity tariff is set.
 */
export const capacityStateCheck: Check<CapacityState> = { name: 'capacity-state', schema: capacityStateSchema, options: { allErrors: false, code: { optimize: false } } };
const capacityStateValidator = validator(capacityStateCheck);

/** Why stored capacity state cannot be used; the service then starts the month afresh and says so. */
export class CapacityStateError extends Error {
  constructor(
    readonly reason: 'invalid' | 'newer' | 'rule-changed',
    message: string,
  ) {
    super(message);
    this.name = 'CapacityStateError';
  }
}

/**
 * Checks stored state: its shape (bounded, so a hostile file costs no memory), that it was written under `rule`, and
 * that its parts agree with one another. Never throws: what is wrong is the answer.
 */
export function checkCapacityState(doc: unknown, rule: string): CapacityState | CapacityStateError {
  const version = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > CAPACITY_STATE_VERSION)
    return new CapacityStateError('newer', `the capacity state was written by a newer PowerMeter (version ${version}); it is left alone and the month starts afresh`);
  const validate = capacityStateValidator();
  if (!validate(doc)) {
    const e = validate.errors?.[0];
    return new CapacityStateError('invalid', `the capacity state is damaged (${e ? `${e.instancePath || 'the document'} ${e.message ?? 'is invalid'}` : 'not a capacity state'}); the month's peaks start afresh`);
  }
  if (doc.rule !== rule) return new CapacityStateError('rule-changed', "the capacity tariff's rule changed since the peaks were kept; this month's peaks start afresh under the new rule");
  const problem = inconsistency(doc);
  return problem === null ? doc : new CapacityStateError('invalid', `the capacity state is damaged (${problem}); the month's peaks start afresh`);
}

function inconsistency(s: CapacityState): string | null {
  if (s.window !== null && s.last === null) return 'an open window without a reading';
  if (s.window !== null && s.last !== null && s.last.at < s.window.start) return 'the last reading is older than the open window';
  const month = s.month;
  if (month !== null && month.windows.some((w) => w.start < month.start)) return 'a window from before its month';
  for (let i = 1; i < s.history.length; i++) if (s.history[i]!.month <= s.history[i - 1]!.month) return 'the monthly values are not in order';
  return null;
}
