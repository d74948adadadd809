import { Accounting } from '../accounting/accounting.js';
import type { DecodedFrame, DecodeResult } from '../decoder.js';
import { keyFingerprint, type Keys } from '../dlms/cipher.js';
import { securityAdvice, type SecurityState } from '../diagnostics/key-check.js';
import { AuthenticationError, KeyMissingError, type PowerMeterError } from '../errors.js';
import { accountedRegisters, type Origin, type Topics } from '../ha/discovery.js';
import type { PriceArea } from '../prices/settings.js';
import { MAX_STREAMS, type SourceState } from '../source/source.js';
import { Announce } from './announce.js';
import { Diagnostics } from './diagnostics.js';
import { MeterExtras, type CapacitySetting } from './extras.js';
import type { Effect, Event, SourceId, SourceSpec } from './events.js';
import { Intake, outcomeDetail, type Outcome } from './intake.js';
import type { Meter } from './meter.js';
import { Meters } from './meters.js';
import type { Level } from './notices.js';
import { Outbox, type AnyNotice } from './outbox.js';
import { PeriodClock } from './period-clock.js';
import { Prices } from './prices.js';
import { Persistence } from './persistence.js';
import { emptyState, STATE_VERSION, type PersistedState } from './persisted.js';
import { ReplayGuard } from './replay-guard.js';
import { SourceRecord, type StreamRecord } from './streams.js';

export interface CoreOptions {
  readonly sources: readonly SourceSpec[];
  /** Without bytes, or without frames, for this long a source's line is in trouble; its meters are unavailable. */
  readonly dataTimeoutMs: number;
  readonly topics: Topics;
  readonly origin: Origin;
  /** The Home Assistant time zone: meter clocks and energy periods are read in it. */
  readonly timeZone: string;
  /** What the last run left (an empty state when there was none). */
  readonly state: PersistedState;
  /** Whether to ask for the state to be saved: false keeps it in memory only (the demo, a newer state file). */
  readonly persist: boolean;
  /** Said at the start: what loading the state file or reading the time zone found wrong. */
  readonly startNotices?: readonly AnyNotice[];
  /** Where the PowerMeter device's page links to: the add-on in Home Assistant; null outside the add-on. */
  readonly configurationUrl?: string | null;
  /** Keys by system title (meter_keys), for every source, before the source's own keys. */
  readonly meterKeys?: readonly { readonly systemTitle: string; readonly keys: Keys }[];
  /** Emit a `frame` effect for every frame, with its raw bytes (the page's frame log). */
  readonly frameLog?: boolean;
  /** The Danish electricity price device, and each meter's cost: the area whose prices the shell fetches. */
  readonly prices?: { readonly area: PriceArea } | null;
  /** The capacity tariff's rule and steps, for each meter's import. */
  readonly capacity?: CapacitySetting | null;
}

/** The one-time note of the upgrade that changed which sensors are enabled and which have a state class. */
const UPGRADE_ENTITIES = 'entities-0.2';

