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

/** The energy periods of a meter: values for the state message, `{period_start, gap}` attributes for the accounting topic. */
export function accountingState(accounting: Accounting, meterId: string): { state: StateMessage; attributes: Record<string, unknown> } {
  const state: StateMessage = {};
  const attributes: Record<string, unknown> = {};
  for (const register of Object.keys(accountedRegisters)) {
    const v = accounting.values(meterId, register);
    for (const period of periods) {
      for (const [previous, value] of [
        [false, v[period]],
        [true, v.previous[period]],
      ] as const) {
        if (value === null) continue;
        const key = accountingKey(register, period, previous);
        state[key] = value.value;
        state[`${key}_last_reset`] = new Date(value.start).toISOString();
        attributes[key] = { period_start: new Date(value.start).toISOString(), ...(value.end ? { period_end: new Date(value.end).toISOString() } : {}), gap: value.gap };
      }
    }
  }
  return { state, attributes };
}
