import { emptyPeriods, type LastReading, type RegisterPeriods } from '../accounting/accounting.js';
import type { MeterFrame, Reading } from '../obis/readings.js';
import { isEnergy, unitOf } from '../obis/readings.js';
import { EnergyGuard, type Sample } from './energy-guard.js';
import type { CapacityMachine } from '../capacity/machine.js';
import type { CostState } from './cost.js';
import { historyView, restoreHistory, type HistoryState, type HistoryView } from './history.js';
import type { PersistedMeter, PersistedSubMeter, PersistedTotal, SecurityFloor } from './persisted.js';

/**
 * A reading as last accepted, with when its frame came and the meter's clock in it (a `Sample` for the guard): updated
 * in place by each frame that brings it (`record`), read at once by the rest, kept by none.
 */
export interface Held {
  reading: Reading;
  value: number;
  at: number;
  clock: number | null;
}

/** What `record` reads of a decoded frame. */
export interface RecordedFrame extends MeterFrame {
  readonly frameCounter: number | null;
}

/**
 * One meter, and the one place where its last values live: the state message is built from them, the energy guard
 * judges a new frame against them, and the energy periods take them as their last reading. Meters known from the
 * state file but not heard yet this run are kept dormant (their totals are the guard's baseline when they speak).
 */
export class Meter {
  manufacturer: string | null = null;
  model: string | null = null;
  hasFrameCounter = false;
  /** Heard since the start: only then is it announced to Home Assistant. */
  heard = false;
  /** The device config changed since it was last published (a new register, another model). */
  discoveryStale = true;
  /** What the meter's availability topic says now. */
  online = false;
  /** The last accepted frame: when it came, the meter's clock then (an instant), its frame counter. */
  lastFrameAt = 0;
  meterTime: number | null = null;
  frameCounter: number | null = null;
  readonly readings = new Map<string, Held>();
  readonly periods: Record<string, RegisterPeriods>;
  readonly guard = new EnergyGuard();
  /** The least protection its frames may have, with the keys in use (see intake.ts); null until it is known. */
  security: SecurityFloor | null;
  /** Its cost per quarter hour (with prices on; extras.ts). */
  cost: CostState | null;
  /** Its last 48 hours and 31 days of energy, and their cost (history.ts). */
  readonly history: HistoryState;
  /** Its capacity tariff (with a rule set; extras.ts), and the saved state it starts from once the rule is known. */
  capacity: CapacityMachine | null = null;
  savedCapacity: Readonly<Record<string, unknown>> | null;
  /** The meters on its P1 port's M-Bus channels, by channel (sub-meters.ts). */
  readonly subMeters: Record<string, PersistedSubMeter>;
  /** How notices about this meter name it. */
  readonly scope: string;

  constructor(
    readonly id: string,
    persisted?: PersistedMeter,
  ) {
    this.scope = `meter=${id}`;
    this.periods = persisted?.periods ?? {};
    this.security = persisted?.security ?? null;
    this.cost = persisted?.cost ?? null;
    this.history = restoreHistory(persisted?.history);
    this.savedCapacity = persisted?.capacity ?? null;
    this.subMeters = persisted?.subMeters ?? {};
    for (const [key, t] of Object.entries(persisted?.totals ?? {})) {
      this.readings.set(key, { reading: { key, obis: t.obis, quantity: t.quantity, value: t.value, unit: unitOf[t.quantity] }, value: t.value, at: t.at, clock: t.clock });
    }
  }

  /**
   * An accepted frame: its readings become the last values. `clock` is the meter's clock (shown as it is),
   * `guardClock` the same when it can be trusted to judge energy totals (see intake.ts), else null.
   */
  record(frame: RecordedFrame, at: number, clock: number | null, guardClock: number | null): void {
    if (frame.model !== null && frame.model !== this.model) this.discoveryStale = true;
    if (frame.frameCounter !== null && !this.hasFrameCounter) this.discoveryStale = true;
    this.manufacturer ??= frame.manufacturer;
    this.model = frame.model ?? this.model;
    this.hasFrameCounter ||= frame.frameCounter !== null;
    const readings = frame.readings;
    // Indexed, not for-of: under --jitless each step of an array iterator allocates its result (issue #30).
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const known = this.readings.get(r.key);
      if (!this.heard || known?.reading.quantity !== r.quantity || known.reading.obis !== r.obis) this.discoveryStale = true;
      // In place: 30-odd readings a frame, under --jitless each a new object and a map store otherwise (issue #30).
      if (known === undefined) this.readings.set(r.key, { reading: r, value: r.value, at, clock: guardClock });
      else {
        known.reading = r;
        known.value = r.value;
        known.at = at;
        known.clock = guardClock;
      }
    }
    this.heard = true;
    this.lastFrameAt = at;
    this.meterTime = clock;
    this.frameCounter = frame.frameCounter;
  }

  /** The guard's baseline for a register. */
  readonly sample = (key: string): Sample | undefined => this.readings.get(key);

  last(key: string): LastReading | null {
    return this.readings.get(key) ?? null;
  }

  periodsOf(register: string): RegisterPeriods {
    return (this.periods[register] ??= emptyPeriods());
  }

  /** Its energy history as the page is handed it: a copy, with each bar's cost when prices are on. */
  historyView(withCost: boolean): HistoryView {
    return historyView(this.history, withCost);
  }

  /** What survives a restart: the energy totals and the periods. */
  persisted(): PersistedMeter {
    const totals: Record<string, PersistedTotal> = {};
    for (const [key, h] of this.readings) {
      const q = h.reading.quantity;
      if (isEnergy(q)) totals[key] = { obis: h.reading.obis, quantity: q, value: h.value, at: h.at, clock: h.clock };
    }
    const out: PersistedMeter = { totals, periods: this.periods };
    if (this.security !== null) out.security = this.security;
    if (this.cost !== null) out.cost = this.cost;
    if (this.history.hours.length + this.history.days.length > 0 || this.history.cost) out.history = this.history;
    const capacity = this.capacity?.snapshot() ?? this.savedCapacity;
    if (capacity !== null) out.capacity = { ...capacity };
    if (Object.keys(this.subMeters).length > 0) out.subMeters = this.subMeters;
    return out;
  }
}
