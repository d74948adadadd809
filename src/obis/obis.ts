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

  /** OBIS codes are immutable and a meter repeats the same few every 10 s: they are shared, not rebuilt. */
  static fromBytes(b: Uint8Array): Obis {
    if (b.length !== 6) throw new RangeError(`an OBIS code has 6 bytes, not ${b.length}`);
    const id = b[0]! * 2 ** 40 + b[1]! * 2 ** 32 + (((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0);
    let obis = shared.get(id);
    if (!obis) {
      obis = new Obis(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
      if (shared.size >= SHARED_MAX) shared.clear(); // hostile input cannot grow it without bound
      shared.set(id, obis);
    }
    return obis;
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

const shared = new Map<number, Obis>();
const SHARED_MAX = 4096;

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
