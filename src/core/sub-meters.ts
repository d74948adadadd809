import { Accounting, emptyPeriods } from '../accounting/accounting.js';
import type { Origin, Topics } from '../ha/discovery.js';
import { subMeterDiscovery, subMeterDiscoveryTopic, subMeterState, subMeterStateTopic, type SubMeterDevice } from '../ha/sub-meter.js';
import type { SubMeter, SubMeterType } from '../obis/readings.js';
import { CONFIRM_FRAMES, EnergyGuard } from './energy-guard.js';
import type { Meter } from './meter.js';
import type { Outbox } from './outbox.js';
import type { PersistedSubMeter } from './persisted.js';

/**
 * The shortest silence that is a gap in a sub-meter's hour and day sums. DSMR 5 sub-meters take a value every five
 * minutes (ndokter/dsmr_parser#111): two missed are a gap. DSMR 4 gas meters take one an hour: the accounting learns
 * that cadence from their first interval (src/accounting/accounting.ts), and an hour is then no gap.
 */
export const SUB_METER_MIN_GAP_MS = 10 * 60_000;

/** Objects that are gas whatever the channel's device type says: DSMR 2.2's gas object, Belgium's gas reading. */
const GAS_OBJECT = /:24\.(3\.0|2\.3)\./;

/** What a sub-meter has this run only: its guard's held level, and what of it Home Assistant has been told. */
interface Live {
  readonly guard: EnergyGuard;
  announced: boolean;
  /** A new value since its state was last published. */
  dirty: boolean;
}

/**
 * The meters on a P1 port's M-Bus channels (gas, water, heat), each kept on the electricity meter it is read through
 * (`Meter.subMeters`, saved with it). A value counts when its capture time changes (the sub-meter takes one every
 * five minutes or hourly, the telegram repeats it every second); it passes its own energy guard (never lower, never a
 * jump, never 0 m³: home-assistant/core#104515), and its hour and day sums are booked at the time the sub-meter took
 * it, not when the telegram arrived (home-assistant/core#80468). What changed is published after the electricity
 * meter's own messages (its device is the sub-meter's `via_device`, so it must exist first).
 */
export class SubMeters {
  private readonly accounting: Accounting;
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly topics: Topics,
    private readonly origin: Origin,
    timeZone: string,
    private readonly out: Outbox,
  ) {
    this.accounting = new Accounting(timeZone, SUB_METER_MIN_GAP_MS);
  }

  /**
   * A telegram's sub-meters at its arrival `at`. Returns true when a sub-meter's period opened, closed or got a gap
   * (the state is worth saving soon).
   */
  observe(meter: Meter, subMeters: readonly SubMeter[], at: number): boolean {
    let changed = false;
    for (const s of subMeters) changed = this.take(meter, s, at) || changed;
    return changed;
  }

  private take(meter: Meter, s: SubMeter, at: number): boolean {
    const channel = String(s.channel);
    const scope = `${meter.scope}/mbus=${channel}`;
    let rec: PersistedSubMeter | undefined = meter.subMeters[channel];
    // Typed by its device type (0-n:24.1.0), or by an object that only gas meters send; never by the channel number.
    const type: SubMeterType | null = s.type ?? (GAS_OBJECT.test(s.obis) ? 'gas' : (rec?.type ?? null));
    const id = s.id ?? rec?.id ?? null;
    if (rec !== undefined && (id !== rec.id || type !== rec.type || s.unit !== rec.unit)) {
      this.out.say('meter-replaced', scope, { meter: id ?? `M-Bus ${channel}`, before: rec.id ?? `M-Bus ${channel}` });
      this.live.delete(this.keyOf(meter, channel));
      rec = undefined;
    }
    const captured = s.capturedAt === null ? NaN : Date.parse(s.capturedAt);
    const time = Number.isFinite(captured) ? captured : at;
    // The same value again (the telegram repeats it until the sub-meter takes the next one).
    if (rec !== undefined && (Number.isFinite(captured) ? time <= rec.capturedAt : s.value === rec.value)) return false;
    const name = `the ${type ?? 'M-Bus'} meter on channel ${channel} of meter ${meter.id}`;
    if (!(s.value > 0)) {
      // A channel that never had a value is empty (Smarty sends `(632525252525S)(00000.000*m3)`): no device, nothing said.
      if (rec === undefined) return false;
      this.out.say('implausible-energy', scope, { what: `${name} sent ${s.value} ${s.unit}, which no meter in use reads (its value was not read yet)` });
      return false;
    }
    const live = this.liveOf(meter, channel);
    if (rec !== undefined) {
      const before = { value: rec.value, at: rec.capturedAt, clock: null };
      const verdict = live.guard.check(() => before, new Map([[`${name}'s total`, { value: s.value, at: time, clock: null }]]));
      const w = verdict.kind === 'accept' ? null : verdict.why;
      if (verdict.kind === 'hold' && w !== null) {
        this.out.say('implausible-energy', scope, { what: `${w.key} ${w.kind === 'decrease' ? 'went down' : 'jumped'} from ${w.from} to ${w.to} ${s.unit}` });
        return false;
      }
      if (verdict.kind === 'confirm' && w !== null) this.out.say('energy-level-accepted', scope, { what: `${w.key} ${w.kind === 'decrease' ? 'went down' : 'jumped'} from ${w.from} to ${w.to} ${s.unit}`, frames: CONFIRM_FRAMES });
    }
    this.out.signal('energy-plausible', scope);
    const periods = rec?.periods ?? emptyPeriods();
    const changed = this.accounting.observe(periods, rec === undefined ? null : { value: rec.value, at: rec.capturedAt }, s.value, time);
    meter.subMeters[channel] = { type, id, unit: s.unit, value: s.value, capturedAt: time, periods };
    live.dirty = true;
    return changed;
  }

  /**
   * After the electricity meter's own messages: each sub-meter's discovery the first time, and its state when it has a
   * new value; with `again` (the meter was announced anew: a reconnect, Home Assistant restarted) both for every one.
   */
  publish(meter: Meter, again: boolean): void {
    for (const [channel, rec] of Object.entries(meter.subMeters)) {
      const live = this.liveOf(meter, channel);
      if (!again && !live.dirty && live.announced) continue;
      const device: SubMeterDevice = { meterId: meter.id, channel: Number(channel), type: rec.type, id: rec.id, unit: rec.unit };
      if (again || !live.announced) this.out.publish(subMeterDiscoveryTopic(this.topics, device), subMeterDiscovery(this.topics, this.origin, device), true);
      live.announced = true;
      live.dirty = false;
      const periods = this.accounting.values(rec.periods, { value: rec.value, at: rec.capturedAt });
      this.out.publish(subMeterStateTopic(this.topics, device), subMeterState(device, rec.value, rec.capturedAt, periods), false);
    }
  }

  private keyOf(meter: Meter, channel: string): string {
    return `${meter.id}\u0000${channel}`;
  }

  private liveOf(meter: Meter, channel: string): Live {
    const key = this.keyOf(meter, channel);
    let live = this.live.get(key);
    if (live === undefined) this.live.set(key, (live = { guard: new EnergyGuard(), announced: false, dirty: false }));
    return live;
  }
}
