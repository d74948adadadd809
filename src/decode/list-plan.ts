import { ARRAY, ENUM, OCTET_STRING, Reader, STRUCTURE } from '../dlms/axdr.js';
import { matchKeyOf } from '../dlms/obis.js';
import type { PushList } from '../dlms/push-list.js';
import { clockOf, valueOf, type Mapped, type MappingTrace } from '../obis/mapping.js';
import type { Profile } from '../obis/profile.js';
import type { Reading } from '../obis/readings.js';

/**
 * A meter sends the same list every time: the same registers in the same order, with the same types, only their
 * numbers and its clock changing. A list plan is what the mapping of one frame found (decoder.ts), kept per stream:
 * the body's bytes with the places of the numbers and of the clock cut out, and for each number the reading it
 * becomes. A next frame whose body is byte for byte the same outside those places is the same list, parsed the same
 * way (A-XDR's structure is in its tags and lengths, none of which is in a cut-out place), matched to the same
 * profile and list (their conditions read the list's version, the OBIS codes, the texts and the system title's
 * FLAG, never a number), so its readings are the plan's with the new numbers: the push list's reader, the profile's
 * matching and its mapping are left out, which under the add-on's --jitless was a fifth of a frame's CPU (issue #30).
 * A frame that differs anywhere else is mapped the whole way, and its mapping makes the next plan.
 *
 * Only the common shape is planned: a structure or array of OBIS/value pairs (a version text may come first), the
 * values numbers, texts, octet strings or a clock (Kamstrup, and the pairs of Landis+Gyr, Kaifa, Sagemcom T210-D,
 * each value's `{scaler, unit}` kept as it was). Lists of bare values, of register structures, capture-object lists
 * and attribute lists are always mapped the whole way.
 */

/** The numeric A-XDR types a plan reads in place, by tag: their payload's length (Green Book "Data" CHOICE). */
const NUMBER_BYTES: Readonly<Record<number, number>> = { 0x05: 4, 0x06: 4, 0x0f: 1, 0x10: 2, 0x11: 1, 0x12: 2, [ENUM]: 1 };
/** A clock sent as an octet string of 12 bytes (09 0C) or as a date-time (19). */
const DATE_TIME = 0x19;
const VISIBLE_STRING = 0x0a;

/** Whole mappings in a row, none of whose plans fitted the next frame, after which a stream is no longer planned. */
const GIVE_UP_AFTER = 4;

/** A reading without its value, and how its value is made (mapping.ts `valueOf`). */
interface Shape {
  readonly key: string;
  readonly obis: string;
  readonly quantity: Reading['quantity'];
  readonly unit: string | null;
  readonly kind: number;
  readonly n: number;
  readonly factor: number;
}

class ListPlan {
  /** The body as the plan was made from it, its numbers' and clock's bytes zeroed. */
  private readonly template: Buffer;
  /** A frame's body, copied to be compared with the template once its cut-out places are zeroed. */
  private readonly scratch: Buffer;
  /** The push list's own reader over the copy: a number is read as the whole mapping reads it (axdr.ts Reader.value). */
  private readonly reader: Reader;

  constructor(
    readonly flag: string | null,
    body: Uint8Array,
    /** Where each number starts in the body (its tag), its tag, and its reading's shape (in reading order). */
    private readonly numberAt: Int32Array,
    private readonly numberTag: Uint8Array,
    private readonly shapes: readonly Shape[],
    /** Where the clock's 12 bytes start in the body; -1 when the meter's time is not read from the list's clock. */
    private readonly clockAt: number,
    private readonly localClock: boolean,
    /** What the list says of itself: the same for every frame of the plan (meterTime too when there is no clock place). */
    private readonly fixed: Omit<Mapped, 'readings'>,
  ) {
    this.template = Buffer.from(body);
    this.scratch = Buffer.alloc(body.length);
    this.reader = new Reader(this.scratch, 0);
    for (let i = 0; i < numberAt.length; i++) this.template.fill(0, numberAt[i]! + 1, numberAt[i]! + 1 + NUMBER_BYTES[numberTag[i]!]!);
    if (clockAt >= 0) this.template.fill(0, clockAt, clockAt + 12);
  }

  /** The mapping of a body (at `at` in `plain`) this plan fits, or null. */
  read(plain: Uint8Array, at: number, flag: string | null): Mapped | null {
    const length = plain.length - at;
    if (flag !== this.flag || length !== this.template.length) return null;
    const s = this.scratch;
    s.set(new Uint8Array(plain.buffer, plain.byteOffset + at, length));
    const readings: Reading[] = new Array<Reading>(this.shapes.length);
    // Indexed, not for-of: under --jitless each step of an iterator allocates its result (issue #30).
    for (let i = 0; i < readings.length; i++) {
      const p = this.numberAt[i]!;
      const tag = this.numberTag[i]!;
      // Another type here is another list (the template's tag): read only what is known to be a number of this size.
      if (s[p] !== tag) return null;
      this.reader.pos = p;
      const raw = this.reader.value(1);
      if (typeof raw !== 'number') return null;
      const shape = this.shapes[i]!;
      readings[i] = { key: shape.key, obis: shape.obis, quantity: shape.quantity, value: valueOf(raw, shape.kind, shape.n, shape.factor), unit: shape.unit };
      for (let k = NUMBER_BYTES[tag]!; k >= 1; k--) s[p + k] = 0;
    }
    let meterTime = this.fixed.meterTime;
    const c = this.clockAt;
    if (c >= 0) {
      meterTime = clockOf({ type: 'octet-string', value: new Uint8Array(plain.buffer, plain.byteOffset + at + c, 12) }, this.localClock);
      for (let k = 0; k < 12; k++) s[c + k] = 0;
    }
    if (!s.equals(this.template)) return null;
    const f = this.fixed;
    return { list: f.list, manufacturer: f.manufacturer, meterId: f.meterId, meterTime, model: f.model, readings, unitRule: f.unitRule };
  }
}

