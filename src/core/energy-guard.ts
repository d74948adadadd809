/**
 * Keeps impossible energy totals off the Energy dashboard without ever locking a meter out.
 *
 * Home Assistant books any decrease of a `total_increasing` sensor as a meter reset, and any jump as consumption
 * (`sensor/recorder.py`): one bogus value is a spike of thousands of kWh in the statistics. So a total is published
 * only when it is plausible against the last accepted one: not lower, and not higher than the meter could deliver in
 * the time between the two. A frame that is not is held back (neither published nor the new baseline). When the
 * frames that follow confirm its level (a meter replaced or reset, an energy multiplier changed) the level is
 * accepted, with a warning, instead of refusing the meter forever.
 */

/**
 * The most power a metered connection can draw or feed: 2 MW, three phases of 230 V at 2 900 A. A household's main
 * fuse is at most a few hundred amperes, and a current-transformer meter of a small business a few thousand: this
 * bound is generous on purpose. A register may therefore rise by at most this power times the time elapsed.
 */
export const MAX_POWER_KW = 2000;
/** Added to every allowance: a register's last digit (10 Wh for Kamstrup) and clocks read to the second. */
export const SLACK_KWH = 1;
/** A level that contradicts the baseline is accepted once this many consecutive frames agree with it. */
export const CONFIRM_FRAMES = 3;

/** One accepted (or held) total: its value in kWh or kvarh, when it arrived, and the meter's clock then. */
export interface Sample {
  readonly value: number;
  /** Arrival time, ms since the epoch. */
  readonly at: number;
  /** The meter's own clock as an instant, ms; null for lists without a clock. */
  readonly clock: number | null;
}

/**
 * How far the arrival time may lag the meter's clock between two frames: a bridge that buffered frames while its
 * Wi-Fi was away delivers them at once, with their clocks still 10 s apart.
 */
export const ARRIVAL_TOLERANCE_MS = 60_000;

/**
 * Seconds between two samples, as the smaller of the meter's own clock and what the service saw (arrival, plus a
 * tolerance): simulators and replayed captures send frames 10 to 100 times faster than a meter does, so arrival
 * alone would make real consumption look too fast; and a meter clock that jumps (a year ahead, or back from
 * 2000-01-01) must not widen the allowance, which the arrival times bound. A local meter clock goes back an hour
 * when daylight saving ends: time that runs backwards counts as none. A clock the caller found far from the host's
 * comes as null and is not used.
 */
export function elapsedSeconds(from: Sample, to: Sample): number {
  const arrival = to.at - from.at;
  const ms = from.clock !== null && to.clock !== null ? Math.min(to.clock - from.clock, arrival + ARRIVAL_TOLERANCE_MS) : arrival;
  return Math.max(0, ms) / 1000;
}

/** The largest rise of a total from `from` to `to` that the meter could physically deliver. */
export function allowedRise(from: Sample, to: Sample): number {
  return (MAX_POWER_KW * elapsedSeconds(from, to)) / 3600 + SLACK_KWH;
}

export type Implausibility = { readonly key: string; readonly from: number; readonly to: number; readonly kind: 'decrease' | 'jump' };

/** Why `to` cannot follow `from`, or null when it can. */
export function implausibility(key: string, from: Sample, to: Sample): Implausibility | null {
  const rise = to.value - from.value;
  if (rise < 0) return { key, from: from.value, to: to.value, kind: 'decrease' };
  // Within the slack whatever the time (the allowance is never less): the usual rise of a frame, at no cost of working
  // out the time between the two, which under --jitless allocated a number for each step (issue #30).
  if (rise <= SLACK_KWH) return null;
  if (rise > allowedRise(from, to)) return { key, from: from.value, to: to.value, kind: 'jump' };
  return null;
}

export type Verdict =
  | { readonly kind: 'accept' }
  /** Held back: not published, not a baseline; `first` is true for the frame that started an episode. */
  | { readonly kind: 'hold'; readonly why: Implausibility; readonly first: boolean }
  /** The held level was confirmed by the frames that followed: accepted as the meter's new level. */
  | { readonly kind: 'confirm'; readonly why: Implausibility };

const ACCEPT: Verdict = Object.freeze({ kind: 'accept' });

/** A level that contradicted the baseline, and how many consecutive frames have agreed with it. */
interface Candidate {
  readonly totals: ReadonlyMap<string, Sample>;
  readonly why: Implausibility;
  readonly frames: number;
}

/**
 * The guard of one meter. It holds no totals of its own: the baseline is the meter's last accepted values, which the
 * caller passes in (the meter record is the one place where they live). It remembers only a held level.
 */
export class EnergyGuard {
  private candidate: Candidate | null = null;

  /** True while a level is held back. */
  get holding(): boolean {
    return this.candidate !== null;
  }

  /**
   * Judges a frame's totals against the baseline. Registers the baseline does not know yet (a meter's first frame,
   * a register that a list sends only hourly) are plausible by definition.
   */
  check(baseline: (key: string) => Sample | undefined, totals: ReadonlyMap<string, Sample>): Verdict {
    const why = firstImplausible(baseline, totals);
    if (why === null) {
      this.candidate = null;
      return ACCEPT;
    }
    const held = this.candidate;
    if (held !== null && firstImplausible((key) => held.totals.get(key) ?? baseline(key), totals) === null) {
      if (held.frames + 1 >= CONFIRM_FRAMES) {
        this.candidate = null;
        return { kind: 'confirm', why: held.why };
      }
      this.candidate = { totals: merge(held.totals, totals), why: held.why, frames: held.frames + 1 };
      return { kind: 'hold', why, first: false };
    }
    this.candidate = { totals, why, frames: 1 };
    return { kind: 'hold', why, first: held === null };
  }
}

function firstImplausible(baseline: (key: string) => Sample | undefined, totals: ReadonlyMap<string, Sample>): Implausibility | null {
  // forEach, not for-of over entries: under --jitless each entry was an iterator result and an array (issue #30).
  let first: Implausibility | null = null;
  totals.forEach((sample, key) => {
    if (first !== null) return;
    const before = baseline(key);
    if (before !== undefined) first = implausibility(key, before, sample);
  });
  return first;
}

function merge(older: ReadonlyMap<string, Sample>, newer: ReadonlyMap<string, Sample>): Map<string, Sample> {
  const out = new Map(older);
  for (const [k, v] of newer) out.set(k, v);
  return out;
}
