import { CapacityMachine, restoreCapacity } from '../capacity/machine.js';
import type { CapacityRule } from '../capacity/rule.js';
import type { CapacitySteps } from '../capacity/steps.js';
import { capacityAttributes, capacityComponents, capacityEntities, capacityState, capacityTopic, type CapacityEntities } from '../ha/capacity.js';
import { costComponents, costState } from '../ha/cost.js';
import type { Topics } from '../ha/discovery.js';
import { QUARTER_MS } from '../prices/danish-time.js';
import { Cost, emptyCost } from './cost.js';
import { bookCost } from './history.js';
import type { Meter } from './meter.js';
import type { Outbox } from './outbox.js';
import type { Prices } from './prices.js';

export interface CapacitySetting {
  readonly rule: CapacityRule;
  readonly steps: CapacitySteps | null;
}

const IMPORT = 'active_energy_import';
const EXPORT = 'active_energy_export';

/**
 * What the service adds to a meter beyond its readings and energy periods: its cost per quarter hour at the day's
 * prices (cost.ts, with prices on), and its capacity tariff (src/capacity/, with a rule set). Each is fed the meter's
 * import (and export) register after the energy guard accepted a frame, and gives the meter's device its components,
 * state fields and attributes. Nothing here when neither is on.
 */
export class MeterExtras {
  private readonly cost: Cost | null;
  private readonly entities: CapacityEntities | null;

  constructor(
    private readonly topics: Topics,
    private readonly timeZone: string,
    private readonly minGapMs: number,
    private readonly prices: Prices | null,
    private readonly capacity: CapacitySetting | null,
    private readonly out: Outbox,
  ) {
    this.cost = prices === null ? null : new Cost(timeZone, minGapMs);
    this.entities = capacity === null ? null : capacityEntities(capacity.rule, capacity.steps);
  }

  get active(): boolean {
    return this.cost !== null || this.capacity !== null;
  }

  /** An accepted frame's registers: true when a quarter or a window closed (the state is then saved soon). */
  observe(meter: Meter, at: number): boolean {
    const imp = meter.last(IMPORT);
    const exp = meter.last(EXPORT);
    let closed = false;
    if (this.cost !== null && this.prices !== null && (imp !== null || exp !== null)) {
      meter.cost ??= emptyCost();
      // Each quarter's cost also goes to its hour and day in the meter's history (the page's cost per hour and day).
      const book = (start: number, dkk: number | null) => bookCost(meter.history, start, dkk, this.timeZone);
      closed = this.cost.observe(meter.cost, at, imp?.at === at ? imp.value : null, exp?.at === at ? exp.value : null, this.prices.priceOf, book) || closed;
    }
    const machine = imp?.at === at ? this.capacityOf(meter) : null;
    if (machine !== null && imp !== null) closed = machine.observe(at, imp.value) || closed;
    return closed;
  }

  /** The clock's turn: closes the windows of silent meters. True when one closed. */
  tick(meter: Meter, at: number): boolean {
    return meter.capacity?.tick(at) ?? false;
  }

  /** The next quarter hour, when either is on: windows close then. */
  dueAt(at: number): number {
    return this.active ? (Math.floor(at / QUARTER_MS) + 1) * QUARTER_MS : Infinity;
  }

  components(meter: Meter): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    if (this.cost !== null && meter.readings.has(IMPORT)) Object.assign(out, costComponents(this.topics, meter.id, meter.readings.has(EXPORT)));
    if (this.entities !== null && meter.readings.has(IMPORT)) Object.assign(out, capacityComponents(this.topics, meter.id, this.entities));
    return out;
  }

  /** The fields these add to the meter's state message at `at`. */
  state(meter: Meter, at: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.cost !== null && this.prices !== null && meter.readings.has(IMPORT)) {
      Object.assign(out, costState(meter.cost === null ? null : this.cost.values(meter.cost, at, this.prices.priceOf), meter.readings.has(EXPORT)));
    }
    if (this.entities !== null && meter.capacity !== null) Object.assign(out, capacityState(meter.capacity.values(at, this.powerOf(meter)), this.entities));
    return out;
  }

  /** The capacity entities' attributes, on their own topic: when a window closed, and at every announce. */
  attributes(meter: Meter, at: number): void {
    if (this.entities === null || meter.capacity === null) return;
    const peak = meter.readings.get('active_power_import_month_peak')?.reading;
    const meterPeak = peak?.at === undefined ? null : { kW: peak.value / 1000, at: peak.at };
    this.out.publish(capacityTopic(this.topics, meter.id), capacityAttributes(meter.capacity.values(at, this.powerOf(meter)), this.entities, meterPeak), false);
  }

  private powerOf(meter: Meter): number | null {
    return meter.readings.get('active_power_import')?.value ?? null;
  }

  /** The meter's capacity machine: from the saved state when it fits the rule, else afresh (and said). */
  private capacityOf(meter: Meter): CapacityMachine | null {
    if (this.capacity === null) return null;
    if (meter.capacity !== null) return meter.capacity;
    const options = { rule: this.capacity.rule, steps: this.capacity.steps, timeZone: this.timeZone, minGapMs: this.minGapMs };
    const saved = meter.savedCapacity;
    meter.savedCapacity = null;
    if (saved !== null) {
      const restored = restoreCapacity(saved, options);
      if (!(restored instanceof Error)) return (meter.capacity = restored);
      this.out.say('capacity-afresh', meter.scope, { meter: meter.id, why: restored.message });
    }
    return (meter.capacity = new CapacityMachine(options));
  }
}