/** What the whole mapping of a frame gives a plan: the list, where its values were, the mapping and its trace. */
export interface Mapping {
  readonly plain: Uint8Array;
  readonly bodyAt: number;
  readonly flag: string | null;
  readonly list: PushList;
  readonly valueAt: readonly number[];
  readonly trace: MappingTrace;
  readonly mapped: Mapped;
  readonly profile: Profile;
  readonly profiles: readonly Profile[];
}

/** A plan from a frame's whole mapping, or null when the list is not of the planned shape. */
function planOf(m: Mapping): ListPlan | null {
  const { plain, bodyAt, list, valueAt, trace, mapped, profile } = m;
  // A structure or array of fewer than 128 elements, whose first is an OBIS code or a text: never an attribute list or a
  // capture-object list (push-list.ts), whichever numbers follow.
  const b = plain;
  if ((b[bodyAt] !== STRUCTURE && b[bodyAt] !== ARRAY) || b[bodyAt + 1]! >= 0x80 || (b[bodyAt + 2] !== OCTET_STRING && b[bodyAt + 2] !== VISIBLE_STRING)) return null;
  if (list.bare.length > 0 || list.described || list.descriptors || valueAt.length !== list.registers.length) return null;
  const t = trace.readings;
  if (t.length / 4 !== mapped.readings.length) return null; // a register sent twice: read once, where it first came
  // Registers whose text a profile's condition reads, or that name the meter, its model or its clock, are never cut out.
  const kept = new Set<number>(profile.meterId.map(matchKeyOf));
  if (profile.model) kept.add(matchKeyOf(profile.model));
  if (profile.clock) kept.add(matchKeyOf(profile.clock));
  for (const p of m.profiles) for (const c of p.match) if ('text' in c) kept.add(matchKeyOf(c.text.obis));
  const count = mapped.readings.length;
  const numberAtBody = new Int32Array(count);
  const numberTag = new Uint8Array(count);
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const register = list.registers[t[4 * i]!]!;
    const at = valueAt[t[4 * i]!]!;
    const tag = at >= 0 ? b[at]! : -1;
    if (NUMBER_BYTES[tag] === undefined || kept.has(register.obis.matchKey)) return null;
    const r = mapped.readings[i]!;
    numberAtBody[i] = at - bodyAt;
    numberTag[i] = tag;
    shapes.push({ key: r.key, obis: r.obis, quantity: r.quantity, unit: r.unit, kind: t[4 * i + 1]!, n: t[4 * i + 2]!, factor: t[4 * i + 3]! });
  }
  let clockAt = -1;
  if (trace.clock >= 0) {
    const at = valueAt[trace.clock]!;
    if (at >= 0 && b[at] === OCTET_STRING && b[at + 1] === 12) clockAt = at + 2 - bodyAt;
    else if (at >= 0 && b[at] === DATE_TIME) clockAt = at + 1 - bodyAt;
    // Any other clock value is kept whole: it is the same in every frame of the plan.
  }
  const fixed = { list: mapped.list, manufacturer: mapped.manufacturer, meterId: mapped.meterId, meterTime: mapped.meterTime, model: mapped.model, unitRule: mapped.unitRule };
  return new ListPlan(m.flag, new Uint8Array(plain.buffer, plain.byteOffset + bodyAt, plain.length - bodyAt), numberAtBody, numberTag, shapes, clockAt, profile.localClock ?? false, fixed);
}

const sameReading = (a: Reading, b: Reading): boolean => a.key === b.key && a.obis === b.obis && a.quantity === b.quantity && Object.is(a.value, b.value) && a.unit === b.unit;

/** Whether a plan reads its own frame as the whole mapping did: a plan that would not is never used. */
function agrees(x: Mapped, y: Mapped): boolean {
  if (x.list !== y.list || x.manufacturer !== y.manufacturer || x.meterId !== y.meterId || x.meterTime !== y.meterTime || x.model !== y.model || x.unitRule !== y.unitRule) return false;
  if (x.readings.length !== y.readings.length) return false;
  for (let i = 0; i < x.readings.length; i++) if (!sameReading(x.readings[i]!, y.readings[i]!)) return false;
  return true;
}

/**
 * A stream's list plan (one Decoder, one stream): read first, made again from the whole mapping of each frame it did
 * not fit. A stream none of whose last few plans fitted the frame after it (two meters taking turns, a list of another
 * shape) stops planning: its frames are mapped the whole way, as before plans.
 */
export class ListPlans {
  private plan: ListPlan | null = null;
  /** Whole mappings since a frame last fitted a plan. */
  private misses = 0;
  /** Frames read through a plan, over the stream's life. */
  planned = 0;

  /** Whether the next whole mapping is to be traced and made a plan of. */
  get learning(): boolean {
    return this.misses < GIVE_UP_AFTER;
  }

  read(plain: Uint8Array, bodyAt: number, flag: string | null): Mapped | null {
    const mapped = this.plan === null ? null : this.plan.read(plain, bodyAt, flag);
    if (mapped !== null) {
      this.planned++;
      this.misses = 0;
    }
    return mapped;
  }

  learn(m: Mapping): void {
    this.misses++;
    const plan = planOf(m);
    // A plan must read its own frame as the whole mapping did, or it is never used.
    const check = plan === null ? null : plan.read(m.plain, m.bodyAt, m.flag);
    this.plan = check !== null && agrees(check, m.mapped) ? plan : null;
  }
}
