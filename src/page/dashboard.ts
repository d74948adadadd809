import type { Effect, FrameLogEntry, Payload, SourceId } from '../core/events.js';
import { bridgeStateTopic } from '../ha/bridge.js';
import type { Topics } from '../ha/discovery.js';
import { FRAMES_KEPT, type BrokerView, type FrameView, type MeterHistory, type PageEvent, type PageMeter, type PageReading, type PageSource, type PageState } from './contract.js';
import { HistoryFromMessages, recent, type HistorySource } from './energy-history.js';

/** The API's types live in contract.ts; these names stay importable from here for the service's wiring. */
export { FRAMES_KEPT };
export type { BrokerView, FrameView, PageEvent, PageSource };

/** The last hour of power at one point per frame (10 s): 360 points; the bound keeps a fast meter from growing it. */
const POWER_POINTS = 400;
const POWER_WINDOW_MS = 3_600_000;
/** Meters with plots: a fleet of a thousand would cost megabytes for plots nobody opens all at once. */
const METERS_WITH_HISTORY = 32;

export interface DashboardOptions {
  /** The service's own energy history (from its state file); without it, the page keeps hours and days since it started. */
  readonly history?: HistorySource;
}

interface MeterRecord {
  id: string;
  name: string;
  /** Key → name and unit, from the discovery message's components. */
  components: Map<string, { name: string; unit: string | null }>;
  state: Payload | null;
  updatedAt: number | null;
  /** Null for meters beyond METERS_WITH_HISTORY, and for sub-meters. */
  plots: { power: { t: number; imp: number | null; exp: number | null }[]; history: HistoryFromMessages } | null;
  /** The meter a sub-meter (gas, water, heat on a P1 port) is read through; null for a meter of its own. */
  parent: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Readonly<Record<string, unknown>> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : null);
const noHistory: MeterHistory = { hours: [], days: [] };

/**
 * What the page shows, built from what the service publishes: the same discovery, state and diagnostics messages
 * Home Assistant gets (so the page never disagrees with it), the frame log, and the broker's connection. Pure: the
 * shell feeds it effects, the HTTP side reads it.
 */
export class Dashboard {
  private readonly meters = new Map<string, MeterRecord>();
  private readonly byStateTopic = new Map<string, MeterRecord>();
  private readonly byAccountingTopic = new Map<string, MeterRecord>();
  /** By their device's identifier: what a sub-meter's `via_device` names. */
  private readonly byIdentifier = new Map<string, MeterRecord>();
  private readonly log: FrameLogEntry[] = [];
  private diagnostics: Payload = {};
  private brokerView: BrokerView = { connected: false, detail: null };
  private withHistory = 0;
  private readonly diagnosticsTopic: string;
  private readonly discoveryPrefix: string;

  constructor(
    topics: Topics,
    readonly sources: readonly PageSource[],
    private readonly options: DashboardOptions = {},
  ) {
    this.diagnosticsTopic = bridgeStateTopic(topics);
    this.discoveryPrefix = `${topics.discoveryPrefix}/device/powermeter_`;
  }

  /** Takes an effect of the core; returns what the event stream should send, if anything. */
  observe(effect: Effect, at: number): PageEvent | null {
    if (effect.kind === 'frame') return this.frame(effect.entry);
    if (effect.kind !== 'publish' || effect.payload === null) return null;
    // The core's messages come as values: read as they are, never parsed again.
    const { topic, payload } = effect;
    if (topic === this.diagnosticsTopic) {
      this.diagnostics = payload;
      return { type: 'diagnostics', diagnostics: this.diagnostics };
    }
    const meter = this.byStateTopic.get(topic);
    if (meter) return this.stateOf(meter, payload, at);
    const accounted = this.byAccountingTopic.get(topic);
    if (accounted) return this.accounting(accounted, payload);
    if (topic.startsWith(this.discoveryPrefix) && topic.endsWith('/config')) this.discovery(payload);
    return null;
  }

  broker(connected: boolean, detail: string | null): PageEvent {
    this.brokerView = { connected, detail };
    return { type: 'broker', broker: this.brokerView };
  }

  /** The whole picture, for `GET api/state` (without what only the server knows: whether keys can be saved). */
  state(): Omit<PageState, 'canSaveKeys'> {
    return {
      meters: [...this.meters.values()].map((m) => this.view(m)),
      diagnostics: this.diagnostics,
      sources: this.sources,
      broker: this.brokerView,
      systemTitles: this.systemTitles(),
      framesKept: FRAMES_KEPT,
    };
  }

  /** The frame log, newest first, without the bytes. */
  frames(): FrameView[] {
    return this.log.map((e) => this.frameView(e)).reverse();
  }

  /**
   * The frames of one meter (by system title), or of the last meter heard, oldest first: what a key check tries; and
   * the source they came from (where its keys belong).
   */
  framesOf(systemTitle: string | null): { systemTitle: string | null; source: SourceId | null; frames: (readonly Buffer[])[] } {
    const title = systemTitle ?? this.log.findLast((e) => e.systemTitle !== null)?.systemTitle ?? null;
    const entries = this.log.filter((e) => (title === null ? e.systemTitle === null : e.systemTitle === title) && e.raw.length > 0);
    return { systemTitle: title, source: entries.at(-1)?.source ?? null, frames: entries.map((e) => e.raw) };
  }

