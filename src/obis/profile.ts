import type { Data } from '../dlms/axdr.js';
import { parseDateTime, toIso } from '../dlms/datetime.js';
import { numberOf, textOf, type ListContent, type Registers, type Value } from './entries.js';
import { MatchKeyTable, Obis, patternKey } from './obis.js';
import { dlmsUnits, registerOf, registers, UNITLESS } from './registers.js';
import { unitOf, type Quantity, type Reading } from './readings.js';

/** What is known of a frame besides its list: the sender's system title names the manufacturer (FLAG id). */
export interface FrameContext {
  /** The first three letters of the system title ("KAM", "KFM", "LGZ"), or null for frames sent in clear. */
  readonly flag: string | null;
}

/** How a profile recognises its meters; a profile matches when any of its conditions holds. */
export type Condition =
  | { readonly version: string }
  | { readonly flag: string }
  /** The first value without an OBIS code starts with this text ("KFM_001", an "ISK…" meter id). */
  | { readonly firstBare: string }
  | { readonly scaled: true }
  | { readonly described: true }
  /** Each value came with its attribute descriptor (class, OBIS, attribute): Sagemcom XT211. */
  | { readonly descriptors: true }
  | { readonly bareOnly: number }
  | { readonly text: { readonly obis: string; readonly prefix: string } };

/** A value of a list without OBIS codes, by position: a register, or what the meter says of itself. */
export type Position = { readonly obis: string } | { readonly role: 'version' | 'meter-id' | 'model' | 'clock' } | null;

/** A position that holds a register: `obisAt('1-*:1.7.0')`. */
export const obisAt = (obis: string): Position => ({ obis });

export interface ListSpec {
  readonly id: string;
  readonly name: string;
  /** OBIS patterns that must all be present for this list to match. */
  readonly requires?: readonly string[];
  /** For lists of bare values: their number, and what each position holds. */
  readonly positions?: readonly Position[];
}

/**
 * A meter family, as data: adding a meter is adding a table, not a code path. Values with a `{scaler, unit}`
 * in the frame use it; values without use the profile's exponents (Kamstrup sends no scalers: current in
 * 0.01 A, power factor in 0.01) and its energy unit.
 */
export interface Profile {
  readonly id: string;
  readonly manufacturer: string | null;
  readonly match: readonly Condition[];
  readonly lists: readonly ListSpec[];
  /** Where the meter number is, most specific first: OBIS patterns. */
  readonly meterId: readonly string[];
  readonly model?: string;
  readonly clock?: string;
  /** Wh per raw energy unit, for energy registers without a scaler. */
  readonly energyWhPerUnit: number;
  /** raw × 10^exponent, per quantity, for registers without a scaler. */
  readonly exponents: Partial<Record<Quantity, number>>;
  /** Publish registers PowerMeter has no name for, by OBIS code, when the frame gives their unit. */
  readonly generic?: boolean;
  /** The meter's clock is local time even though it states a deviation (Aidon sends 0 all year). */
  readonly localClock?: boolean;
}

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
}

/** Manufacturers by the FLAG id that starts their system titles (DLMS UA FLAG id register). */
export const flags: Readonly<Record<string, string>> = { KAM: 'Kamstrup', KFM: 'Kaifa', LGZ: 'Landis+Gyr', ISK: 'Iskra', SAG: 'Sagemcom', AID: 'Aidon' };

function holds(c: Condition, content: ListContent, ctx: FrameContext): boolean {
  if ('version' in c) return content.version?.startsWith(c.version) ?? false;
  if ('flag' in c) return ctx.flag === c.flag;
  if ('firstBare' in c) return textOf(content.bare[0])?.startsWith(c.firstBare) ?? false;
  if ('scaled' in c) return content.registers.scaled;
  if ('described' in c) return content.described;
  if ('descriptors' in c) return content.descriptors;
  if ('text' in c) return textOf(content.registers.valueOf(patternKey(c.text.obis)))?.startsWith(c.text.prefix) ?? false;
  return content.registers.length === 0 && content.bare.length === c.bareOnly;
}

function listMatches(list: ListSpec, content: ListContent): boolean {
  if (list.positions && list.positions.length !== content.bare.length) return false;
  return (list.requires ?? []).every((o) => content.registers.indexOf(patternKey(o)) >= 0);
}

/** The first profile whose conditions and one of whose lists match; with `only`, that profile alone, whatever its conditions. */
export function findList(profiles: readonly Profile[], content: ListContent, ctx: FrameContext, only?: string): { profile: Profile; list: ListSpec } | null {
  for (const profile of profiles) {
    if (only ? profile.id !== only : !profile.match.some((c) => holds(c, content, ctx))) continue;
    const list = profile.lists.find((l) => listMatches(l, content));
    if (list) return { profile, list };
  }
  return null;
}

