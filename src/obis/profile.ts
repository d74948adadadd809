import { isNumeric } from '../dlms/axdr.js';
import { parseDateTime, toIso } from '../dlms/datetime.js';
import type { ListContent } from './entries.js';
import { textOf } from './entries.js';
import { patternKey } from './obis.js';
import { unitOf, type Quantity, type Reading } from './readings.js';

/** One reading of a list: where it is (`1-*:1.8.0`: A, C, D, E) and how raw becomes engineering units. */
export interface FieldSpec {
  readonly key: string;
  readonly obis: string;
  readonly quantity: Quantity;
  /** raw × 10^exponent, for lists that send no scaler. Energy instead uses the energy multiplier. */
  readonly exponent?: number;
}

export interface ListSpec {
  readonly id: string;
  readonly name: string;
  /** OBIS patterns that must all be present for this list to match. */
  readonly requires: readonly string[];
}

/** A meter family's lists, as data: adding a meter is adding a table, not a code path. */
export interface Profile {
  readonly id: string;
  readonly manufacturer: string;
  /** Prefix of the list-version string that identifies the family. */
  readonly versionPrefix: string;
  readonly lists: readonly ListSpec[];
  /** Where the meter number is, most specific first. */
  readonly meterId: readonly string[];
  readonly model?: string;
  readonly clock?: string;
  /** Wh per raw energy unit when the list sends no scaler. */
  readonly energyWhPerUnit: number;
  readonly fields: readonly FieldSpec[];
}

export interface ProfileOptions {
  /** Overrides the profile's Wh per raw energy unit (some Swedish Kamstrup meters send plain Wh). */
  readonly energyMultiplier?: number | undefined;
}

export interface Mapped {
  readonly list: string;
  readonly manufacturer: string;
  readonly meterId: string | null;
  readonly meterTime: string | null;
  readonly model: string | null;
  readonly readings: Reading[];
}

export function findList(profiles: readonly Profile[], content: ListContent): { profile: Profile; list: ListSpec } | null {
  for (const profile of profiles) {
    if (content.version === null || !content.version.startsWith(profile.versionPrefix)) continue;
    const list = profile.lists.find((l) => l.requires.every((o) => content.entries.has(patternKey(o))));
    if (list) return { profile, list };
  }
  return null;
}

interface Compiled {
  readonly fieldKeys: readonly number[];
  readonly meterIdKeys: readonly number[];
  readonly modelKey: number | undefined;
  readonly clockKey: number | undefined;
}

const compiledProfiles = new WeakMap<Profile, Compiled>();

/** Profiles are written with readable OBIS patterns; frames are matched on numbers, computed once per profile. */
function compile(profile: Profile): Compiled {
  let c = compiledProfiles.get(profile);
  if (!c) {
    c = {
      fieldKeys: profile.fields.map((f) => patternKey(f.obis)),
      meterIdKeys: profile.meterId.map(patternKey),
      modelKey: profile.model === undefined ? undefined : patternKey(profile.model),
      clockKey: profile.clock === undefined ? undefined : patternKey(profile.clock),
    };
    compiledProfiles.set(profile, c);
  }
  return c;
}

function scale(raw: number, spec: FieldSpec, whPerUnit: number): number {
  if (spec.quantity === 'energy' || spec.quantity === 'reactive_energy') return (raw * whPerUnit) / 1000;
  const exp = spec.exponent ?? 0;
  // Divide by a power of ten rather than multiply by 0.01: 79 / 100 is 0.79, 79 * 0.01 is 0.790000…01.
  return exp < 0 ? raw / 10 ** -exp : raw * 10 ** exp;
}

/** Maps a list's entries to readings. A field the frame does not carry is absent, never 0. */
export function applyProfile(profile: Profile, list: ListSpec, content: ListContent, options: ProfileOptions): Mapped {
  const whPerUnit = options.energyMultiplier ?? profile.energyWhPerUnit;
  const compiled = compile(profile);
  const readings: Reading[] = [];
  for (let i = 0; i < profile.fields.length; i++) {
    const spec = profile.fields[i]!;
    const entry = content.entries.get(compiled.fieldKeys[i]!);
    if (!entry || !isNumeric(entry.value)) continue;
    readings.push({
      key: spec.key,
      obis: entry.obis.toString(),
      quantity: spec.quantity,
      value: scale(entry.value.value, spec, whPerUnit),
      unit: unitOf[spec.quantity],
    });
  }
  const idEntry = compiled.meterIdKeys.map((k) => content.entries.get(k)).find((e) => e !== undefined);
  const clock = compiled.clockKey === undefined ? undefined : content.entries.get(compiled.clockKey)?.value;
  const time = clock?.type === 'octet-string' || clock?.type === 'date-time' ? parseDateTime(clock.value) : null;
  return {
    list: list.id,
    manufacturer: profile.manufacturer,
    meterId: textOf(idEntry?.value)?.trim() || null,
    meterTime: time ? toIso(time) : null,
    model: compiled.modelKey === undefined ? null : textOf(content.entries.get(compiled.modelKey)?.value)?.trim() || null,
    readings,
  };
}
