import type { Origin, Topics } from '../ha/discovery.js';
import type { MeterFrame } from '../obis/readings.js';
import { BelgianPeaks } from './belgian-peaks.js';
import { MeterDetails } from './details.js';
import type { CapacitySetting } from './extras.js';
import type { Meter } from './meter.js';
import type { Outbox } from './outbox.js';
import { PublishPace, type Due } from './pace.js';
import { SubMeters } from './sub-meters.js';

export interface TelegramSettings {
  readonly topics: Topics;
  readonly origin: Origin;
  readonly timeZone: string;
  /** How often a P1 meter's state is published (`publish_interval`), its power, voltage and current averaged over it. */
  readonly publishIntervalMs: number;
  readonly capacity: CapacitySetting | null;
}

/**
 * What a P1 telegram adds to a meter's announce, beyond the readings every meter has: its details (details.ts), the
 * meters on its M-Bus channels (sub-meters.ts), the Belgian peak registers beside the capacity tariff
 * (belgian-peaks.ts), and the pace its state is published at (pace.ts). The announce hands it each P1 frame after the
 * energy guard, the accounting and the capacity machine took it, and asks it what to add and when.
 */
export class Telegrams {
  readonly pace: PublishPace;
  private readonly details: MeterDetails;
  private readonly subMeters: SubMeters;
  private readonly belgian: BelgianPeaks;

  constructor(s: TelegramSettings, out: Outbox) {
    this.pace = new PublishPace(s.publishIntervalMs);
    this.details = new MeterDetails(s.topics, out);
    this.subMeters = new SubMeters(s.topics, s.origin, s.timeZone, out);
    this.belgian = new BelgianPeaks(s.capacity, out);
  }

  /** An accepted P1 frame of the meter, at its arrival. */
  observe(meter: Meter, frame: MeterFrame, at: number): void {
    this.pace.add(meter.id, frame.readings);
    this.details.observe(meter, frame);
    if (frame.subMeters !== undefined && frame.subMeters.length > 0) this.subMeters.observe(meter, frame.subMeters, at);
    this.belgian.observe(meter, frame, at);
  }

  /** Whether the meter's state is published now (with `Due`), later (`'wait'`), or as always (null: not a P1 meter). */
  take(meter: Meter, at: number, attributes: boolean): Due | 'wait' | null {
    return this.pace.take(meter.id, at, attributes);
  }

  /** Whether the meter sent P1 telegrams this run (it then has details, and perhaps sub-meters). */
  knows(meter: Meter): boolean {
    return this.details.knows(meter);
  }

  components(meter: Meter): Record<string, Record<string, unknown>> {
    return this.details.components(meter);
  }

  enabled(meter: Meter): string[] {
    return this.details.enabled(meter);
  }

  state(meter: Meter): Record<string, number | string | null> {
    return this.details.state(meter);
  }

  /** After the meter's own messages: the details' attributes and the sub-meters' messages (all again with `again`). */
  published(meter: Meter, again: boolean): void {
    this.details.attributes(meter, again);
    this.subMeters.publish(meter, again);
  }
}
