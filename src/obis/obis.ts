/**
 * OBIS code (IEC 62056-61) `A-B:C.D.E.F`. Meters disagree on B (Kamstrup sends 1-1:1.8.0, Aidon and Kaifa
 * 1-0:1.8.0 for the same register) and F is always 255 in pushes, so lists are matched on A, C, D and E.
 */
export class Obis {
  /** The identity used to match lists (A, C, D, E), as a number: looked up for every value of every frame. */
  readonly matchKey: number;

  constructor(
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly d: number,
    readonly e: number,
    readonly f: number,
  ) {
    this.matchKey = matchKey(a, c, d, e);
  }

  static fromBytes(b: Uint8Array): Obis {
    if (b.length !== 6) throw new RangeError(`an OBIS code has 6 bytes, not ${b.length}`);
    return Obis.at(b, 0);
  }

  /** The OBIS code in the six bytes at `at`. */
  static at(buf: Uint8Array, at: number): Obis {
    return new Obis(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!, buf[at + 4]!, buf[at + 5]!);
  }

  /** Parses `1-1:1.8.0.255` (F optional). */
  static parse(text: string): Obis {
    const m = /^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text);
    if (!m) throw new RangeError(`not an OBIS code: ${text}`);
    const [a, b, c, d, e, f] = m.slice(1).map((x) => (x === undefined ? 255 : Number(x)));
    return new Obis(a!, b!, c!, d!, e!, f!);
  }

  private text: string | undefined;

  toString(): string {
    return (this.text ??= `${this.a}-${this.b}:${this.c}.${this.d}.${this.e}.${this.f}`);
  }

}

/**
 * The codes one decoder has met, direct-mapped by a hash: a meter repeats the same 30-odd codes every 10 s, so they
 * are shared, not rebuilt, and each finds its slot in one step (a Map lookup per code cost a quarter of reading a
 * list). A colliding code simply takes the slot over, so hostile input cannot grow it.
 */
export class ObisTable {
  private static readonly BITS = 10;
  private readonly slots = new Array<Obis | undefined>(1 << ObisTable.BITS).fill(undefined);

  /** The OBIS code in the six bytes at `at`, read in place: a push list holds ~30 of them, every frame. */
  at(buf: Uint8Array, at: number): Obis {
    const a = buf[at]!;
    const b = buf[at + 1]!;
    const c = buf[at + 2]!;
    const d = buf[at + 3]!;
    const e = buf[at + 4]!;
    const f = buf[at + 5]!;
    const key = matchKey(a, c, d, e);
    const slot = Math.imul(key ^ (b << 5) ^ (f << 11), 0x9e3779b1) >>> (32 - ObisTable.BITS);
    const known = this.slots[slot];
    if (known !== undefined && known.matchKey === key && known.b === b && known.f === f) return known;
    return (this.slots[slot] = new Obis(a, b, c, d, e, f));
  }

  fromBytes(b: Uint8Array): Obis {
    if (b.length !== 6) throw new RangeError(`an OBIS code has 6 bytes, not ${b.length}`);
    return this.at(b, 0);
  }
}

function matchKey(a: number, c: number, d: number, e: number): number {
  return ((a << 24) | (c << 16) | (d << 8) | e) >>> 0;
}

const patterns = new Map<string, number>();

/** The match key of a profile pattern such as `1-*:1.8.0` (B is a wildcard, F is not written). */
export function patternKey(pattern: string): number {
  let key = patterns.get(pattern);
  if (key === undefined) {
    const m = /^(\d{1,3})-\*:(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(pattern);
    if (!m) throw new RangeError(`not an OBIS pattern: ${pattern} (expected A-*:C.D.E)`);
    key = matchKey(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
    patterns.set(pattern, key);
  }
  return key;
}

/**
 * A fixed set of values by OBIS match key, for the per-value lookups of every frame: open addressing over a
 * power-of-two array finds a key in a step or two, where a Map lookup cost a third of mapping a list.
 */
export class MatchKeyTable<T> {
  private readonly keys: Int32Array;
  private readonly values: (T | undefined)[];
  private readonly mask: number;

  constructor(entries: Iterable<readonly [number, T]>) {
    const list = [...entries];
    let size = 16;
    while (size < list.length * 4) size *= 2;
    this.mask = size - 1;
    this.keys = new Int32Array(size);
    this.values = new Array<T | undefined>(size).fill(undefined);
    for (const [key, value] of list) {
      let slot = this.slotOf(key);
      while (this.values[slot] !== undefined && this.keys[slot] !== (key | 0)) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.values[slot] = value;
    }
  }

  private slotOf(key: number): number {
    return (Math.imul(key, 0x9e3779b1) >>> 16) & this.mask;
  }

  get(key: number): T | undefined {
    const k = key | 0;
    for (let slot = this.slotOf(key); ; slot = (slot + 1) & this.mask) {
      const value = this.values[slot];
      if (value === undefined || this.keys[slot] === k) return value;
    }
  }
}