/** raw × 10^exp, dividing for negative exponents: 79 / 100 is 0.79, 79 * 0.01 is 0.790000…01. */
function pow10(raw: number, exp: number): number {
  return exp < 0 ? raw / 10 ** -exp : raw * 10 ** exp;
}

/** How a profile reads a register sent without a scaler: energy in its raw unit, others by a power of ten. */
interface Unscaled {
  readonly key: string;
  readonly quantity: Quantity;
  readonly unit: string | null;
  readonly energy: boolean;
  /** 10^|exponent|, and whether to divide by it: worked out here, since Math.pow per value showed in profiles. */
  readonly power: number;
  readonly divide: boolean;
}

/** What a profile looks up in every frame, worked out once per profile rather than for every frame. */
interface Plan {
  readonly unscaled: MatchKeyTable<Unscaled>;
  /** Match keys of the meter-id registers, most specific first. */
  readonly meterId: readonly number[];
  readonly clock: number | null;
  readonly model: number | null;
}

const plans = new WeakMap<Profile, Plan>();

function planOf(profile: Profile): Plan {
  let plan = plans.get(profile);
  if (!plan) {
    const unscaled = new MatchKeyTable(
      registers.map((r) => {
        const energy = r.quantity === 'energy' || r.quantity === 'reactive_energy';
        const exponent = profile.exponents[r.quantity] ?? 0;
        const u: Unscaled = { key: r.key, quantity: r.quantity, unit: unitOf[r.quantity], energy, power: 10 ** Math.abs(exponent), divide: exponent < 0 };
        return [patternKey(r.obis), u] as const;
      }),
    );
    plan = {
      unscaled,
      meterId: profile.meterId.map(patternKey),
      clock: profile.clock ? patternKey(profile.clock) : null,
      model: profile.model ? patternKey(profile.model) : null,
    };
    plans.set(profile, plan);
  }
  return plan;
}

/** What each register of a list is to a profile, by index. */
interface Layout {
  readonly codes: readonly Obis[];
  readonly unscaled: readonly (Unscaled | null)[];
  /** Indices of the meter id (the most specific there is), the clock and the model, or -1. */
  readonly id: number;
  readonly clock: number;
  readonly model: number;
}

/** The last layout a decoder saw with each profile (see `layoutOf`): each decoder keeps its own. */
export type Layouts = Map<Profile, Layout>;

/**
 * The last layout seen with a profile: a meter sends the same registers in the same order in every frame, so
 * the lookups are done once and then only checked, code by code (the codes are shared objects).
 */
function layoutOf(profile: Profile, plan: Plan, registers: Registers, layouts: Layouts): Layout {
  const last = layouts.get(profile);
  if (last && registers.hasCodes(last.codes)) return last;
  const codes: Obis[] = [];
  const unscaled: (Unscaled | null)[] = [];
  let id = -1;
  let idRank = plan.meterId.length;
  let clock = -1;
  let model = -1;
  for (let i = 0; i < registers.length; i++) {
    const o = registers.obis(i);
    codes.push(o);
    unscaled.push(plan.unscaled.get(o.matchKey) ?? null);
    if (o.matchKey === plan.clock) clock = i;
    if (o.matchKey === plan.model) model = i;
    const rank = plan.meterId.indexOf(o.matchKey);
    if (rank >= 0 && rank < idRank) {
      id = i;
      idRank = rank;
    }
  }
  const layout: Layout = { codes, unscaled, id, clock, model };
  layouts.set(profile, layout);
  return layout;
}

/** A value the frame gives its own `{scaler, unit}` for. */
function scaled(o: Obis, raw: number, scaler: number, dlmsUnit: number, profile: Profile): Reading | null {
  const known = registerOf(o);
  const unit = dlmsUnits[dlmsUnit];
  const quantity = known?.quantity ?? (profile.generic ? unit?.quantity : undefined);
  if (!quantity) return null;
  // The frame's own unit must agree with what PowerMeter believes the register is, or the value is not used.
  if (quantity === 'power_factor' ? dlmsUnit !== UNITLESS : unit?.quantity !== quantity) return null;
  const key = known?.key ?? `obis_${o.a}_${o.b}_${o.c}_${o.d}_${o.e}`;
  return { key, obis: o.toString(), quantity, value: round(pow10(raw, scaler) * (unit?.factor ?? 1)), unit: unitOf[quantity] };
}

