import { detailAttributes, detailComponents, detailsTopic, detailState, MONTH_PEAK } from '../ha/details.js';
import type { Topics } from '../ha/discovery.js';
import type { DemandPeak, Detail, MeterFrame, PowerFailure, Reading } from '../obis/readings.js';
import type { Meter } from './meter.js';
import type { Outbox } from './outbox.js';

/** A P1 meter's details as last sent. */
interface Kept {
  readonly details: Map<string, Detail>;
  failures: readonly PowerFailure[] | null;
  history: readonly DemandPeak[] | null;
  monthPeakAt: string | null;
  /** It sends the Belgian month peak (1-0:1.6.0). */
  monthPeak: boolean;
  /** Its tariff registers add up to its import or export total (the decoder summed them: no 1.8.0/2.8.0 sent). */
  tariffSum: boolean;
  /** The attributes as last published (a text), and whether they changed since. */
  attributesText: string;
  attributesDirty: boolean;
}

/** Sums to a thousandth of a Wh, as the decoder rounds them (src/dsmr/mapping.ts). */
const same = (a: number, b: number): boolean => Math.abs(a - b) < 5e-7;

/** Whether the tariff registers of `total` add up to it: then the total is their sum, and they are what it is made of. */
function isTariffSum(readings: readonly Reading[], total: string): boolean {
  let sum = 0;
  let tariffs = 0;
  let value: number | null = null;
  for (const r of readings) {
    if (r.key === total) value = r.value;
    else if (r.key.startsWith(total) && r.key.startsWith('_tariff_', total.length)) {
      sum += r.value;
      tariffs++;
    }
  }
  return value !== null && tariffs > 0 && same(value, Math.round(sum * 1e6) / 1e6);
}

/**
 * What a P1 meter sends besides its readings, kept per meter for its device: the details (src/ha/details.ts makes the
 * sensors), the power-failure log and the Belgian month peak's time and history (attributes), and which of its
 * readings are created enabled beyond the usual: its tariffs when their sum is its energy total (Dutch and Belgian
 * meters send no 1.8.0/2.8.0; Home Assistant's dsmr integration and HomeWizard show the tariffs enabled too). A new detail, or one of another kind or unit, makes the
 * meter's discovery stale: components are never dropped.
 */
export class MeterDetails {
  private readonly meters = new Map<string, Kept>();

  constructor(
    private readonly topics: Topics,
    private readonly out: Outbox,
  ) {}

  /** Whether the meter has sent a P1 telegram this run. */
  knows(meter: Meter): boolean {
    return this.meters.has(meter.id);
  }

  /** A P1 telegram, after its readings became the meter's last values. */
  observe(meter: Meter, frame: MeterFrame): void {
    let kept = this.meters.get(meter.id);
    if (kept === undefined) {
      this.meters.set(meter.id, (kept = { details: new Map(), failures: null, history: null, monthPeakAt: null, monthPeak: false, tariffSum: false, attributesText: '', attributesDirty: true }));
      meter.discoveryStale = true;
    }
    for (const d of frame.details ?? []) {
      const before = kept.details.get(d.key);
      if (before === undefined || before.kind !== d.kind || before.unit !== d.unit || before.options?.join() !== d.options?.join()) meter.discoveryStale = true;
      kept.details.set(d.key, d);
    }
    const tariffSum = isTariffSum(frame.readings, 'active_energy_import') || isTariffSum(frame.readings, 'active_energy_export');
    const peak = frame.readings.find((r) => r.key === MONTH_PEAK);
    if (tariffSum !== kept.tariffSum || (peak !== undefined && !kept.monthPeak)) meter.discoveryStale = true;
    kept.tariffSum = tariffSum;
    if (peak !== undefined) {
      kept.monthPeak = true;
      kept.monthPeakAt = peak.at ?? null;
    }
    if (frame.powerFailureLog !== undefined) kept.failures = frame.powerFailureLog;
    if (frame.demandHistory !== undefined) kept.history = frame.demandHistory;
    const text = JSON.stringify([kept.failures, kept.monthPeakAt, kept.history]);
    if (text !== kept.attributesText) {
      kept.attributesText = text;
      kept.attributesDirty = true;
    }
  }

  /** The details' components of the meter's discovery (the month peak's replaces the plain register's). */
  components(meter: Meter): Record<string, Record<string, unknown>> {
    const kept = this.meters.get(meter.id);
    return kept === undefined ? {} : detailComponents(this.topics, { meterId: meter.id, details: [...kept.details.values()], monthPeak: kept.monthPeak });
  }

  /** The meter's readings created enabled beyond the usual. */
  enabled(meter: Meter): string[] {
    const kept = this.meters.get(meter.id);
    if (kept === undefined) return [];
    const out: string[] = [];
    if (kept.tariffSum) for (const key of meter.readings.keys()) if (/^active_energy_(import|export)_tariff_\d$/.test(key)) out.push(key);
    return out;
  }

  /** The details' keys of the meter's state message. */
  state(meter: Meter): Record<string, number | string | null> {
    const kept = this.meters.get(meter.id);
    return kept === undefined ? {} : detailState([...kept.details.values()]);
  }

  /** The details topic's message, when it changed or `again` (the meter was announced anew). */
  attributes(meter: Meter, again: boolean): void {
    const kept = this.meters.get(meter.id);
    if (kept === undefined || (!again && !kept.attributesDirty)) return;
    kept.attributesDirty = false;
    this.out.publish(detailsTopic(this.topics, meter.id), detailAttributes({ failures: kept.failures, monthPeakAt: kept.monthPeakAt, history: kept.history }), false);
  }
}
