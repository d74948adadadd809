/**
 * The time the energy periods are kept by: the host's clock, except that it never steps back under them. When the
 * host clock is set back (by hand, or a bad NTP answer), the open period stays open until the clock passes it again,
 * and what the meter counts meanwhile is booked in it: nothing counted is dropped, and no period is closed twice.
 * Said once per step back, with how far (the shell's clock smooths a forward excursion; see service/host-clock.ts).
 */
export class PeriodClock {
  private high: number;

  constructor(
    /** The latest time already used for the periods (the saved state's time, for a clock set back across a restart). */
    since: number,
  ) {
    this.high = since;
  }

  /** The periods' time for an event at `at`; `behindMs` is how far the host clock is behind (0 when it is not). */
  time(at: number): { readonly at: number; readonly behindMs: number } {
    if (at >= this.high) {
      this.high = at;
      return { at, behindMs: 0 };
    }
    return { at: this.high, behindMs: this.high - at };
  }
}

/** "2 h 5 min", "40 s": how far a clock is off. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.round(h / 24)} days`;
}
