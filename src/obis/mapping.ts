import type { Data } from '../dlms/axdr.js';
import { parseDateTime, toIso } from '../dlms/datetime.js';
import { codeOf, matchKeyOf } from '../dlms/obis.js';
import { numberOf, textOf, type ListRegister, type PushList, type Value } from '../dlms/push-list.js';
import { flags, isDateTime, type FrameContext, type ListSpec, type Position, type Profile, type Role } from './profile.js';
import { dlmsUnits, registerOf, UNITLESS, type KnownRegister } from './registers.js';
import { unitOf, type Reading } from './readings.js';

export interface ProfileOptions {
  /** Overrides the profile's Wh per raw energy unit (some Swedish Kamstrup meters send plain Wh). */
  readonly energyMultiplier?: number | undefined;
}

export interface Mapped {
  readonly list: string;
  readonly manufacturer: string | null;
  readonly meterId: string | null;
  readonly meterTime: string | null;
  readonly model: string | null;
  readonly readings: Reading[];
  /** The rule the units of this list's unscaled values come from, when no specification gives them (Profile.unitRule). */
  readonly unitRule: string | null;
}

/** raw × 10^exp, dividing for negative exponents: 79 / 100 is 0.79, 79 * 0.01 is 0.790000…01. */
function pow10(raw: number, exp: number): number {
  if (exp === 0) return raw;
  return exp < 0 ? raw / 10 ** -exp : raw * 10 ** exp;
}

/** Keeps 12 significant digits: 2271 × 10⁻¹ is 227.1, not 227.10000000000002. */
const round = (x: number): number => Number(x.toPrecision(12));

/** How a raw number becomes a reading's value: per kWh unit (energy), by the profile's exponent, or by the frame's scaler. */
export const ENERGY = 0;
export const EXPONENT = 1;
export const SCALER = 2;

/**
 * A reading's value from its register's raw number: the one formula of the mapping and of a list plan
 * (decode/list-plan.ts), which reads the next frames of the same list without mapping them again.
 */
export function valueOf(raw: number, kind: number, n: number, factor: number): number {
  if (kind === ENERGY) return (raw * n) / 1000;
  if (kind === EXPONENT) return pow10(raw, n);
  return round(pow10(raw, n) * factor);
}

/** How the last reading `readingOf` made got its value (`valueOf`'s kind, n and factor): what a trace records. */
let scaleKind = ENERGY;
let scaleN = 0;
let scaleFactor = 1;

/**
 * One register as a reading, or null when it holds no number or PowerMeter does not know it. With a `{scaler, unit}`
 * from the frame, the frame's unit must agree with what PowerMeter believes the register is, or the value is not
 * used; without, the profile says the scale.
 */
function readingOf(r: ListRegister, known: KnownRegister | undefined, profile: Profile, whPerUnit: number): Reading | null {
  const raw = numberOf(r.value);
  if (raw === null) return null;
  if (r.unit !== undefined && r.scaler !== undefined) {
    const unit = dlmsUnits[r.unit];
    const quantity = known?.quantity ?? (profile.generic ? unit?.quantity : undefined);
    if (!quantity || (quantity === 'power_factor' ? r.unit !== UNITLESS : unit?.quantity !== quantity)) return null;
    const key = known?.key ?? `obis_${r.obis.a}_${r.obis.b}_${r.obis.c}_${r.obis.d}_${r.obis.e}`;
    scaleKind = SCALER;
    scaleN = r.scaler;
    scaleFactor = unit?.factor ?? 1;
    return { key, obis: r.obis.toString(), quantity, value: valueOf(raw, SCALER, scaleN, scaleFactor), unit: unitOf[quantity] };
  }
  if (!known) return null;
  scaleKind = known.energy ? ENERGY : EXPONENT;
  scaleN = known.energy ? whPerUnit : (profile.exponents[known.quantity] ?? 0);
  scaleFactor = 1;
  return { key: known.key, obis: r.obis.toString(), quantity: known.quantity, value: valueOf(raw, scaleKind, scaleN, 1), unit: known.unit };
}

/**
 * What a mapping did, for a list plan (decode/list-plan.ts): for each reading in order, the index of its register in
 * the list and how its value was made (`valueOf`'s kind, n and factor), four numbers a reading; and the index of the
 * register the meter's clock came from (-1: none). Filled only when asked for.
 */
export interface MappingTrace {
  readonly readings: number[];
  clock: number;
}

/**
 * Adds a reading; a register sent twice is read once, in its first place, with its last value. `placed` holds the
 * place of each register of the table read so far in mapping `frame`, by its index there: no lookup by key for the
 * registers every list is made of.
 */
