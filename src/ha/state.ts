import type { Accounting } from '../accounting/accounting.js';
import { periods } from '../accounting/periods.js';
import { meterInstant } from '../diagnostics/time-zone.js';
import type { MeterFrame } from '../obis/readings.js';
import { accountedRegisters, accountingKey } from './discovery.js';

export type StateMessage = Record<string, number | string | null>;

/**
 * The meter's state message for one frame: its readings, its clock as a time-zone aware timestamp and the
 * clock's drift from the host's, the frame counter. The meter's clock is local time without a zone
 * (Kamstrup): it is read in the Home Assistant time zone.
 */
export function frameState(frame: Pick<MeterFrame, 'readings' | 'meterTime'> & { frameCounter: number | null }, receivedAt: number, timeZone: string): StateMessage {
  const state: StateMessage = {};
  for (const r of frame.readings) state[r.key] = r.value;
  const meterAt = frame.meterTime === null ? null : meterInstant(frame.meterTime, timeZone);
  state.meter_time = meterAt === null ? null : new Date(meterAt).toISOString();
  state.clock_drift = meterAt === null ? null : Math.round((meterAt - receivedAt) / 1000);
  if (frame.frameCounter !== null) state.frame_counter = frame.frameCounter;
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

/** The energy periods of a meter: values for the state message, `{period_start, gap}` attributes for the accounting topic. */
export function accountingState(accounting: Accounting, meterId: string): { state: StateMessage; attributes: Record<string, unknown> } {
  const state: StateMessage = {};
  const attributes: Record<string, unknown> = {};
  let register = '';
  let v: ReturnType<Accounting['values']> | null = null;
  for (const slot of slots) {
    if (slot.register !== register || v === null) {
      register = slot.register;
      v = accounting.values(meterId, register);
    }
    const value = slot.previous ? v.previous[slot.period] : v[slot.period];
    if (value === null) continue;
    state[slot.key] = value.value;
    state[slot.resetKey] = isoOf(value.start);
    attributes[slot.key] = value.end ? { period_start: isoOf(value.start), period_end: isoOf(value.end), gap: value.gap } : { period_start: isoOf(value.start), gap: value.gap };
  }
  return { state, attributes };
}
