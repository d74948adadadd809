import type { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import { compiled as compile } from '../base/validators.js';
import { emptyPeriods, type RegisterPeriods } from '../accounting/accounting.js';
import type { PersistedMeter } from './persisted.js';
import { currentSchema, instant, interval, name, orNull, previousSchema } from './persisted-periods.js';

/** Version 1 (PowerMeter 0.1): periods per register with the register's last value inside them. */
interface V1Register {
  last: number | null;
  lastAt: number | null;
  lastInterval: number | null;
  current: RegisterPeriods['current'];
  previous: RegisterPeriods['previous'];
}
interface V1State {
  version: 1;
  savedAt: number;
  meters: Record<string, Record<string, V1Register>>;
}

const v1Schema = (maxMeters: number): JSONSchemaType<V1State> => ({
  type: 'object',
  properties: {
    version: { type: 'integer', const: 1 },
    savedAt: instant,
    meters: {
      type: 'object',
      maxProperties: maxMeters,
      propertyNames: name,
      required: [],
      additionalProperties: {
        type: 'object',
        maxProperties: 8,
        propertyNames: name,
        required: [],
        additionalProperties: {
          type: 'object',
          properties: {
            last: orNull({ type: 'number' }),
            lastAt: orNull(instant),
            lastInterval: interval,
            current: currentSchema,
            previous: previousSchema,
          },
          required: ['last', 'lastAt', 'lastInterval', 'current', 'previous'],
          additionalProperties: false,
        },
      },
    },
  },
  required: ['version', 'savedAt', 'meters'],
  additionalProperties: false,
});

/** Compiled on first use: most starts read no file of version 1 (issue #30, cold start). */
let compiled: { maxMeters: number; validate: ValidateFunction<V1State> } | null = null;

/** The OBIS codes of the registers version 1 accounted. */
const v1Obis: Record<string, string> = { active_energy_import: '1-0:1.8.0.255', active_energy_export: '1-0:2.8.0.255' };

export type V1Read = { readonly ok: true; readonly savedAt: number; readonly meters: Record<string, PersistedMeter> } | { readonly ok: false; readonly errors: ErrorObject[] | null | undefined };

/** A state file of version 1 read as today's meters (no more than `maxMeters`), or ajv's reasons why not. */
export function readV1(doc: unknown, maxMeters: number): V1Read {
  if (compiled?.maxMeters !== maxMeters) compiled = { maxMeters, validate: compile({ name: 'state-v1', schema: v1Schema(maxMeters), options: { allErrors: false, code: { optimize: false } } }) };
  const validate = compiled.validate;
  if (!validate(doc)) return { ok: false, errors: validate.errors };
  const meters: Record<string, PersistedMeter> = {};
  for (const [meterId, registers] of Object.entries(doc.meters)) {
    const meter: PersistedMeter = { totals: {}, periods: {} };
    for (const [key, r] of Object.entries(registers)) {
      const obis = v1Obis[key];
      if (obis === undefined) continue;
      meter.periods[key] = { ...emptyPeriods(), lastInterval: r.lastInterval, current: r.current, previous: r.previous };
      if (r.last !== null && r.lastAt !== null) meter.totals[key] = { obis, quantity: 'energy', value: r.last, at: r.lastAt, clock: null };
    }
    meters[meterId] = meter;
  }
  return { ok: true, savedAt: doc.savedAt, meters };
}
