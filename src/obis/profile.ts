import { numberOf, registerAt, textOf, type PushList, type Value } from '../dlms/push-list.js';
import { parseDateTime } from '../dlms/datetime.js';
import { matchKeyOf } from '../dlms/obis.js';
import type { Quantity } from './readings.js';

/**
 * A meter family as data: adding a meter is adding a table (see CONTRIBUTING.md, "Adding a meter"), not a code path.
 * This file holds the tables' types and how a frame's list is matched to one; `mapping.ts` turns the list into
 * readings.
 */

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
  /** Exactly this many values, none with an OBIS code. */
  | { readonly bareOnly: number }
  | { readonly text: { readonly obis: string; readonly prefix: string } };

export type Role = 'version' | 'meter-id' | 'model' | 'clock';

/**
 * A value of a list without OBIS codes, by position: a register (it must hold a number), what the meter says of
 * itself (text; the clock a date-time), or a value PowerMeter does not publish, with the reason (`skip`); its `kind`,
 * when given, is what the value must still be (text), which tells two lists of one length apart.
 */
export type Position = { readonly obis: string } | { readonly role: Role } | { readonly skip: string; readonly kind?: 'text' };

/** A position that holds a register: `obisAt('1-*:1.7.0')`. */
export const obisAt = (obis: string): Position => ({ obis });
/** A value read past, whatever it holds, and why it is not published. */
export const skip = (why: string): Position => ({ skip: why });
/** A text PowerMeter does not use (another id, a tariff name), and why: read past, but the list must hold text there. */
export const unusedText = (why: string): Position => ({ skip: why, kind: 'text' });

export interface ListSpec {
  readonly id: string;
  readonly name: string;
  /** OBIS patterns that must all be present for this list to match. */
  readonly requires?: readonly string[];
  /** For lists of bare values: what each position holds; the list must have exactly this many. */
  readonly positions?: readonly Position[];
}

/**
 * Values with a `{scaler, unit}` in the frame use it; values without use the profile's exponents (Kamstrup sends no
 * scalers: current in 0.01 A, power factor in 0.01) and its energy unit.
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
  /**
   * Where the units of values sent without a scaler come from a rule rather than the list's published
   * specification (the standard unit of an OBIS code whose quantity is unambiguous, another reader's reading): the
   * rule, which the service says once per meter so that a user whose display disagrees knows what to report.
   */
  readonly unitRule?: string;
  /**
   * Registers this profile's lists send by OBIS code that are neither published nor the meter id, model or clock, by
   * OBIS pattern, with the reason (test/every-register.test.ts holds every register of every capture to one or the other).
   */
  readonly skipped?: Readonly<Record<string, string>>;
}

/** Manufacturers by the FLAG id that starts their system titles (DLMS UA FLAG id register). */
export const flags: Readonly<Record<string, string>> = { KAM: 'Kamstrup', KFM: 'Kaifa', LGZ: 'Landis+Gyr', ISK: 'Iskraemeco', SAG: 'Sagemcom', AID: 'Aidon', SMS: 'Siemens' };

const isText = (d: Value | undefined): boolean => typeof d === 'object' && (d.type === 'octet-string' || d.type === 'visible-string' || d.type === 'utf8-string');

export function isDateTime(d: Value | undefined): d is { type: 'octet-string' | 'date-time'; value: Uint8Array } {
  return typeof d === 'object' && (d.type === 'octet-string' || d.type === 'date-time') && parseDateTime(d.value) !== null;
}

/** Whether a value is of the kind its position says. */
function fits(p: Position, d: Value): boolean {
  if ('obis' in p) return numberOf(d) !== null;
  if ('skip' in p) return p.kind === undefined || isText(d);
  return p.role === 'clock' ? isDateTime(d) : isText(d);
}

function holds(c: Condition, list: PushList, ctx: FrameContext): boolean {
  if ('version' in c) return list.version?.startsWith(c.version) ?? false;
  if ('flag' in c) return ctx.flag === c.flag;
  if ('firstBare' in c) return textOf(list.bare[0])?.startsWith(c.firstBare) ?? false;
  if ('scaled' in c) return list.registers.some((r) => r.unit !== undefined);
  if ('described' in c) return list.described;
  if ('descriptors' in c) return list.descriptors;
  if ('text' in c) return textOf(registerAt(list.registers, matchKeyOf(c.text.obis))?.value)?.startsWith(c.text.prefix) ?? false;
  return list.registers.length === 0 && list.bare.length === c.bareOnly;
}

function listMatches(spec: ListSpec, list: PushList): boolean {
  if (spec.positions && (spec.positions.length !== list.bare.length || !spec.positions.every((p, i) => fits(p, list.bare[i]!)))) return false;
  for (const o of spec.requires ?? []) if (registerAt(list.registers, matchKeyOf(o)) === undefined) return false;
  return true;
}

/** The first profile whose conditions and one of whose lists match; with `only`, that profile alone, whatever its conditions. */
export function findList(profiles: readonly Profile[], list: PushList, ctx: FrameContext, only?: string): { profile: Profile; spec: ListSpec } | null {
  for (const profile of profiles) {
    if (only ? profile.id !== only : !profile.match.some((c) => holds(c, list, ctx))) continue;
    const spec = profile.lists.find((l) => listMatches(l, list));
    if (spec) return { profile, spec };
  }
  return null;
}
