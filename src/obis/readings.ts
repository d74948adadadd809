/** What a profile makes of a frame: typed readings with units that Home Assistant accepts. */

/** The physical quantity of a reading; it fixes the unit and, later, the Home Assistant device class. */
export type Quantity = 'energy' | 'reactive_energy' | 'power' | 'reactive_power' | 'voltage' | 'current' | 'power_factor';

/** A total that only grows (or restarts at a meter exchange): what the Energy dashboard and the energy guard count. */
export const isEnergy = (q: Quantity): q is 'energy' | 'reactive_energy' => q === 'energy' || q === 'reactive_energy';

/** Engineering units, spelled exactly as Home Assistant wants them (`var`, not `VAr`). */
export const unitOf: Record<Quantity, string | null> = {
  energy: 'kWh',
  reactive_energy: 'kvarh',
  power: 'W',
  reactive_power: 'var',
  voltage: 'V',
  current: 'A',
  power_factor: null,
};

export interface Reading {
  /** Stable key, e.g. `active_energy_import`; never changes once released (it ends up in unique ids). */
  readonly key: string;
  readonly obis: string;
  readonly quantity: Quantity;
  readonly value: number;
  readonly unit: string | null;
}

export interface MeterFrame {
  /** The meter number the list carries, else the system title's serial; null when neither is known. */
  readonly meterId: string | null;
  /** ISO 8601; an offset only when the meter states one. */
  readonly meterTime: string | null;
  /** The profile list that matched. */
  readonly list: string | null;
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly readings: readonly Reading[];
  /** Where the units of values sent without a scaler come from a rule, not a specification: the rule (said once). */
  readonly unitRule: string | null;
}