function place(readings: Reading[], reading: Reading, known: KnownRegister | undefined, frame: number): void {
  const indexed = known !== undefined && known.index < placed.length;
  const at = indexed ? (placedIn[known.index] === frame ? placed[known.index]! : -1) : readings.findIndex((x) => x.key === reading.key);
  if (at >= 0) {
    readings[at] = reading;
    return;
  }
  if (indexed) {
    placed[known.index] = readings.length;
    placedIn[known.index] = frame;
  }
  readings.push(reading);
}

/**
 * The place of each register of the table in the readings being mapped, by its index there, valid for the mapping
 * `placedIn` names: two arrays for every frame instead of a sparse array each (under --jitless, a frame's allocations
 * count; issue #30). A register past them (none today) is placed by key.
 */
const placed = new Int32Array(1024);
const placedIn = new Float64Array(1024);
let mappings = 0;

/** A list without OBIS codes, its values given the codes and roles its positions name. */
function byPosition(positions: readonly Position[], list: PushList): { registers: ListRegister[]; roles: Partial<Record<Role, Value>> } {
  const registers = [...list.registers];
  const roles: Partial<Record<Role, Value>> = {};
  positions.forEach((p, i) => {
    const value = list.bare[i]!;
    if ('obis' in p) registers.push({ obis: codeOf(p.obis), value });
    else if ('role' in p) roles[p.role] = value;
  });
  return { registers, roles };
}

/** The meter's clock as ISO text, or null when the value is not a valid date-time. */
export function clockOf(d: Value | undefined, local: boolean): string | null {
  const t = isDateTime(d) ? parseDateTime(d.value) : null;
  return t ? toIso(local ? { ...t, deviation: null } : t) : null;
}

const trimmedText = (d: Value | undefined): string | null => textOf(d)?.trim() || null;

/** Maps a list's registers to readings, as the profile's tables say. A field the frame does not carry is absent, never 0. */
export function applyProfile(profile: Profile, spec: ListSpec, list: PushList, ctx: FrameContext, options: ProfileOptions, trace?: MappingTrace): Mapped {
  const whPerUnit = options.energyMultiplier ?? profile.energyWhPerUnit;
  const { registers, roles } = spec.positions ? byPosition(spec.positions, list) : { registers: list.registers, roles: {} as Partial<Record<Role, Value>> };
  const idKeys = profile.meterId.map(matchKeyOf);
  const clockKey = profile.clock ? matchKeyOf(profile.clock) : -1;
  const modelKey = profile.model ? matchKeyOf(profile.model) : -1;
  let id: Value | undefined;
  let idRank = idKeys.length;
  let clock: Value | undefined;
  let model: Value | undefined;
  const readings: Reading[] = [];
  const frame = ++mappings;
  // Indexed, not for-of: under --jitless each step of an array iterator allocates its result (issue #30).
  for (let i = 0; i < registers.length; i++) {
    const r = registers[i]!;
    const known = registerOf(r.obis);
    const reading = readingOf(r, known, profile, whPerUnit);
    if (reading) {
      place(readings, reading, known, frame);
      trace?.readings.push(i, scaleKind, scaleN, scaleFactor);
    }
    if (known) continue;
    // The clock, the model and the meter id are never registers of the table.
    const key = r.obis.matchKey;
    if (key === clockKey) {
      clock = r.value;
      if (trace) trace.clock = i;
    }
    else if (key === modelKey) model = r.value;
    else {
      // The meter id by the most specific code the list carries (the profile lists them most specific first).
      const rank = idKeys.indexOf(key);
      if (rank >= 0 && rank < idRank) {
        id = r.value;
        idRank = rank;
      }
    }
  }
  let bareId: Data | undefined;
  let bareClock: Data | undefined;
  if (!spec.positions && list.bare.length > 0) {
    // A bare text at the end of a scaled list is the meter id (Sagemcom T210-D); a bare date-time, its clock.
    const last = list.bare.at(-1);
    bareId = (last?.type === 'octet-string' || last?.type === 'visible-string') && !isDateTime(last) ? last : undefined;
    bareClock = list.bare.find((b) => isDateTime(b));
  }
  return {
    list: spec.id,
    manufacturer: profile.manufacturer ?? (ctx.flag ? (flags[ctx.flag] ?? null) : null),
    meterId: trimmedText(roles['meter-id'] ?? id ?? bareId),
    meterTime: clockOf(roles.clock ?? clock ?? bareClock, profile.localClock ?? false),
    model: trimmedText(roles.model ?? model),
    readings,
    unitRule: profile.unitRule ?? null,
  };
}