  /** The system titles in the frame log, for the key check's choice of meter. */
  systemTitles(): string[] {
    return [...new Set(this.log.flatMap((e) => (e.systemTitle === null ? [] : [e.systemTitle])))];
  }

  /**
   * The frames held, as a capture file that `powermeter decode` reads: hex, one frame per line, `#` comments. The
   * frames are as the meter sent them, encrypted; no key is in it.
   */
  capture(at: number): string {
    const lines = [`# PowerMeter capture of the last ${this.log.length} frames, ${new Date(at).toISOString()}: as the meter sent them, encrypted; no keys`];
    let source: string | null = null;
    for (const e of this.log) {
      const from = `${this.nameOf(e.source)}${e.stream ? ` ${e.stream}` : ''}`;
      if (from !== source) lines.push(`# ${(source = from)}`);
      lines.push(`# ${new Date(e.at).toISOString()} ${e.verdict}${e.list ? ` ${e.list}` : ''}`);
      for (const raw of e.raw) lines.push(raw.toString('hex').toUpperCase());
    }
    return `${lines.join('\n')}\n`;
  }

  private frame(entry: FrameLogEntry): PageEvent {
    this.log.push(entry);
    if (this.log.length > FRAMES_KEPT) this.log.shift();
    return { type: 'frame', frame: this.frameView(entry) };
  }

  private frameView(e: FrameLogEntry): FrameView {
    return { at: e.at, source: e.source, sourceName: this.nameOf(e.source), stream: e.stream, size: e.size, list: e.list, meterId: e.meterId, systemTitle: e.systemTitle, verdict: e.verdict, detail: e.detail };
  }

  private nameOf(source: SourceId): string {
    return this.sources.find((s) => s.id === source)?.name ?? source;
  }

  /** A meter's discovery message: its name, state topic, and each component's name, unit and attributes topic. */
  private discovery(d: Payload): void {
    const device = record(d.device);
    const id = text(device?.serial_number);
    const stateTopic = text(d.state_topic);
    if (id === null || stateTopic === null) return;
    const name = text(device?.name) ?? id;
    // A sub-meter hangs under its meter, which was announced before it; a meter hangs under the PowerMeter device.
    const via = text(device?.via_device);
    const parent = via === null ? null : (this.byIdentifier.get(via)?.id ?? null);
    let m = this.meters.get(id);
    if (!m) {
      m = { id, name, components: new Map(), state: null, updatedAt: null, plots: null, parent };
      if (parent === null && this.withHistory < METERS_WITH_HISTORY) {
        m.plots = { power: [], history: new HistoryFromMessages() };
        this.withHistory++;
      }
      this.meters.set(id, m);
    }
    m.name = name;
    m.parent = parent;
    const identifier = Array.isArray(device?.identifiers) ? text(device.identifiers[0]) : null;
    if (identifier !== null) this.byIdentifier.set(identifier, m);
    this.byStateTopic.set(stateTopic, m);
    for (const [key, value] of Object.entries(record(d.components) ?? {})) {
      const c = record(value);
      const attributes = text(c?.json_attributes_topic);
      if (attributes !== null) this.byAccountingTopic.set(attributes, m);
      m.components.set(key, { name: text(c?.name) ?? key, unit: text(c?.unit_of_measurement) });
    }
  }

  private stateOf(m: MeterRecord, state: Payload, at: number): PageEvent {
    m.state = state;
    m.updatedAt = at;
    const power = m.plots?.power;
    if (power) {
      power.push({ t: at, imp: num(state.active_power_import), exp: num(state.active_power_export) });
      while (power.length > POWER_POINTS || (power.length > 0 && power[0]!.t < at - POWER_WINDOW_MS)) power.shift();
    }
    return { type: 'state', meter: m.id, at, state };
  }

  /** An accounting message: when a period closed, the meter's history anew. */
  private accounting(m: MeterRecord, attributes: Payload): PageEvent | null {
    if (!m.plots?.history.accounting(attributes, m.state)) return null;
    return { type: 'history', meter: m.id, history: this.historyOf(m) };
  }

  /** The service's history when it has one for the meter, else what the page kept since it started. */
  private historyOf(m: MeterRecord): MeterHistory {
    if (m.plots === null) return noHistory;
    const kept = this.options.history?.(m.id);
    return kept ? { hours: recent(kept.hours, 'hours'), days: recent(kept.days, 'days') } : m.plots.history.view();
  }

  private view(m: MeterRecord): PageMeter {
    const readings: PageReading[] = [];
    // The `_last_reset` keys come along: they are when the open hour and day began, where the page draws them.
    for (const [key, value] of Object.entries(m.state ?? {})) {
      const c = m.components.get(key);
      readings.push({ key, name: c?.name ?? key, unit: c?.unit ?? null, value: typeof value === 'number' || typeof value === 'string' ? value : null });
    }
    const power = m.plots?.power ?? [];
    return {
      id: m.id,
      name: m.name,
      updatedAt: m.updatedAt,
      readings,
      power: [power.map((p) => p.t / 1000), power.map((p) => p.imp), power.map((p) => p.exp)],
      history: this.historyOf(m),
      ...(m.parent === null ? {} : { subMeterOf: m.parent }),
    };
  }
}
