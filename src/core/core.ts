import type { DecodedFrame, DecodeResult } from '../decode/decoder.js';
import { keyFingerprint, type Keys } from '../dlms/cipher.js';
import type { SecurityState } from './key-check.js';
import { MAX_STREAMS, type SourceState } from '../source/source.js';
import { Announce } from './announce.js';
import type { CoreOptions } from './core-options.js';
import { Diagnostics } from './diagnostics.js';
import { MeterExtras } from './extras.js';
import type { Effect, Event, SourceId } from './events.js';
import { Intake, type Outcome } from './intake.js';
import type { Meter } from './meter.js';
import { Meters } from './meters.js';
import { Outbox } from './outbox.js';
import { Periods } from './periods.js';
import { Verdicts } from './verdicts.js';
import { sayLine } from './line-health.js';
import { Prices } from './prices.js';
import { Persistence } from './persistence.js';
import { STATE_VERSION, type PersistedState } from './persisted.js';
import { ReplayGuard } from './replay-guard.js';
import { SourceRecord, type StreamRecord } from './streams.js';

/** The one-time note of the upgrade that changed which sensors are enabled and which have a state class. */
const UPGRADE_ENTITIES = 'entities-0.2';

/**
 * The service as a pure object: `step(event) → effects`, a router over small machines, each in a module of its own:
 * the sources and their streams (streams.ts: decoders, key checks), each source's line (line-health.ts), a frame's
 * way in (intake.ts: protection, replay, meter, energy guard), the meters (meters.ts, the one place for last values),
 * what Home Assistant is told (announce.ts), the PowerMeter device (diagnostics.ts), when to save
 * (persistence.ts), and what is said (notices.ts through outbox.ts). It has no clock, timer, socket, file or logger:
 * the shell (`service/app.ts`) turns the world into events and effects into the world, and ticks it at `wakeAt`.
 */
export class ServiceCore {
  private readonly out = new Outbox();
  private readonly sources = new Map<SourceId, SourceRecord>();
  private readonly meters: Meters;
  private readonly periods: Periods;
  private readonly counters: PersistedState['counters'];
  private readonly intake: Intake;
  private readonly announce: Announce;
  private readonly diagnostics: Diagnostics;
  private readonly persistence: Persistence;
  private readonly prices: Prices | null;
  private readonly extras: MeterExtras;
  private readonly verdicts: Verdicts;
  private readonly said: string[];
  /** A meter's last 48 hours and 31 days (history.ts) for the page, as a copy; null for a meter it does not know. */
  readonly history = (meterId: string) => this.meters.get(meterId)?.historyView(this.prices !== null) ?? null;
  private framesTotal = 0;
  /** The earliest time a tick is needed (see `wakeAt`). */
  private wake = Infinity;

  constructor(private readonly options: CoreOptions) {
    const state = options.state;
    this.counters = state.counters;
    const meterKeys: ReadonlyMap<string, Keys> = new Map((options.meterKeys ?? []).map((k) => [k.systemTitle, k.keys]));
    const meterKeyPrints = new Map([...meterKeys].map(([title, keys]) => [title, keyFingerprint(keys)]));
    this.periods = new Periods(options.timeZone, 2 * options.dataTimeoutMs, state.savedAt, this.out);
    this.verdicts = new Verdicts(this.out, meterKeys.size > 0);
    this.meters = new Meters(state);
    this.said = [...(state.said ?? [])];
    this.persistence = new Persistence(options.persist, 0);
    const settings = { meterKeys, dataTimeoutMs: options.dataTimeoutMs, keepRaw: options.frameLog === true, startedAt: 0, timeZone: options.timeZone };
    options.sources.forEach((spec, i) => this.sources.set(spec.id, new SourceRecord(spec, i, settings)));
    const records = [...this.sources.values()];
    this.intake = new Intake({ timeZone: options.timeZone, meterKeyPrints }, new ReplayGuard(this.counters), this.meters, this.out, records.map((s) => s.keys));
    this.prices = options.prices ? new Prices(options.topics, options.origin, options.prices.area, this.out) : null;
    this.extras = new MeterExtras(options.topics, options.timeZone, 2 * options.dataTimeoutMs, this.prices, options.capacity ?? null, this.out);
    this.announce = new Announce(options.topics, options.origin, this.meters, this.periods.accounting, this.extras, this.out, { timeZone: options.timeZone, publishIntervalMs: options.publishIntervalMs ?? 10_000, capacity: options.capacity ?? null });
    this.diagnostics = new Diagnostics(options.topics, options.origin, options.configurationUrl ?? null, records, this.out);
  }

