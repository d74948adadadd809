import { Accounting } from '../accounting/accounting.js';
import { accountedRegisters } from '../ha/discovery.js';
import type { Reading } from '../obis/readings.js';
import type { Meter } from './meter.js';
import { recordClosed } from './history.js';
import type { Outbox } from './outbox.js';
import { duration, PeriodClock } from './period-clock.js';

/**
 * Each meter's energy per hour, day and month (accounting.ts), kept by the periods' own clock, which never steps back
 * under them (period-clock.ts): a host clock set back is said once, and its time booked in the open period. Each hour
 * and day that closes goes on into the meter's history (history.ts).
 */
export class Periods {
  readonly accounting: Accounting;
  private readonly clock: PeriodClock;

  constructor(
    timeZone: string,
    /** The shortest silence that counts as a gap. */
    minGapMs: number,
    /** The time the saved state was written: a clock set back across a restart is caught too. */
    savedAt: number,
    private readonly out: Outbox,
  ) {
    this.accounting = new Accounting(timeZone, minGapMs);
    this.clock = new PeriodClock(savedAt);
  }

  /**
   * An accepted frame's readings, before they become the meter's last values (the periods take the previous reading
   * as their last). True when a period opened, closed or got a gap.
   */
  observe(meter: Meter, readings: readonly Reading[], at: number): boolean {
    const periodsAt = this.time(at);
    let changed = false;
    // Indexed, not for-of: under --jitless each step of an array iterator allocates its result (issue #30).
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      if (!(r.key in accountedRegisters)) continue;
      const last = meter.last(r.key);
      changed = this.accounting.observe(meter.periodsOf(r.key), last === null ? null : { value: last.value, at: Math.min(last.at, periodsAt) }, r.value, periodsAt) || changed;
    }
    if (changed) recordClosed(meter.history, meter.periods);
    return changed;
  }

  /** At each full hour: a silent meter's periods close, so that "last hour" is never a stale hour. True when one did. */
  hour(meter: Meter, at: number): boolean {
    const periodsAt = this.time(at);
    let closed = false;
    for (const register of Object.keys(accountedRegisters)) {
      const periods = meter.periods[register];
      if (periods) closed = this.accounting.tick(periods, meter.last(register), periodsAt) || closed;
    }
    if (closed) recordClosed(meter.history, meter.periods);
    return closed;
  }

  private time(at: number): number {
    const t = this.clock.time(at);
    if (t.behindMs > 2000) this.out.say('clock-back', null, { behind: duration(t.behindMs), until: new Date(t.at).toISOString() });
    else if (t.behindMs === 0) this.out.signal('clock-caught-up', null);
    return t.at;
  }
}
