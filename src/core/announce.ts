import type { Accounting } from '../accounting/accounting.js';
import { bridgeDiscoveryTopic } from '../ha/bridge.js';
import { accountingTopic, availabilityTopic, discoveryTopic, meterAvailabilityTopic, meterDiscovery, stateTopic, type Origin, type Topics } from '../ha/discovery.js';
import { meterState, periodAttributes } from '../ha/state.js';
import type { MeterFrame } from '../obis/readings.js';
import type { MeterExtras } from './extras.js';
import type { Meter } from './meter.js';
import type { Meters } from './meters.js';
import type { Outbox } from './outbox.js';
import type { PersistedState } from './persisted.js';
import { Telegrams, type TelegramSettings } from './telegrams.js';

/**
 * What Home Assistant is told about the meters: discovery (built again only when it changed: the config of a
 * 30-register meter is 15 kB of JSON, too much every 10 s), state, the periods' attributes, availability, and the
 * retained topics an earlier run left under another discovery prefix or base topic, cleared.
 */
export class Announce {
  /** Retained topics of an earlier run's discovery prefix or base topic: cleared on every announce of this run. */
  private readonly stale: string[] = [];
  /** What P1 telegrams add to their meter's announce (telegrams.ts). */
  private readonly telegrams: Telegrams | null;

  constructor(
    private readonly topics: Topics,
    private readonly origin: Origin,
    private readonly meters: Meters,
    private readonly accounting: Accounting,
    private readonly extras: MeterExtras,
    private readonly out: Outbox,
    /** How P1 telegrams are announced (their details, sub-meters, and the pace of their state); null: frame by frame. */
    p1: Omit<TelegramSettings, 'topics' | 'origin'> | null = null,
  ) {
    this.telegrams = p1 === null ? null : new Telegrams({ topics, origin, ...p1 }, out);
  }

  /**
   * When the discovery prefix or the base topic changed since the last run, what was retained under the old ones
   * (device configs, availability) would keep a dead copy of every device in Home Assistant: it is cleared with empty
   * retained messages. The meters' own devices keep their ids, so their history stays.
   */
  findStaleTopics(before: PersistedState['topics']): void {
    const now = this.topics;
    if (!before || (before.discoveryPrefix === now.discoveryPrefix && before.baseTopic === now.baseTopic)) return;
    const ids = [...this.meters.ids()];
    const stale = new Set<string>([bridgeDiscoveryTopic(before)]);
    if (before.baseTopic !== now.baseTopic) stale.add(availabilityTopic(before));
    for (const id of ids) {
      if (before.discoveryPrefix !== now.discoveryPrefix) stale.add(discoveryTopic(before, id));
      if (before.baseTopic !== now.baseTopic) stale.add(meterAvailabilityTopic(before, id));
    }
    for (const t of [bridgeDiscoveryTopic(now), availabilityTopic(now), ...ids.flatMap((id) => [discoveryTopic(now, id), meterAvailabilityTopic(now, id)])]) stale.delete(t);
    this.stale.push(...stale);
    const prefix = before.discoveryPrefix !== now.discoveryPrefix;
    const base = before.baseTopic !== now.baseTopic;
    this.out.say('topics-changed', null, { what: prefix && base ? 'discovery_prefix and base_topic' : prefix ? 'discovery_prefix' : 'base_topic', count: stale.size });
  }

  /** Everything again, in order: stale topics cleared, availability, then each heard meter's discovery and state. */
  all(): void {
    for (const topic of this.stale) this.out.publish(topic, null, true);
    this.out.availability(availabilityTopic(this.topics), true);
    for (const meter of this.meters.values()) if (meter.heard) this.out.availability(meterAvailabilityTopic(this.topics, meter.id), meter.online);
  }

  /** Each heard meter's discovery and state, after the diagnostics device's own discovery. */
  everyMeter(at: number): void {
    for (const meter of this.meters.values()) {
      if (!meter.heard) continue;
      meter.discoveryStale = true;
      this.meter(meter, true, at);
    }
  }

  /**
   * A meter's discovery when it changed, its state, and its periods' attributes when they changed (`attributes`). An
   * accepted frame comes with it (`frame`): a P1 telegram's details and sub-meters are taken, and its meter's state
   * goes out at the pace of `publish_interval`, held until then (`dueAt`).
   */
  meter(meter: Meter, attributes: boolean, at: number, frame?: MeterFrame): void {
    const { topics, origin } = this;
    const p1 = this.telegrams;
    if (p1 !== null && frame?.protocol === 'dsmr') p1.observe(meter, frame, at);
    const take = p1 === null ? null : p1.take(meter, at, attributes);
    // A meter announced anew (Home Assistant restarted) is told at once; its held state follows at its time.
    if (take === 'wait' && !meter.discoveryStale) return;
    const paced = take === 'wait' ? null : take;
    const telegrams = p1 !== null && p1.knows(meter) ? p1 : null;
    const announced = meter.discoveryStale;
    if (announced) {
      const readings = [...meter.readings.values()].map((h) => h.reading);
      const extra = telegrams === null ? this.extras.components(meter) : { ...this.extras.components(meter), ...telegrams.components(meter) };
      const device = { meterId: meter.id, manufacturer: meter.manufacturer, model: meter.model, readings, hasFrameCounter: meter.hasFrameCounter, extra, enabled: telegrams?.enabled(meter) };
      this.out.publish(discoveryTopic(topics, meter.id), meterDiscovery(topics, origin, device), true);
      meter.discoveryStale = false;
    }
    const periodsOf = (register: string) => this.accounting.values(meter.periods[register], meter.last(register));
    let state: Record<string, unknown> = meterState(meter, periodsOf);
    if (this.extras.active) state = { ...state, ...this.extras.state(meter, at) };
    if (telegrams !== null) state = { ...state, ...telegrams.state(meter), ...paced?.averages };
    this.out.publish(stateTopic(topics, meter.id), state, false);
    // The periods' attributes change a few times an hour: published when they do, not with every frame.
    if (attributes || announced || paced?.attributes === true) {
      const a = periodAttributes(meter, periodsOf);
      if (Object.keys(a).length > 0) this.out.publish(accountingTopic(topics, meter.id), a, false);
      this.extras.attributes(meter, at);
    }
    telegrams?.published(meter, announced);
  }

  /** Whether a meter's held state is due at `at` (the clock's turn then publishes it with `meter`). */
  due(meter: Meter, at: number): boolean {
    return this.telegrams?.pace.due(meter.id, at) ?? false;
  }

  /** When a held state is due: of `meter`, or of any meter. Infinity when none is held. */
  dueAt(meter?: Meter): number {
    const pace = this.telegrams?.pace;
    return pace === undefined ? Infinity : meter === undefined ? pace.dueAt() : pace.dueAtOf(meter.id);
  }

  online(meter: Meter, online: boolean): void {
    meter.online = online;
    this.out.availability(meterAvailabilityTopic(this.topics, meter.id), online);
  }

  /** The service is stopping: every meter and the service itself go offline. */
  offline(): void {
    for (const meter of this.meters.values()) if (meter.online) this.out.availability(meterAvailabilityTopic(this.topics, meter.id), false);
    this.out.availability(availabilityTopic(this.topics), false);
  }
}
