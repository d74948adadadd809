import type { JSONSchemaType } from 'ajv';
import { validator, type Check } from '../base/validators.js';
import type { RegisterPeriods } from '../accounting/accounting.js';
import { costSchema, type CostState } from './cost.js';
import { historySchema, type HistoryState } from './history.js';
import { instant, name, orNull, periodsSchema } from './persisted-periods.js';
import { readV1 } from './persisted-v1.js';
import type { CounterRecord } from './replay-guard.js';

/**
 * What the service keeps across restarts (`/data/accounting.json` in the add-on): each meter's last accepted energy
 * totals (the energy guard's baseline and the periods' last reading), its energy periods, and the last invocation
 * counter of each system title (replay protection). Validated deeply on load: a file that passes is safe to use,
 * whatever wrote it.
 */
export const STATE_VERSION = 3;

/**
 * The most meters one service keeps: meters are made for every meter number heard, and on a raw-frame topic under a
 * wildcard a stranger can name any. The core stops making meters here, and the state file admits exactly as many, so
 * that the service never writes a state it would refuse to read.
 */
export const MAX_METERS = 2000;

/**
 * The largest state file read: 2 000 meters with their periods and full histories (history.ts) take about 20 MB
 * (test/core/history.test.ts), and as many P1 meters with all nine M-Bus channels in use up to 12 MB more
 * (test/core/sub-meters.test.ts). A larger file (or one that never ends, a link to /dev/zero) is damaged, and moved
 * aside like any other damaged file.
 */
export const MAX_STATE_BYTES = 48 * 1024 * 1024;

export interface PersistedTotal {
  readonly obis: string;
  readonly quantity: 'energy' | 'reactive_energy';
  readonly value: number;
  /** Arrival time of the frame that carried it. */
  readonly at: number;
  /** The meter's clock in that frame, as an instant; null for lists without one. */
  readonly clock: number | null;
}

/** The protection a meter's frames have had with the keys now in use: less is refused (a forgery, or changed security). */
export interface SecurityFloor {
  /** 1: encrypted; 2: authenticated (the tag checked). */
  readonly level: 1 | 2;
  /** `keyFingerprint` of the keys it was reached with: new keys start afresh. */
  readonly keys: string;
}

export interface PersistedMeter {
  totals: Record<string, PersistedTotal>;
  periods: Record<string, RegisterPeriods>;
  security?: SecurityFloor;
  /** Its cost per quarter hour, with prices on (cost.ts). */
  cost?: CostState;
  /** Its last 48 hours and 31 days of energy and cost (history.ts): the page's plots after a restart. */
  history?: HistoryState;
  /** Its capacity tariff's state, checked by the capacity machine itself when it is restored (capacity/state.ts). */
  capacity?: Record<string, unknown>;
  /** The meters on its P1 port's M-Bus channels, by channel ("1" … "9"; sub-meters.ts). */
  subMeters?: Record<string, PersistedSubMeter>;
}

/** A gas, water or heat meter read through a P1 port: its last accepted value, and its hour and day sums. */
export interface PersistedSubMeter {
  type: 'gas' | 'heat' | 'water' | 'heat-cool' | null;
  /** Its equipment id; null when it sends none. */
  id: string | null;
  unit: string;
  value: number;
  /** When the sub-meter took the value (an instant); the telegram's arrival when it sent no valid time. */
  capturedAt: number;
  periods: RegisterPeriods;
}

export interface PersistedState {
  version: typeof STATE_VERSION;
  savedAt: number;
  meters: Record<string, PersistedMeter>;
  counters: Record<string, CounterRecord>;
  /** The topics of the last run, to clear what was published under old ones (optional: older files lack it). */
  topics?: { discoveryPrefix: string; baseTopic: string };
  /** One-time notes already said (an upgrade's consequences), so that each is said once per installation. */
  said?: string[];
}

export const emptyState = (): PersistedState => ({ version: STATE_VERSION, savedAt: 0, meters: {}, counters: {} });

const subMeterSchema: JSONSchemaType<PersistedSubMeter> = {
  type: 'object',
  properties: {
    type: orNull({ type: 'string', enum: ['gas', 'heat', 'water', 'heat-cool'] }),
    id: orNull({ type: 'string', maxLength: 64 }),
    unit: { type: 'string', maxLength: 8 },
    value: { type: 'number' },
    capturedAt: instant,
    periods: periodsSchema,
  },
  required: ['type', 'id', 'unit', 'value', 'capturedAt', 'periods'],
  additionalProperties: false,
};

