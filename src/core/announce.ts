import type { Accounting } from '../accounting/accounting.js';
import { bridgeDiscoveryTopic } from '../ha/bridge.js';
import { accountingTopic, availabilityTopic, discoveryTopic, meterAvailabilityTopic, meterDiscovery, stateTopic, type Origin, type Topics } from '../ha/discovery.js';
import { meterState, periodAttributes } from '../ha/state.js';
import type { MeterExtras } from './extras.js';
import type { Meter } from './meter.js';
import type { Meters } from './meters.js';
import type { Outbox } from './outbox.js';
import type { PersistedState } from './persisted.js';

/**
 * What Home Assistant is told about the meters: discovery (built again only when it changed: the config of a
 * 30-register meter is 15 kB of JSON, too much every 10 s), state, the periods' attributes, availability, and the
 * retained topics an earlier run left under another discovery prefix or base topic, cleared.
 */
export class Announce {
  /** Retained topics of an earlier run's discovery prefix or base topic: cleared on every announce of this run. */
  private readonly stale: string[] = [];

  constructor(
    private readonly topics: Topics,
    private readonly origin: Origin,
    private readonly meters: Meters,
    private readonly accounting: Accounting,
    private readonly extras: MeterExtras,
    private readonly out: Outbox,
  ) {}

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

  /** A meter's discovery when it changed, its state, and its periods' attributes when they changed (`attributes`). */
  meter(meter: Meter, attributes: boolean, at: number): void {
    const { topics, origin } = this;
    const announced = meter.discoveryStale;
    if (announced) {
      const readings = [...meter.readings.values()].map((h) => h.reading);
      const device = { meterId: meter.id, manufacturer: meter.manufacturer, model: meter.model, readings, hasFrameCounter: meter.hasFrameCounter, extra: this.extras.components(meter) };
      this.out.publish(discoveryTopic(topics, meter.id), meterDiscovery(topics, origin, device), true);
      meter.discoveryStale = false;
    }
    const periodsOf = (register: string) => this.accounting.values(meter.periods[register], meter.last(register));
    const state = meterState(meter, periodsOf);
    this.out.publish(stateTopic(topics, meter.id), this.extras.active ? { ...state, ...this.extras.state(meter, at) } : state, false);
    // The periods' attributes change a few times an hour: published when they do, not with every frame.
    if (attributes || announced) {
      const a = periodAttributes(meter, periodsOf);
      if (Object.keys(a).length > 0) this.out.publish(accountingTopic(topics, meter.id), a, false);
      this.extras.attributes(meter, at);
    }
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