/** The reading of register `i` of a list, or null when it holds no number or PowerMeter does not know it. */
function reading(registers: Registers, i: number, profile: Profile, plan: Unscaled | null, whPerUnit: number): Reading | null {
  const raw = numberOf(registers.value(i));
  if (raw === null) return null;
  const o = registers.obis(i);
  const scaler = registers.scaler(i);
  const dlmsUnit = registers.unit(i);
  if (dlmsUnit !== undefined && scaler !== undefined) return scaled(o, raw, scaler, dlmsUnit, profile);
  if (!plan) return null;
  // Dividing for negative exponents, as pow10 does: 79 / 100 is 0.79, 79 * 0.01 is 0.790000…01.
  const value = plan.energy ? (raw * whPerUnit) / 1000 : plan.divide ? raw / plan.power : raw * plan.power;
  return { key: plan.key, obis: o.toString(), quantity: plan.quantity, value, unit: plan.unit };
}

/** Keeps 12 significant digits: 2271 × 10⁻¹ is 227.1, not 227.10000000000002. */
function round(x: number): number {
  return Number(x.toPrecision(12));
}

const noRoles: Partial<Record<'version' | 'meter-id' | 'model' | 'clock', Value>> = Object.freeze({});

/** The code a position names (`1-*:32.7.0` as 1-0:32.7.0.255), one object per pattern so that the layout memo holds. */
const positionCodes = new Map<string, Obis>();

function positionCode(pattern: string): Obis {
  let obis = positionCodes.get(pattern);
  if (!obis) {
    const [a, rest] = pattern.split('-*:') as [string, string];
    const [c, d, e] = rest.split('.').map(Number) as [number, number, number];
    positionCodes.set(pattern, (obis = new Obis(Number(a), 0, c, d, e, 255)));
  }
  return obis;
}

/** Bare values become registers by their position, so that one mapping serves every list shape. */
function positional(list: ListSpec, content: ListContent): { registers: Registers; roles: Partial<Record<'version' | 'meter-id' | 'model' | 'clock', Value>> } {
  if (!list.positions) return { registers: content.registers, roles: noRoles };
  const roles: Partial<Record<'version' | 'meter-id' | 'model' | 'clock', Value>> = {};
  const registers = content.registers.copy();
  list.positions.forEach((p, i) => {
    const value = content.bare[i]!;
    if (p === null) return;
    if ('role' in p) roles[p.role] = value;
    else {
      registers.set(positionCode(p.obis), value);
    }
  });
  return { registers, roles };
}

function dateTimeOf(d: Value | undefined) {
  return typeof d === 'object' && (d.type === 'octet-string' || d.type === 'date-time') ? parseDateTime(d.value) : null;
}

function clockOf(d: Value | undefined, local: boolean): string | null {
  const t = dateTimeOf(d);
  return t ? toIso(local ? { ...t, deviation: null } : t) : null;
}

/** Maps a list's registers to readings. A field the frame does not carry is absent, never 0. */
export function applyProfile(profile: Profile, list: ListSpec, content: ListContent, ctx: FrameContext, options: ProfileOptions, layouts: Layouts = new Map()): Mapped {
  const whPerUnit = options.energyMultiplier ?? profile.energyWhPerUnit;
  const plan = planOf(profile);
  const { registers, roles } = positional(list, content);
  const layout = layoutOf(profile, plan, registers, layouts);
  const readings: Reading[] = [];
  for (let i = 0; i < registers.length; i++) {
    const r = reading(registers, i, profile, layout.unscaled[i] ?? null, whPerUnit);
    if (r) readings.push(r);
  }
  const id = layout.id >= 0 ? registers.value(layout.id) : undefined;
  const clock = layout.clock >= 0 ? registers.value(layout.clock) : undefined;
  const model = layout.model >= 0 ? registers.value(layout.model) : undefined;
  let bareId: Value | undefined;
  let bareClock: Data | undefined;
  if (!list.positions && content.bare.length > 0) {
    // A bare text at the end of a scaled list is the meter id (Sagemcom T210-D).
    const lastBare = content.bare.at(-1);
    bareId = (lastBare?.type === 'octet-string' || lastBare?.type === 'visible-string') && !dateTimeOf(lastBare) ? lastBare : undefined;
    bareClock = content.bare.find((b) => dateTimeOf(b) !== null);
  }
  return {
    list: list.id,
    manufacturer: profile.manufacturer ?? (ctx.flag ? (flags[ctx.flag] ?? null) : null),
    meterId: trimmedText(roles['meter-id'] ?? id ?? bareId),
    meterTime: clockOf(roles.clock ?? clock ?? bareClock, profile.localClock ?? false),
    model: trimmedText(roles.model ?? model),
    readings,
  };
}

function trimmedText(d: Value | undefined): string | null {
  return textOf(d)?.trim() || null;
}
