import type { JSONSchemaType } from 'ajv';
import type { ClosedPeriod, OpenPeriod, RegisterPeriods } from '../accounting/accounting.js';

/** The schemas of the state file's parts that every version since 1 keeps: instants, names, a register's energy periods. */
export const instant = { type: 'number', minimum: 0 } as const;
/** A required field that may be null (`T | null`): ajv's typed schemas spell it as a choice. */
export const orNull = <const S extends object>(schema: S) => ({ anyOf: [schema, { type: 'null', nullable: true }] }) as const;

const open: JSONSchemaType<OpenPeriod> = {
  type: 'object',
  properties: { start: instant, startValue: { type: 'number' }, gap: { type: 'boolean' } },
  required: ['start', 'startValue', 'gap'],
  additionalProperties: false,
};
const closed: JSONSchemaType<ClosedPeriod> = {
  type: 'object',
  properties: { start: instant, end: instant, value: orNull({ type: 'number' }), gap: { type: 'boolean' } },
  required: ['start', 'end', 'value', 'gap'],
  additionalProperties: false,
};
export const currentSchema: JSONSchemaType<RegisterPeriods['current']> = {
  type: 'object',
  properties: { hour: orNull(open), day: orNull(open), month: orNull(open) },
  required: ['hour', 'day', 'month'],
  additionalProperties: false,
};
export const previousSchema: JSONSchemaType<RegisterPeriods['previous']> = {
  type: 'object',
  properties: { hour: orNull(closed), day: orNull(closed), month: orNull(closed) },
  required: ['hour', 'day', 'month'],
  additionalProperties: false,
};
export const interval = orNull({ type: 'number', minimum: 0 });

export const periodsSchema: JSONSchemaType<RegisterPeriods> = {
  type: 'object',
  properties: { lastInterval: interval, current: currentSchema, previous: previousSchema },
  required: ['lastInterval', 'current', 'previous'],
  additionalProperties: false,
};

/** A meter id or register key: short, printable. Bounds keep a hostile file from costing memory. */
export const name = { type: 'string', maxLength: 64 } as const;
