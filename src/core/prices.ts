import { priceAttributes, priceAvailabilityTopic, priceAvailable, priceAttributesTopic, priceDiscovery, priceDiscoveryTopic, priceState, priceStateTopic } from '../ha/prices.js';
import type { Origin, Topics } from '../ha/discovery.js';
import { QUARTER_MS } from '../prices/danish-time.js';
import { quarterAt } from '../prices/lookup.js';
import type { PriceTable, QuarterPrice } from '../prices/price-model.js';
import type { PriceArea } from '../prices/settings.js';
import type { Outbox } from './outbox.js';

/**
 * The *Electricity price* device: the price table the shell fetched comes in as an event; its state is published when
 * the table changes and at every quarter hour (the price of the quarter), and it is available exactly while a total
 * price covers now (said once when none does). The table before the last is kept for the quarter that closes just
 * after midnight, so that its cost is counted at its own price.
 */
export class Prices {
  private table: PriceTable | null = null;
  private previous: PriceTable | null = null;
  private available: boolean | null = null;
  /** The quarter whose state was published last. */
  private publishedQuarter = -1;

  constructor(
    private readonly topics: Topics,
    private readonly origin: Origin,
    private readonly area: PriceArea,
    private readonly out: Outbox,
  ) {}

  discovery(): void {
    this.out.publish(priceDiscoveryTopic(this.topics, this.area), priceDiscovery(this.topics, this.origin, this.area), true);
    if (this.table !== null) this.publish(this.table.builtAt, true);
  }

  /** A new table from the shell (new answers, or a new Danish day). */
  take(table: PriceTable, at: number): void {
    if (this.table !== null && this.table.today.start !== table.today.start) this.previous = this.table;
    this.table = table;
    this.publish(at, true);
  }

  /** The price of the quarter starting at (or covering) an instant, from the tables held. */
  readonly priceOf = (at: number): QuarterPrice | null => {
    if (this.table === null) return null;
    return quarterAt(this.table, at) ?? (this.previous === null ? null : quarterAt(this.previous, at));
  };

  /** At each quarter hour: the new quarter's price, and whether one covers now. */
  tick(at: number): void {
    if (this.table !== null && Math.floor(at / QUARTER_MS) !== this.publishedQuarter) this.publish(at, false);
  }

  /** The next quarter hour, when a table is held: the next publish. */
  dueAt(at: number): number {
    return this.table === null ? Infinity : (Math.floor(at / QUARTER_MS) + 1) * QUARTER_MS;
  }

  private publish(at: number, attributes: boolean): void {
    const table = this.table;
    if (table === null) return;
    this.publishedQuarter = Math.floor(at / QUARTER_MS);
    const available = priceAvailable(table, at);
    if (available !== this.available) {
      this.available = available;
      this.out.availability(priceAvailabilityTopic(this.topics, this.area), available);
      if (!available) this.out.say('price-missing', null, { area: this.area, at: new Date(at).toISOString() });
      else this.out.signal('price-known', null);
    }
    this.out.publish(priceStateTopic(this.topics, this.area), priceState(table, at), false);
    if (attributes) this.out.publish(priceAttributesTopic(this.topics, this.area), { ...priceAttributes(table) }, false);
  }
}
