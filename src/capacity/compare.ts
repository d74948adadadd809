/**
 * A Belgian meter computes the month's peak itself (`1-0:1.6.0`: the highest quarter-hour average of the month, kW with
 * three decimals, and a time; homebridge-p1#69, zuidwijk/dsmr#37). PowerMeter computes its own from the energy
 * register. The two are shown side by side; this says whether they differ by more than the two ways of measuring can.
 *
 * Rounding allowed: the meter's value is rounded to 1 W (±0.0005 kW); each of PowerMeter's two boundary readings is
 * rounded to the register's resolution (1 Wh on a Fluvius P1: `1-0:1.8.1(000143.608*kWh)`) and taken at the frame
 * nearest the boundary, up to half a frame interval away, during which the power may be the peak's.
 */
export interface MonthPeak {
  readonly kW: number;
  /** When the peak's window started (PowerMeter) or the time the meter stamped it with; null when unknown. */
  readonly at: number | null;
}

export interface PeakComparison {
  /** The two agree within what rounding and the frame cadence allow. */
  readonly agree: boolean;
  /** PowerMeter's value less the meter's, kW. */
  readonly differenceKw: number;
  /** The largest difference rounding allows here, kW. */
  readonly toleranceKw: number;
  /**
   * The meter's stamp is in PowerMeter's peak window or within a minute after it (null when a time is missing). Meters
   * stamp the window's end (`(230201020000W)`, dsmr-reader's Fluvius test telegram), or a second count after it
   * (`(200509134558S)`, the e-MUCS example quoted in ebaauw/homebridge-p1#69): it is said, not judged.
   */
  readonly sameWindow: boolean | null;
  /** For people: what the comparison found. */
  readonly text: string;
}

export interface ComparisonContext {
  readonly windowMinutes: number;
  /** The register's resolution, kWh (0.001 on a P1 meter). */
  readonly registerResolutionKwh: number;
  /** The usual time between frames, ms (1 s on DSMR 5 and e-MUCS). */
  readonly frameIntervalMs: number;
}

export function comparePeaks(meter: MonthPeak, ours: MonthPeak, c: ComparisonContext): PeakComparison {
  const windowH = c.windowMinutes / 60;
  const toleranceKw = 0.0005 + (2 * c.registerResolutionKwh) / windowH + (2 * Math.max(meter.kW, ours.kW) * (c.frameIntervalMs / 2)) / (c.windowMinutes * 60_000);
  const differenceKw = Math.round((ours.kW - meter.kW) * 10_000) / 10_000;
  const sameWindow = meter.at === null || ours.at === null ? null : meter.at >= ours.at && meter.at <= ours.at + (c.windowMinutes + 1) * 60_000;
  const agree = Math.abs(ours.kW - meter.kW) <= toleranceKw;
  const elsewhere = sameWindow === false ? ', in another window' : '';
  const text = agree
    ? `the meter's month peak (${meter.kW} kW) and PowerMeter's (${ours.kW} kW) agree${elsewhere}`
    : `the meter's month peak (${meter.kW} kW) and PowerMeter's (${ours.kW} kW) differ by ${Math.abs(differenceKw)} kW${elsewhere}, more than rounding (${Math.round(toleranceKw * 10_000) / 10_000} kW) explains: frames were missing, or PowerMeter started after the peak; the grid company bills the meter's`;
  return { agree, differenceKw, toleranceKw, sameWindow, text };
}