const totalSchema: JSONSchemaType<PersistedTotal> = {
  type: 'object',
  properties: {
    obis: { type: 'string', maxLength: 32 },
    quantity: { type: 'string', enum: ['energy', 'reactive_energy'] },
    value: { type: 'number' },
    at: instant,
    clock: orNull({ type: 'number' }),
  },
  required: ['obis', 'quantity', 'value', 'at', 'clock'],
  additionalProperties: false,
};

const stateSchema: JSONSchemaType<PersistedState> = {
  type: 'object',
  properties: {
    version: { type: 'integer', const: STATE_VERSION },
    savedAt: instant,
    meters: {
      type: 'object',
      maxProperties: MAX_METERS,
      propertyNames: name,
      required: [],
      additionalProperties: {
        type: 'object',
        properties: {
          totals: { type: 'object', maxProperties: 64, propertyNames: name, required: [], additionalProperties: totalSchema },
          periods: { type: 'object', maxProperties: 8, propertyNames: name, required: [], additionalProperties: periodsSchema },
          cost: { ...costSchema, nullable: true },
          history: { ...historySchema, nullable: true },
          capacity: { type: 'object', nullable: true, maxProperties: 16, required: [] },
          // DSMR has four M-Bus channels; the decoder reads up to 9 (src/dsmr/objects.ts MAX_CHANNEL).
          subMeters: { type: 'object', nullable: true, maxProperties: 9, propertyNames: { type: 'string', pattern: '^[1-9]$' }, required: [], additionalProperties: subMeterSchema },
          security: {
            type: 'object',
            nullable: true,
            properties: { level: { type: 'integer', enum: [1, 2] }, keys: { type: 'string', maxLength: 64 } },
            required: ['level', 'keys'],
            additionalProperties: false,
          },
        },
        required: ['totals', 'periods'],
        additionalProperties: false,
      },
    },
    counters: {
      type: 'object',
      maxProperties: 100_000,
      propertyNames: name,
      required: [],
      additionalProperties: {
        type: 'object',
        properties: { counter: { type: 'integer', minimum: 0, maximum: 0xffffffff }, keys: { type: 'string', maxLength: 64 } },
        required: ['counter', 'keys'],
        additionalProperties: false,
      },
    },
    topics: {
      type: 'object',
      nullable: true,
      properties: { discoveryPrefix: { type: 'string', maxLength: 256 }, baseTopic: { type: 'string', maxLength: 256 } },
      required: ['discoveryPrefix', 'baseTopic'],
      additionalProperties: false,
    },
    said: { type: 'array', nullable: true, maxItems: 64, items: { type: 'string', maxLength: 64 } },
  },
  required: ['version', 'savedAt', 'meters', 'counters'],
  additionalProperties: false,
};

/**
 * The state file's check (base/validators.ts: written out by the build, compiled where it was not), made on first use:
 * a first start has no state file.
 */
export const stateCheck: Check<PersistedState> = { name: 'state', schema: stateSchema, options: { allErrors: false, code: { optimize: false } } };
const stateValidator = validator(stateCheck);

export type Parsed =
  | { readonly kind: 'ok'; readonly state: PersistedState }
  /** Written by a newer PowerMeter: it must not be overwritten by this one. */
  | { readonly kind: 'newer'; readonly version: number }
  | { readonly kind: 'invalid'; readonly problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a state file's text. Never throws: what is wrong with it is the answer. */
export function parseState(text: string): Parsed {
  if (text.trim() === '') return { kind: 'invalid', problem: 'the file is empty' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: 'invalid', problem: 'the file is not whole JSON (cut short, or damaged)' };
  }
  const version = isObject(doc) ? doc.version : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION) return { kind: 'newer', version };
  if (version === 1) {
    const old = readV1(doc, MAX_METERS);
    if (old.ok) return { kind: 'ok', state: { ...emptyState(), savedAt: old.savedAt, meters: old.meters } };
    return { kind: 'invalid', problem: problemOf(old.errors) };
  }
  // Version 2 is version 3 without the meters' security floors, which start afresh.
  if (version === 2 && isObject(doc)) doc.version = STATE_VERSION;
  const validate = stateValidator();
  if (validate(doc)) return { kind: 'ok', state: doc };
  return { kind: 'invalid', problem: problemOf(validate.errors) };
}

function problemOf(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || 'the document'} ${e.message ?? 'is invalid'}` : 'it is not a PowerMeter state file';
}
