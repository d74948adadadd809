import type { Reading } from '../obis/readings.js';

/**
 * Home Assistant treats any decrease of a `total_increasing` sensor as a meter reset and books the whole
 * register again: one bogus low value is a spike of thousands of kWh on the Energy dashboard. So a frame
 * whose energy total went down, or dropped to 0 from a positive value, is refused as a whole. A register
 * that really reads 0 from the start (the export of a meter that never exported) is fine.
 */
export class EnergyGuard {
  private readonly last = new Map<string, number>();

  /** Returns the reason to refuse the frame, or null; remembers the totals of accepted frames. */
  check(meterId: string, readings: readonly Reading[]): string | null {
    for (const r of readings) {
      if (r.quantity !== 'energy' && r.quantity !== 'reactive_energy') continue;
      const before = this.last.get(`${meterId}/${r.key}`);
      if (before !== undefined && r.value < before) {
        return `${r.key} went down from ${before} to ${r.value} ${r.unit ?? ''}`.trim();
      }
    }
    for (const r of readings) {
      if (r.quantity === 'energy' || r.quantity === 'reactive_energy') this.last.set(`${meterId}/${r.key}`, r.value);
    }
    return null;
  }

  /** Seeds the last known totals (for example from persisted state after a restart). */
  seed(meterId: string, totals: Record<string, number>): void {
    for (const [key, value] of Object.entries(totals)) this.last.set(`${meterId}/${key}`, value);
  }
}
