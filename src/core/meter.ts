import { emptyPeriods, type LastReading, type RegisterPeriods } from '../accounting/accounting.js';
import type { Reading } from '../obis/readings.js';
import { isEnergy, unitOf } from '../obis/readings.js';
import { EnergyGuard, type Sample } from './energy-guard.js';
import type { PersistedMeter, PersistedTotal } from './persisted.js';

/** A reading as last accepted, with when its frame came and the meter's clock in it. */
export interface Held extends Sample {
  readonly reading: Reading;
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
  /** How notices about this meter name it. */
  readonly scope: string;

  constructor(
    readonly id: string,
    persisted?: PersistedMeter,
  ) {
    this.scope = `meter=${id}`;
    this.periods = persisted?.periods ?? {};
    for (const [key, t] of Object.entries(persisted?.totals ?? {})) {
      this.readings.set(key, { reading: { key, obis: t.obis, quantity: t.quantity, value: t.value, unit: unitOf[t.quantity] }, value: t.value, at: t.at, clock: t.clock });
    }
  }

  /** The guard's baseline for a register. */
  readonly sample = (key: string): Sample | undefined => this.readings.get(key);

  last(key: string): LastReading | null {
    return this.readings.get(key) ?? null;
  }

  periodsOf(register: string): RegisterPeriods {
    return (this.periods[register] ??= emptyPeriods());
  }

  /** What survives a restart: the energy totals and the periods. */
  persisted(): PersistedMeter {
    const totals: Record<string, PersistedTotal> = {};
    for (const [key, h] of this.readings) {
      const q = h.reading.quantity;
      if (isEnergy(q)) totals[key] = { obis: h.reading.obis, quantity: q, value: h.value, at: h.at, clock: h.clock };
    }
    return { totals, periods: this.periods };
  }
}