  step(event: Event): readonly Effect[] {
    switch (event.kind) {
      case 'start':
        this.start(event.at);
        break;
      case 'bytes':
        this.bytes(event.source, event.stream ?? '', event.chunk, event.at);
        break;
      case 'tick':
        this.tick(event.at);
        break;
      case 'hour':
        this.hour(event.at);
        break;
      case 'source':
        this.onSource(event.source, event.state, event.detail, event.at);
        break;
      case 'source-notice':
        this.sources.get(event.source)?.notice(event.text, event.stream, this.out);
        break;
      case 'broker':
        if (event.state === 'connected') {
          this.out.signal('broker-up', null);
          this.out.say('broker-connected', null, {});
          this.announceAll(event.at);
        } else this.out.say(event.state === 'refused' ? 'broker-refused' : 'broker-down', null, { detail: event.detail ?? 'the MQTT broker is not reachable' });
        break;
      case 'ha-online':
        this.announceAll(event.at);
        break;
      case 'prices':
        this.prices?.take(event.table, event.at);
        this.soon(this.prices?.dueAt(event.at) ?? Infinity);
        break;
      case 'saved':
        if (event.error === null) this.out.signal('store-saved', null);
        else this.out.say('store-failed', null, { detail: event.error });
        break;
      case 'stop':
        this.stop(event.at);
        break;
    }
    this.soon(Math.min(this.persistence.dueAt(), this.diagnostics.dueAt()));
    return this.out.take();
  }

  /** Frames accepted, over all sources. */
  get frames(): number {
    return this.framesTotal;
  }

  /**
   * The earliest time at which time alone may change something (a timeout, the diagnostics' cadence, a save, a
   * silent meter going unavailable): the shell arms one timer for it, and ticks the core then. Infinity: nothing
   * is due, and the service sleeps until an event comes.
   */
  get wakeAt(): number {
    return this.wake;
  }

  /** Whether a frame is under way on a source's stream (its first bytes held): the source rests only then (tcp.ts). */
  awaiting(source: SourceId, stream = ''): boolean {
    return this.sources.get(source)?.streams.get(stream)?.decoder.awaiting ?? false;
  }

  security(source: SourceId): SecurityState {
    return this.sources.get(source)?.security ?? 'no_data';
  }

  rejected(source: SourceId, reason: string): number {
    return this.sources.get(source)?.rejected.get(reason) ?? 0;
  }

  /** The persisted state as it stands: a copy, which the core never changes afterwards. */
  snapshot(at: number): PersistedState {
    const { discoveryPrefix, baseTopic } = this.options.topics;
    return { version: STATE_VERSION, savedAt: at, meters: this.meters.persisted(), counters: { ...this.counters }, topics: { discoveryPrefix, baseTopic }, said: [...this.said] };
  }

  private start(at: number): void {
    // The sources' lines and the saves count from the start.
    for (const source of this.sources.values()) source.line.restart(at);
    this.persistence.restart(at);
    for (const n of this.options.startNotices ?? []) this.out.sayAny(n);
    this.announce.findStaleTopics(this.options.state.topics);
    if (!this.said.includes(UPGRADE_ENTITIES)) {
      // Said to installations that had meters before this version, once; a new one has nothing to fix.
      if (this.meters.size > 0) this.out.say('upgrade-entities', null, {});
      this.said.push(UPGRADE_ENTITIES);
    }
    this.diagnostics.discovery();
    this.diagnostics.publish(at, true);
    this.rewake(at);
  }

  private bytes(id: SourceId, name: string, chunk: Uint8Array, at: number): void {
    const source = this.sources.get(id);
    if (!source) return;
    const evicted = source.evicted;
    const stream = source.stream(name, at);
    if (source.evicted !== evicted) this.out.say('too-many-streams', source.scope, { max: MAX_STREAMS, source: source.spec.name });
    source.line.bytes(chunk.length, at);
    stream.keyCheck.bytes(at);
    this.out.signal('bytes', source.scope);
    stream.decoder.feed(chunk, (result, raw) => this.onResult(source, stream, result, raw, at));
    this.soon(source.line.dueAt(at));
  }

  private onResult(source: SourceRecord, stream: StreamRecord, result: DecodeResult, raw: readonly Buffer[] | undefined, at: number): void {
    source.line.framed(at);
    this.out.signal('frame-formed', source.scope);
    const outcome = result.ok ? this.onFrame(source, stream, result.frame, at) : null;
    // A frame refused for its protection says nothing of the keys: the key check keeps what the protected frames gave.
    if (outcome !== 'not-protected') stream.keyCheck.observe(result, at);
    this.soon(stream.keyCheck.dueAt ?? Infinity);
    if (!result.ok) this.verdicts.rejected(source, stream, result.error);
    if (raw !== undefined) this.verdicts.logFrame(source, stream, result, raw, outcome, at);
    // After the frame is counted, so that the diagnostics this change publishes include it.
    if (stream.securityChanged) this.keysChanged(source, stream, at);
  }