const securityLevel: Record<SecurityState, Level> = {
  authenticated: 'info',
  encryption_only: 'info',
  not_authenticated: 'warn',
  not_encrypted: 'info',
  keys_swapped: 'warn',
  wrong_authentication_key: 'error',
  wrong_encryption_key: 'error',
  key_missing: 'error',
  // The line's own notices (no-bytes, no-frames) say these, with what to do: the key check's line would say it twice.
  no_frames: 'debug',
  no_data: 'debug',
};
/** The key check's verdicts that mean the keys are wrong or missing: counted once an hour while they last. */
const keyTrouble = new Set<SecurityState>(['wrong_authentication_key', 'wrong_encryption_key', 'key_missing']);

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
  private readonly accounting: Accounting;
  private readonly counters: PersistedState['counters'];
  private readonly intake: Intake;
  private readonly announce: Announce;
  private readonly diagnostics: Diagnostics;
  private readonly persistence: Persistence;
  private readonly prices: Prices | null;
  private readonly extras: MeterExtras;
  private readonly periodClock: PeriodClock;
  private readonly meterKeys: ReadonlyMap<string, Keys>;
  private readonly said: string[];
  private startedAt = 0;
  private framesTotal = 0;
  /** The earliest time a tick is needed (see `wakeAt`). */
  private wake = Infinity;

  constructor(private readonly options: CoreOptions) {
    const state = options.state;
    this.counters = state.counters;
    this.meterKeys = new Map((options.meterKeys ?? []).map((k) => [k.systemTitle, k.keys]));
    const meterKeyPrints = new Map([...this.meterKeys].map(([title, keys]) => [title, keyFingerprint(keys)]));
    this.accounting = new Accounting(options.timeZone, 2 * options.dataTimeoutMs);
    this.meters = new Meters(state);
    this.said = [...(state.said ?? [])];
    this.periodClock = new PeriodClock(state.savedAt);
    this.persistence = new Persistence(options.persist, 0);
    const settings = { meterKeys: this.meterKeys, dataTimeoutMs: options.dataTimeoutMs, keepRaw: options.frameLog === true, startedAt: 0 };
    options.sources.forEach((spec, i) => this.sources.set(spec.id, new SourceRecord(spec, i, settings)));
    const records = [...this.sources.values()];
    this.intake = new Intake({ timeZone: options.timeZone, meterKeyPrints }, new ReplayGuard(this.counters), this.meters, this.out, records.map((s) => s.keys));
    this.prices = options.prices ? new Prices(options.topics, options.origin, options.prices.area, this.out) : null;
    this.extras = new MeterExtras(options.topics, options.timeZone, 2 * options.dataTimeoutMs, this.prices, options.capacity ?? null, this.out);
    this.announce = new Announce(options.topics, options.origin, this.meters, this.accounting, this.extras, this.out);
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
      case 'source-notice': {
        const source = this.sources.get(event.source);
        if (source) this.out.say('source-notice', event.stream === undefined ? source.scope : `stream=${event.stream}`, { text: event.text });
        break;
      }
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

  // --- what the shell and the diagnostics read ------------------------------------------------------------------

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

  // --- events ----------------------------------------------------------------------------------------------------

  private start(at: number): void {
    this.startedAt = at;
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
    if (!result.ok) this.onRejected(source, stream, result.error);
    if (raw !== undefined) this.logFrame(source, stream, result, raw, outcome, at);
    // After the frame is counted, so that the diagnostics this change publishes include it.
    if (stream.securityChanged) this.securityChanged(source, stream, at);
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

    // The energy periods take the register's previous reading as their last, so they are advanced first, by the
    // periods' own time, which never steps back under them.
    const periodsAt = this.periodTime(at);
    let periodsChanged = false;
    for (const r of frame.readings) {
      if (!(r.key in accountedRegisters)) continue;
      const last = meter.last(r.key);
      periodsChanged = this.accounting.observe(meter.periodsOf(r.key), last === null ? null : { value: last.value, at: Math.min(last.at, periodsAt) }, r.value, periodsAt) || periodsChanged;
    }
    meter.record(frame, at, clock, guardClock);
    const windowClosed = this.extras.active && this.extras.observe(meter, at);
    this.announce.meter(meter, periodsChanged || windowClosed, at);
    if (!meter.online) this.announce.online(meter, true);
    this.soon(Math.min(at + this.options.dataTimeoutMs, this.extras.dueAt(at)));
    this.persistence.changed(periodsChanged || windowClosed);
    this.save(at, false);
  }

  private periodTime(at: number): number {
    const t = this.periodClock.time(at);
    if (t.behindMs > 2000) this.out.say('clock-back', null, { behind: duration(t.behindMs), until: new Date(t.at).toISOString() });
    else if (t.behindMs === 0) this.out.signal('clock-caught-up', null);
    return t.at;
  }

  private onRejected(source: SourceRecord, stream: StreamRecord, error: PowerMeterError): void {
    const reason = error.reason;
    source.count(reason);
    if (error instanceof KeyMissingError && error.systemTitle !== null && this.missingKeysPerMeter(source)) {
      this.out.say('meter-without-key', `system_title=${error.systemTitle}`, { systemTitle: error.systemTitle, stream: stream.name || source.spec.name });
    }
    if (error.layer === 'security') {
      // The key check says it once per change; this counts, once an hour, while it lasts.
      if (keyTrouble.has(stream.keyCheck.state)) this.out.say('keys-failing', stream.scope, {});
      return;
    }
    if (reason === 'unsupported-list') {
      this.out.say('unsupported-list', source.scope, { message: error.message });
      return;
    }
    this.out.say('rejected', source.scope, { reason, message: error.message });
    if ((reason === 'checksum' || reason === 'closing-flag') && source.line.checksumFailed()) {
      const { baudRate, parity, remoteLine } = source.spec;
      this.out.say('line-settings', source.scope, { failed: source.line.windowFailed, decoded: source.line.windowDecoded, baudRate, parity, bridge: remoteLine });
    }
  }

  private logFrame(source: SourceRecord, stream: StreamRecord, result: DecodeResult, raw: readonly Buffer[], outcome: Outcome | null, at: number): void {
    const e = result.ok ? null : result.error;
    const titled = e instanceof KeyMissingError || e instanceof AuthenticationError ? e.systemTitle : null;
    let size = 0;
    for (const r of raw) size += r.length;
    this.out.push({
      kind: 'frame',
      entry: {
        at,
        source: source.spec.id,
        stream: stream.name,
        raw,
        size,
        list: result.ok ? result.frame.list : null,
        meterId: result.ok ? result.frame.meterId : null,
        systemTitle: result.ok ? result.frame.systemTitle : titled,
        verdict: outcome ?? e?.reason ?? 'accepted',
        detail: outcome !== null ? outcomeDetail[outcome] : (e?.message ?? null),
      },
    });
  }

  private securityChanged(source: SourceRecord, stream: StreamRecord, at: number): void {
    stream.securityChanged = false;
    const state = stream.keyCheck.state;
    if (!keyTrouble.has(state) && securityLevel[state] === 'info') this.out.signal('keys-ok', stream.scope);
    // A source of many streams says only trouble: "keys OK" for each of a thousand bridges is noise, and a meter
    // without keys is said once by its own notice, which names its system title.
    const quiet = state === 'key_missing' ? this.missingKeysPerMeter(source) : source.spec.multiStream === true && securityLevel[state] === 'info';
    this.out.say('keys', stream.scope, { advice: securityAdvice[state], level: quiet ? 'debug' : securityLevel[state] });
    this.diagnostics.publish(at, true);
  }

  /**
   * Missing keys are said per meter, with its system title (`meter-without-key`), where a source may carry meters
   * keyed by title: then the key check's own `key_missing` line would say it a second time, without the title.
   */
  private missingKeysPerMeter(source: SourceRecord): boolean {
    return source.spec.multiStream === true || this.meterKeys.size > 0;
  }

  private onSource(id: SourceId, state: SourceState, detail: string | undefined, at: number): void {
    const source = this.sources.get(id);
    if (!source) return;
    const was = source.state;
    source.state = state;
    if (state === 'connected') {
      source.line.connectedAt = at;
      this.out.say('source-connected', source.scope, {});
      this.out.signal('source-up', source.scope);
    } else if (state === 'disconnected') {
      source.line.connectedAt = null;
      // Said once per outage; the retries in between are only debug.
      if (!this.out.isActive('source-down', source.scope)) this.out.say('source-down', source.scope, { detail: detail ?? 'connection lost' });
      else this.out.say('source-retry', source.scope, { detail: detail ?? 'connection lost' });
    }
    if (state !== was) this.diagnostics.publish(at, true);
    this.soon(source.line.dueAt(at));
  }

  private tick(at: number): void {
    const timeout = this.options.dataTimeoutMs;
    for (const source of this.sources.values()) {
      for (const stream of source.streams.values()) {
        stream.keyCheck.tick(at);
        if (stream.securityChanged) this.securityChanged(source, stream, at);
      }
      this.lineTick(source, at);
    }
    this.diagnostics.publish(at, false);
    this.prices?.tick(at);
    for (const meter of this.meters.values()) {
      if (meter.online && at - meter.lastFrameAt >= timeout) this.announce.online(meter, false);
      if (this.extras.active && this.extras.tick(meter, at)) {
        if (meter.heard) this.announce.meter(meter, true, at);
        this.persistence.changed(true);
      }
    }
    this.save(at, false);
    this.rewake(at);
  }

  private lineTick(source: SourceRecord, at: number): void {
    const line = source.line;
    const seconds = Math.round(this.options.dataTimeoutMs / 1000);
    const state = line.state(at);
    if (state === 'no-bytes') {
      this.out.say('no-bytes', source.scope, { seconds, everHeard: line.lastBytesAt !== null, redial: source.spec.redial });
      // A bridge that sends nothing may be half-open (it lost power, Wi-Fi dropped): dial it again. One that sends
      // bytes, even bad ones, is connected: dialling again would not help.
      if (source.spec.redial && source.state === 'connected' && line.redialDue(at)) this.out.push({ kind: 'redial', source: source.spec.id, reason: `no bytes for ${seconds} s` });
    } else if (state === 'no-frames') {
      const { baudRate, parity, remoteLine } = source.spec;
      this.out.say('no-frames', source.scope, { seconds, bytesPerSecond: line.bytesPerSecond(at), baudRate, parity, bridge: remoteLine });
    }
  }

  /** At each full hour: close the energy periods of silent meters, so that "last hour" is never a stale hour. */
  private hour(at: number): void {
    const periodsAt = this.periodTime(at);
    for (const meter of this.meters.values()) {
      let closed = false;
      for (const register of Object.keys(accountedRegisters)) {
        const periods = meter.periods[register];
        if (periods) closed = this.accounting.tick(periods, meter.last(register), periodsAt) || closed;
      }
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

  // --- when to wake ------------------------------------------------------------------------------------------------

  /** Something may be due at `t`: the next wake is no later. */
  private soon(t: number): void {
    if (t < this.wake) this.wake = t;
  }

  /** Works out the next wake from every machine: after a tick, when the last one was spent. */
  private rewake(at: number): void {
    let wake = Math.min(this.diagnostics.dueAt(), this.persistence.dueAt(), this.prices?.dueAt(at) ?? Infinity, this.extras.dueAt(at));
    for (const source of this.sources.values()) {
      wake = Math.min(wake, source.line.dueAt(at));
      for (const stream of source.streams.values()) wake = Math.min(wake, stream.keyCheck.dueAt ?? Infinity);
    }
    for (const meter of this.meters.values()) if (meter.online) wake = Math.min(wake, meter.lastFrameAt + this.options.dataTimeoutMs);
    this.wake = wake > at ? wake : at + 1000;
  }
}

/** "2 h 5 min", "40 s": how far a clock is off. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.round(h / 24)} days`;
}

export { emptyState };
