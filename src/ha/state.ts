import type { PeriodValue, PeriodValues } from '../accounting/accounting.js';
import { periods } from '../accounting/periods.js';
import type { Reading } from '../obis/readings.js';
import { accountedRegisters, accountingKey } from './discovery.js';

export type StateMessage = Record<string, number | string | null>;

/** What a meter's state message is made of: its last readings and what its last frame said of itself. */
export interface MeterStateSource {
  readonly readings: ReadonlyMap<string, { readonly reading: Reading }>;
  /** The meter's clock in its last frame, as an instant (read in the Home Assistant time zone); null if it sends none. */
  readonly meterTime: number | null;
  readonly lastFrameAt: number;
  /** Whether the meter's frames carry a frame counter (its sensor exists): then the key is always there. */
  readonly hasFrameCounter: boolean;
  readonly frameCounter: number | null;
}

/**
 * The meter's state message: its readings (registers that some lists send only hourly keep their last value), its
 * clock as a time-zone aware timestamp and the clock's drift from the host's, the frame counter, and the energy
 * periods of the registers it has. Every key that a template of the meter's discovery reads is in every message,
 * null where there is no value yet: Home Assistant renders the templates on every message, and a missing key logs
 * "Template variable warning" each time (helpers/template.py), where null renders as None, which mqtt/sensor.py
 * takes as "unknown" without a word.
 */
export function meterState(m: MeterStateSource, periodsOf: (register: string) => PeriodValues): StateMessage {
  const state: StateMessage = {};
  // forEach, not for-of: under --jitless each step of an iterator allocates its result (issue #30).
  m.readings.forEach(({ reading }) => {
    state[reading.key] = reading.value;
  });
  state.meter_time = m.meterTime === null ? null : new Date(m.meterTime).toISOString();
  state.clock_drift = m.meterTime === null ? null : Math.round((m.meterTime - m.lastFrameAt) / 1000);
  if (m.hasFrameCounter) state.frame_counter = m.frameCounter;
  forEachPeriod(m, periodsOf, (slot, value) => {
    state[slot.key] = value?.value ?? null;
    if (!slot.previous) state[slot.resetKey] = value === null ? null : isoOf(value.start);
  });
  return state;
}

/** Period bounds as ISO text: the same few instants come back in every frame, so they are formatted once. */
const isoCache = new Map<number, string>();

function isoOf(t: number): string {
  let text = isoCache.get(t);
  if (text === undefined) {
    if (isoCache.size >= 64) isoCache.clear();
    isoCache.set(t, (text = new Date(t).toISOString()));
  }
  return text;
}

/** Each published energy period, with its keys, in publishing order: worked out once, not in every frame. */
const slots = Object.keys(accountedRegisters).flatMap((register) =>
  periods.flatMap((period) =>
    [false, true].map((previous) => {
      const key = accountingKey(register, period, previous);
      return { register, period, previous, key, resetKey: `${key}_last_reset` };
    }),
  ),
);

/** Calls `use` for each energy period of the registers the meter has (those discovery announces), in publishing order. */
function forEachPeriod(m: Pick<MeterStateSource, 'readings'>, periodsOf: (register: string) => PeriodValues, use: (slot: (typeof slots)[number], value: PeriodValue | null) => void): void {
  let register = '';
  let v: PeriodValues | null = null;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (!m.readings.has(slot.register)) continue;
    if (slot.register !== register || v === null) {
      register = slot.register;
      v = periodsOf(register);
    }
    use(slot, slot.previous ? v.previous[slot.period] : v[slot.period]);
  }
}

/**
 * The energy periods' attributes for the accounting topic: `{period_start, period_end, gap}` per period, and `{}` for
 * a period without bounds yet, so that every attributes template finds an object (see the discovery).
 */
export function periodAttributes(m: Pick<MeterStateSource, 'readings'>, periodsOf: (register: string) => PeriodValues): Record<string, object> {
  const attributes: Record<string, object> = {};
  forEachPeriod(m, periodsOf, (slot, value) => {
    attributes[slot.key] =
      value === null ? {} : value.end ? { period_start: isoOf(value.start), period_end: isoOf(value.end), gap: value.gap } : { period_start: isoOf(value.start), gap: value.gap };
  });
  return attributes;
}