  private onFrame(source: SourceRecord, stream: StreamRecord, frame: DecodedFrame, at: number): Outcome {
    const admission = this.intake.admit(source, stream, frame, at);
    if (admission.outcome !== 'accepted') return admission.outcome;
    this.accept(source, admission.meter, frame, at, admission.clock, admission.guardClock);
    return 'accepted';
  }

  private accept(source: SourceRecord, meter: Meter, frame: DecodedFrame, at: number, clock: number | null, guardClock: number | null): void {
    source.frames++;
    this.framesTotal++;
    if (source.line.accepted(at)) this.out.signal('checksums-pass', source.scope);
    this.out.signal('frame-decoded', source.scope);
    if (this.framesTotal === 1) this.out.say('first-frame', null, { list: frame.list, readings: frame.readings.length, meter: meter.id });
    if (frame.unitRule !== null) this.out.say('unit-rule', meter.scope, { meter: meter.id, list: frame.list, rule: frame.unitRule });

    const periodsChanged = this.periods.observe(meter, frame.readings, at);
    meter.record(frame, at, clock, guardClock);
    const windowClosed = this.extras.active && this.extras.observe(meter, at);
    this.announce.meter(meter, periodsChanged || windowClosed, at, frame);
    if (!meter.online) this.announce.online(meter, true);
    this.soon(Math.min(at + this.options.dataTimeoutMs, this.extras.dueAt(at), this.announce.dueAt(meter)));
    this.persistence.changed(periodsChanged || windowClosed);
    this.save(at, false);
  }

  private keysChanged(source: SourceRecord, stream: StreamRecord, at: number): void {
    this.verdicts.keysChanged(source, stream);
    this.diagnostics.publish(at, true);
  }

  private onSource(id: SourceId, state: SourceState, detail: string | undefined, at: number): void {
    const source = this.sources.get(id);
    if (!source) return;
    if (source.changeState(state, detail, at, this.out)) this.diagnostics.publish(at, true);
    this.soon(source.line.dueAt(at));
  }

  private tick(at: number): void {
    const timeout = this.options.dataTimeoutMs;
    for (const source of this.sources.values()) {
      for (const stream of source.streams.values()) {
        stream.keyCheck.tick(at);
        if (stream.securityChanged) this.keysChanged(source, stream, at);
      }
      sayLine(source, at, timeout, this.out);
    }
    this.diagnostics.publish(at, false);
    this.prices?.tick(at);
    for (const meter of this.meters.values()) {
      if (meter.online && at - meter.lastFrameAt >= timeout) this.announce.online(meter, false);
      const windowClosed = this.extras.active && this.extras.tick(meter, at);
      if ((windowClosed && meter.heard) || this.announce.due(meter, at)) this.announce.meter(meter, windowClosed, at);
      if (windowClosed) this.persistence.changed(true);
    }
    this.save(at, false);
    this.rewake(at);
  }

  /** At each full hour: close the energy periods of silent meters, so that "last hour" is never a stale hour. */
  private hour(at: number): void {
    for (const meter of this.meters.values()) {
      const closed = this.periods.hour(meter, at);
      if (closed && meter.heard) this.announce.meter(meter, true, at);
      if (closed) this.persistence.changed(true);
    }
    this.save(at, false);
    this.out.hourly();
    this.rewake(at);
  }

  private stop(at: number): void {
    this.save(at, true);
    this.announce.offline();
  }

  /** Everything again, in order: availability, discovery, state. After a (re)connect and when Home Assistant asks. */
  private announceAll(at: number): void {
    this.announce.all();
    this.diagnostics.discovery();
    this.prices?.discovery();
    this.announce.everyMeter(at);
    this.diagnostics.publish(at, true);
  }

  private save(at: number, force: boolean): void {
    if (!this.persistence.due(at, force)) return;
    this.out.push({ kind: 'persist', state: this.snapshot(at) });
  }

  /** Something may be due at `t`: the next wake is no later. */
  private soon(t: number): void {
    if (t < this.wake) this.wake = t;
  }

  /** Works out the next wake from every machine: after a tick, when the last one was spent. */
  private rewake(at: number): void {
    let wake = Math.min(this.diagnostics.dueAt(), this.persistence.dueAt(), this.prices?.dueAt(at) ?? Infinity, this.extras.dueAt(at), this.announce.dueAt());
    for (const source of this.sources.values()) {
      wake = Math.min(wake, source.line.dueAt(at));
      for (const stream of source.streams.values()) wake = Math.min(wake, stream.keyCheck.dueAt ?? Infinity);
    }
    for (const meter of this.meters.values()) if (meter.online) wake = Math.min(wake, meter.lastFrameAt + this.options.dataTimeoutMs);
    this.wake = wake > at ? wake : at + 1000;
  }
}
