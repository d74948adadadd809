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
  /**
   * When the value was reached, where that is not the frame's time: the moment of the month's peak demand
   * (1-0:1.6.0 of a Belgian P1 telegram). ISO 8601 with offset; null when the meter sent no valid time; absent for
   * every other reading.
   */
  readonly at?: string | null;
}

/** What a detail is to Home Assistant: one of the quantities above, or one the readings do not have. */
export type DetailKind = Quantity | 'apparent_power' | 'frequency' | 'count' | 'enum' | 'text';

/**
 * A value a meter sends besides its readings (P1 telegrams): counters of power failures and of voltage sags and
 * swells, the tariff, the breaker, the grid operator's text message, the limiter's threshold, the frequency. Keys are
 * stable, as readings' are.
 */
export interface Detail {
  readonly key: string;
  readonly obis: string;
  readonly kind: DetailKind;
  /** A number in `unit`; text for `text` and `enum`; null when the meter sent none. */
  readonly value: number | string | null;
  readonly unit: string | null;
  /** The states an `enum` detail takes. */
  readonly options?: readonly string[];
}

/** The kind of a meter on an M-Bus channel of the P1 port, by its device type (EN 13757-3: 3, 4, 7, 12). */
export type SubMeterType = 'gas' | 'heat' | 'water' | 'heat-cool';

/** A gas, water or heat meter read through the electricity meter's M-Bus (P1 objects 0-n:24.x, 0-n:96.1.x). */
export interface SubMeter {
  /** The M-Bus channel: B of the objects' codes (0-1:24.2.1 is channel 1). */
  readonly channel: number;
  /** By its device type (0-n:24.1.0); null when it sent none or one PowerMeter does not name. */
  readonly type: SubMeterType | null;
  /** The device type as sent (0-n:24.1.0), null when absent. */
  readonly deviceType: number | null;
  /** Its equipment id (0-n:96.1.0, Belgium 0-n:96.1.1), hex-decoded; null when empty. */
  readonly id: string | null;
  /** The code its value came in: `0-1:24.2.1.255`, Belgian gas `0-1:24.2.3.255`, DSMR 2.2 `0-1:24.3.0.255`. */
  readonly obis: string;
  /** The meter's total, in `unit`. */
  readonly value: number;
  /** `m³`, `GJ` or `kWh`. */
  readonly unit: string;
  /** When the sub-meter took the value (ISO 8601 with offset); null when the time sent was not valid. */
  readonly capturedAt: string | null;
}

/** One entry of the power-failure log (P1 1-0:99.97.0): when the failure ended and how long it lasted. */
export interface PowerFailure {
  readonly end: string | null;
  readonly seconds: number;
}

/** One month of the peak-demand history (Belgian P1 0-0:98.1.0), in W. */
export interface DemandPeak {
  /** The month's start as the meter states it. */
  readonly month: string | null;
  /** When the peak's quarter hour ended. */
  readonly at: string | null;
  readonly value: number;
}

/** An object of a frame that was not used, and why (an unknown OBIS code, a unit that contradicts its code). */
export interface Skipped {
  /** Its code as written, or the start of the line that could not be read. */
  readonly what: string;
  readonly reason: string;
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
  /** The frame was a P1 text telegram (in clear or in a ciphered APDU); absent for DLMS frames. */
  readonly protocol?: 'dsmr';
  /** Values besides the readings (P1); absent for DLMS frames. */
  readonly details?: readonly Detail[];
  /** The meters on the P1 port's M-Bus channels that sent a value; absent for DLMS frames. */
  readonly subMeters?: readonly SubMeter[];
  /** The power-failure log (P1 1-0:99.97.0), newest as the meter orders it; absent when not sent. */
  readonly powerFailureLog?: readonly PowerFailure[];
  /** The monthly peak demands (Belgian P1 0-0:98.1.0); absent when not sent. */
  readonly demandHistory?: readonly DemandPeak[];
  /** What the frame held that was not used, each with its reason; absent when nothing was skipped. */
  readonly skipped?: readonly Skipped[];
}
