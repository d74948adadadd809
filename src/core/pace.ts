import type { Quantity, Reading } from '../obis/readings.js';

/**
 * Quantities that are a moment's value, averaged over the interval: what a P1 meter sends every second and a Kamstrup
 * pushes every ten. Energy totals and counters are taken as last sent.
 */
const AVERAGED: ReadonlySet<Quantity> = new Set(['power', 'reactive_power', 'voltage', 'current']);

/**
 * Registers of those quantities that are not a moment's value: the Belgian running quarter-hour average (1-0:1.4.0) and
 * month peak (1-0:1.6.0) are the meter's own figures, taken as last sent.
 */
const ownFigure = (r: Reading): boolean => r.at !== undefined || r.key.endsWith('_average') || r.key.endsWith('_month_peak');

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** What is published when a paced meter is due. */
export interface Due {
  /** Whether the periods' attributes changed since the last publish (they are published with it). */
  readonly attributes: boolean;
  /** The mean of each averaged reading over the interval, by key, rounded to a thousandth. */
  readonly averages: Readonly<Record<string, number>>;
}

interface PaceRecord {
  lastPublishedAt: number;
  /** A state waits to be published (frames came since the last publish, or a period closed). */
  pending: boolean;
  attributes: boolean;
  readonly sums: Map<string, { sum: number; n: number }>;
}

/**
 * How often a meter that sends every second is published (`publish_interval`): a DSMR 5 or e-MUCS meter would otherwise
 * put ten times a Kamstrup's messages into Home Assistant's recorder. Its power, voltage and current are averaged over
 * the interval, and one state message with the averages and the latest totals goes out per interval: the first frame at
 * once, then at most once per interval, the last frames of an interval by the clock when no frame comes to carry them.
 * Every frame still goes through the energy guard and the accounting (the core does that before it asks). Meters the
 * pace has not been given a frame of (DLMS meters) are published frame by frame, as before.
 */
export class PublishPace {
  private readonly meters = new Map<string, PaceRecord>();

  constructor(readonly intervalMs: number) {}

  /** A paced meter's frame: its averaged readings are summed. */
  add(meterId: string, readings: readonly Reading[]): void {
    let r = this.meters.get(meterId);
    if (r === undefined) this.meters.set(meterId, (r = { lastPublishedAt: -Infinity, pending: false, attributes: false, sums: new Map() }));
    r.pending = true;
    for (const reading of readings) {
      if (!AVERAGED.has(reading.quantity) || ownFigure(reading)) continue;
      const s = r.sums.get(reading.key);
      if (s === undefined) r.sums.set(reading.key, { sum: reading.value, n: 1 });
      else {
        s.sum += reading.value;
        s.n++;
      }
    }
  }

  /** Whether the pace holds this meter (it sent P1 telegrams). */
  paces(meterId: string): boolean {
    return this.meters.has(meterId);
  }

  /**
   * The meter's state is to be published at `at` (`attributes`: with the periods' attributes): null when it is not
   * paced (publish now, as sent), `'wait'` when its interval has not passed (it is published later, attributes
   * included), else what to publish now; the interval starts again.
   */
  take(meterId: string, at: number, attributes: boolean): Due | 'wait' | null {
    const r = this.meters.get(meterId);
    if (r === undefined) return null;
    r.attributes ||= attributes;
    r.pending = true;
    if (at < r.lastPublishedAt + this.intervalMs) return 'wait';
    const averages: Record<string, number> = {};
    for (const [key, s] of r.sums) averages[key] = round(s.sum / s.n);
    const due = { attributes: r.attributes, averages };
    r.sums.clear();
    r.attributes = false;
    r.pending = false;
    r.lastPublishedAt = at;
    return due;
  }

  /** Whether a meter's waiting state is due at `at` (the clock's turn publishes it). */
  due(meterId: string, at: number): boolean {
    return at >= this.dueAtOf(meterId);
  }

  /** When this meter's waiting state is due; Infinity when none waits. */
  dueAtOf(meterId: string): number {
    const r = this.meters.get(meterId);
    return r !== undefined && r.pending ? r.lastPublishedAt + this.intervalMs : Infinity;
  }

  /** The earliest time a waiting state is due; Infinity when none waits. */
  dueAt(): number {
    let t = Infinity;
    for (const r of this.meters.values()) if (r.pending && r.lastPublishedAt + this.intervalMs < t) t = r.lastPublishedAt + this.intervalMs;
    return t;
  }
}
