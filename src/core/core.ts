import { Accounting } from '../accounting/accounting.js';
import { meterInstant } from '../accounting/time-zone.js';
import { Decoder, type DecodedFrame, type DecodeResult } from '../decoder.js';
import { keyFingerprint, type Keys } from '../dlms/cipher.js';
import { KeyCheck, securityAdvice, type SecurityState } from '../diagnostics/key-check.js';
import { AuthenticationError, KeyMissingError, type PowerMeterError } from '../errors.js';
import { bridgeDiscovery, bridgeDiscoveryTopic, bridgePayload, bridgeStateTopic, sourceSuffix, type BridgeState } from '../ha/bridge.js';
import {
  accountedRegisters,
  accountingTopic,
  availabilityTopic,
  discoveryTopic,
  meterAvailabilityTopic,
  meterDiscovery,
  stateTopic,
  type Origin,
  type Topics,
} from '../ha/discovery.js';
import { meterState, periodAttributes } from '../ha/state.js';
import { isEnergy } from '../obis/readings.js';
import { MAX_STREAMS, type SourceState } from '../source/source.js';
import type { Sample } from './energy-guard.js';
import { CONFIRM_FRAMES } from './energy-guard.js';
import type { Effect, Event, SourceId, SourceSpec } from './events.js';
import { Meter } from './meter.js';
import { NoticeBoard, type ContextOf, type Level, type Notice, type NoticeId } from './notices.js';
import { emptyState, STATE_VERSION, type PersistedState } from './persisted.js';
import { ReplayGuard } from './replay-guard.js';

export interface CoreOptions {
  readonly sources: readonly SourceSpec[];
  /** Without a good frame for this long, a source's meters are unavailable and its problem sensor is on. */
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
  readonly startNotices?: readonly { [K in NoticeId]: { id: K; context: ContextOf<K> } }[NoticeId][];
  /** Where the PowerMeter device's page links to: the add-on in Home Assistant; null outside the add-on. */
  readonly configurationUrl?: string | null;
  /** Keys by system title (meter_keys), for every source, before the source's own keys. */
  readonly meterKeys?: readonly { readonly systemTitle: string; readonly keys: Keys }[];
  /** Emit a `frame` effect for every frame, with its raw bytes (the page's frame log). */
  readonly frameLog?: boolean;
}

/** What became of a decoded frame in the core. */
type Outcome = 'accepted' | 'replay' | 'energy-held' | 'waiting-for-meter-id';
const outcomeDetail: Record<Outcome, string | null> = {
  accepted: null,
  replay: 'refused: its invocation counter is not above the last accepted one (a replayed frame)',
  'energy-held': 'held back: an energy total is implausible (see the log)',
  'waiting-for-meter-id': 'waiting for a frame that names the meter',
};

/** The one-time note of the upgrade that changed which sensors are enabled and which have a state class. */
const UPGRADE_ENTITIES = 'entities-0.2';

/** The state is saved at least this often; and at once when an energy period closes. */
const PERSIST_EVERY_MS = 5 * 60_000;
/** Saves that a closing period asks for at once are at most this often; the rest wait for the next tick. */
const SAVE_GAP_MS = 1000;
/** The diagnostics are published when something significant changes, and at least this often for the counters. */
const BRIDGE_EVERY_MS = 10_000;
/** After this many checksum failures, more than twice the good frames, the line settings are the likely cause. */
const CHECKSUM_HINT_AFTER = 5;
/** This many good frames in a row, without a checksum failure, and the line is fine again. */
const CHECKSUMS_PASS_AFTER = 30;
/** Frames of lists that do not name their meter wait this long for one that does, then belong to "meter". */
const ANONYMOUS_FRAMES = 10;

const securityLevel: Record<SecurityState, Level> = {
  authenticated: 'info',
  encryption_only: 'info',
  not_encrypted: 'info',
  keys_swapped: 'warn',
  wrong_authentication_key: 'error',
  wrong_encryption_key: 'error',
  key_missing: 'error',
  // The `stale` notice says it, with what to do: the key check's own line would say it twice.
  no_data: 'debug',
};

const NOTHING: readonly Effect[] = Object.freeze([]);

/** Severity of a key check verdict, to say one for a source of many streams: the worst of them. */
const securityRank: Record<SecurityState, number> = {
  wrong_encryption_key: 7,
  wrong_authentication_key: 6,
  key_missing: 5,
  keys_swapped: 4,
  authenticated: 3,
  encryption_only: 2,
  not_encrypted: 1,
  no_data: 0,
};

/** One byte stream: a serial port, a TCP bridge, or one topic under an MQTT wildcard. Frames never cross streams. */
class StreamRecord {
  readonly decoder: Decoder;
  readonly keyCheck: KeyCheck;
  /** For notices about this stream: the source's own scope when it has only one. */
  readonly scope: string;
  securityChanged = false;
  /** A HAN port carries one meter: frames of lists that do not name it (Kaifa list 1) belong to the last one named. */
  lastMeterId: string | null = null;
  anonymousFrames = 0;

  constructor(
    readonly name: string,
    source: SourceSpec,
    meterKeys: ReadonlyMap<string, Keys>,
    dataTimeoutMs: number,
    sourceScope: string,
    keepRaw: boolean,
  ) {
    this.decoder = new Decoder({ keys: source.keys, meterKeys, energyMultiplier: source.energyMultiplier, profile: source.profile, keepRaw });
    this.keyCheck = new KeyCheck(dataTimeoutMs, () => (this.securityChanged = true));
    this.scope = source.multiStream ? `stream=${name}` : sourceScope;
  }
}

/** Everything the core knows about one source. */
class SourceRecord {
  /** By name ("" for a source of one stream); a stream is made when its first bytes come. */
  readonly streams = new Map<string, StreamRecord>();
  readonly scope: string;
  /** The fields of its diagnostics: "" for the first source, "_2" for the second… */
  readonly suffix: string;
  state: SourceState = 'connecting';
  /** Frames accepted: decoded, not replayed, not held back. */
  frames = 0;
  /** Frames refused, by reason. */
  readonly rejected = new Map<string, number>();
  lastGoodAt: number | null = null;
  connectedAt: number | null = null;
  lastRedialAt = 0;
  /** Checksum failures and good frames since the line last looked fine. */
  windowFailed = 0;
  windowDecoded = 0;
  goodInARow = 0;
  /** What the diagnostics said last. */
  published: BridgeState | null = null;
  /** The fingerprint of the source's own keys, for the replay counters of meters not in meter_keys. */
  readonly keys: string;

  constructor(
    readonly spec: SourceSpec,
    index: number,
    private readonly meterKeys: ReadonlyMap<string, Keys>,
    private readonly dataTimeoutMs: number,
    private readonly keepRaw: boolean,
  ) {
    this.scope = `source=${spec.name}`;
    this.suffix = sourceSuffix(index);
    this.keys = keyFingerprint(spec.keys);
  }

  /** Streams forgotten because there were too many (topics under a wildcard). */
  evicted = 0;

  /**
   * The stream of that name, made when its first bytes come. The map is kept in order of use (the last heard at its
   * end) and bounded: past MAX_STREAMS the idlest is forgotten, with the half frame its framer held.
   */
  stream(name: string): StreamRecord {
    let stream = this.streams.get(name);
    if (stream) {
      if (this.streams.size > 1) {
        this.streams.delete(name);
        this.streams.set(name, stream);
      }
      return stream;
    }
    if (this.streams.size >= MAX_STREAMS) {
      const idlest = this.streams.keys().next().value;
      if (idlest !== undefined) this.streams.delete(idlest);
      this.evicted++;
    }
    this.streams.set(name, (stream = new StreamRecord(name, this.spec, this.meterKeys, this.dataTimeoutMs, this.scope, this.keepRaw)));
    return stream;
  }

  /** The key check of the source: its stream's, or the worst of its streams'. */
  get security(): SecurityState {
    let worst: SecurityState = 'no_data';
    for (const s of this.streams.values()) if (securityRank[s.keyCheck.state] > securityRank[worst]) worst = s.keyCheck.state;
    return worst;
  }

  count(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  rejectedFor(...reasons: string[]): number {
    let n = 0;
    for (const r of reasons) n += this.rejected.get(r) ?? 0;
    return n;
  }
}

/**
 * The service as a pure object: `step(event) → effects`. It owns the decoders, the meters (each with one place for
 * its last values), the energy guard, the energy periods, the replay counters, the key check and the notices. It has
 * no clock, timer, socket, file or logger: the shell around it (`service/app.ts`) turns the world into events and
 * effects into the world. Per-frame trouble is counted and said once, by the notice table; nothing here throws on
 * bad input.
 */
export class ServiceCore {
  private readonly sources = new Map<SourceId, SourceRecord>();
  private readonly meters = new Map<string, Meter>();
  private readonly accounting: Accounting;
  private readonly notices = new NoticeBoard();
  private readonly counters: PersistedState['counters'];
  private startedAt = 0;
  private framesTotal = 0;
  private lastPersist = 0;
  /** A save was asked for and waits for `SAVE_GAP_MS` since the last one; the next tick does it. */
  private persistPending = false;
  private lastSaveAt = -Infinity;
  private out: Effect[] = [];
  /** Retained topics of an earlier run's discovery prefix or base topic: cleared on every announce of this run. */
  private readonly stale: string[] = [];
  private readonly said: string[];
  private readonly replay: ReplayGuard;
  private readonly meterKeys: ReadonlyMap<string, Keys>;
  /** The fingerprint of each meter's entry in meter_keys. */
  private readonly meterKeyPrints = new Map<string, string>();
  /** When the diagnostics were last published, and whether a change asks for them at once. */
  private bridgePublishedAt = 0;

  constructor(private readonly options: CoreOptions) {
    const state = options.state;
    this.counters = state.counters;
    this.replay = new ReplayGuard(this.counters);
    this.meterKeys = new Map((options.meterKeys ?? []).map((k) => [k.systemTitle, k.keys]));
    for (const [title, keys] of this.meterKeys) this.meterKeyPrints.set(title, keyFingerprint(keys));
    this.accounting = new Accounting(options.timeZone, 2 * options.dataTimeoutMs);
    for (const [id, m] of Object.entries(state.meters)) this.meters.set(id, new Meter(id, m));
    options.sources.forEach((spec, i) => this.sources.set(spec.id, new SourceRecord(spec, i, this.meterKeys, options.dataTimeoutMs, options.frameLog === true)));
    this.said = [...(state.said ?? [])];
  }

  step(event: Event): readonly Effect[] {
    switch (event.kind) {
      case 'start':
        this.start(event.at);
        break;
      case 'bytes': {
        const source = this.sources.get(event.source);
        if (!source) break;
        const evicted = source.evicted;
        const stream = source.stream(event.stream ?? '');
        if (source.evicted !== evicted) this.say('too-many-streams', source.scope, { max: MAX_STREAMS, source: source.spec.name });
        stream.decoder.feed(event.chunk, (result, raw) => this.onResult(source, stream, result, raw, event.at));
        break;
      }
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
        if (source) this.say('source-notice', event.stream === undefined ? source.scope : `stream=${event.stream}`, { text: event.text });
        break;
      }
      case 'broker':
        if (event.state === 'connected') {
          this.signal('broker-up', null);
          this.say('broker-connected', null, {});
          this.announce(event.at);
        } else this.say(event.state === 'refused' ? 'broker-refused' : 'broker-down', null, { detail: event.detail ?? 'the MQTT broker is not reachable' });
        break;
      case 'ha-online':
        this.announce(event.at);
        break;
      case 'saved':
        if (event.error === null) this.signal('store-saved', null);
        else this.say('store-failed', null, { detail: event.error });
        break;
      case 'stop':
        this.stop(event.at);
        break;
    }
    if (this.out.length === 0) return NOTHING;
    const out = this.out;
    this.out = [];
    return out;
  }

  // --- what the shell and the diagnostics read ------------------------------------------------------------------

  /** Frames accepted, over all sources. */
  get frames(): number {
    return this.framesTotal;
  }

  security(source: SourceId): SecurityState {
    return this.sources.get(source)?.security ?? 'no_data';
  }

  rejected(source: SourceId, reason: string): number {
    return this.sources.get(source)?.rejected.get(reason) ?? 0;
  }

  /** The persisted state as it stands (saved by the shell when the core asks). */
  snapshot(at: number): PersistedState {
    const meters: PersistedState['meters'] = {};
    for (const [id, m] of this.meters) meters[id] = m.persisted();
    const { discoveryPrefix, baseTopic } = this.options.topics;
    return { version: STATE_VERSION, savedAt: at, meters, counters: this.counters, topics: { discoveryPrefix, baseTopic }, said: this.said };
  }

  // --- events ----------------------------------------------------------------------------------------------------

  private start(at: number): void {
    this.startedAt = at;
    this.lastPersist = at;
    for (const n of this.options.startNotices ?? []) this.sayAny(n);
    this.findStaleTopics();
    if (!this.said.includes(UPGRADE_ENTITIES)) {
      // Said to installations that had meters before this version, once; a new one has nothing to fix.
      if (this.meters.size > 0) this.say('upgrade-entities', null, {});
      this.said.push(UPGRADE_ENTITIES);
    }
    this.publish(bridgeDiscoveryTopic(this.options.topics), this.bridgeConfig(), true);
    this.publishBridge(at, true);
  }

  private bridgeConfig(): Record<string, unknown> {
    const sources = [...this.sources.values()].map((s) => ({ suffix: s.suffix, name: s.spec.name }));
    return bridgeDiscovery(this.options.topics, this.options.origin, this.options.configurationUrl ?? null, sources);
  }

  /**
   * When the discovery prefix or the base topic changed since the last run, what was retained under the old ones
   * (device configs, availability) would keep a dead copy of every device in Home Assistant: it is cleared with empty
   * retained messages. The meters' own devices keep their ids, so their history stays.
   */
  private findStaleTopics(): void {
    const before = this.options.state.topics;
    const now = this.options.topics;
    if (!before || (before.discoveryPrefix === now.discoveryPrefix && before.baseTopic === now.baseTopic)) return;
    const stale = new Set<string>([bridgeDiscoveryTopic(before)]);
    if (before.baseTopic !== now.baseTopic) stale.add(availabilityTopic(before));
    for (const id of this.meters.keys()) {
      if (before.discoveryPrefix !== now.discoveryPrefix) stale.add(discoveryTopic(before, id));
      if (before.baseTopic !== now.baseTopic) stale.add(meterAvailabilityTopic(before, id));
    }
    for (const t of [bridgeDiscoveryTopic(now), availabilityTopic(now), ...[...this.meters.keys()].flatMap((id) => [discoveryTopic(now, id), meterAvailabilityTopic(now, id)])]) stale.delete(t);
    this.stale.push(...stale);
    const what = before.discoveryPrefix !== now.discoveryPrefix && before.baseTopic !== now.baseTopic ? 'discovery_prefix and base_topic' : before.discoveryPrefix !== now.discoveryPrefix ? 'discovery_prefix' : 'base_topic';
    this.say('topics-changed', null, { what, count: stale.size });
  }

  private onResult(source: SourceRecord, stream: StreamRecord, result: DecodeResult, raw: readonly Buffer[] | undefined, at: number): void {
    stream.keyCheck.observe(result, at);
    const outcome = result.ok ? this.onFrame(source, stream, result.frame, at) : null;
    if (!result.ok) this.onRejected(source, stream, result.error);
    if (raw !== undefined) {
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
    // After the frame is counted, so that the diagnostics this change publishes include it.
    if (stream.securityChanged) this.securityChanged(source, stream, at);
  }

  private securityChanged(source: SourceRecord, stream: StreamRecord, at: number): void {
    stream.securityChanged = false;
    const state = stream.keyCheck.state;
    // A source of many streams says only trouble: "keys OK" for each of a thousand bridges is noise, and a meter
    // without keys is said once by its own notice, which names its system title.
    const quiet = state === 'key_missing' ? this.missingKeysPerMeter(source) : source.spec.multiStream === true && securityLevel[state] === 'info';
    this.say('keys', stream.scope, { advice: securityAdvice[state], level: quiet ? 'debug' : securityLevel[state] });
    this.publishBridge(at, true);
  }

  /**
   * Missing keys are said per meter, with its system title (`meter-without-key`), where a source may carry meters
   * keyed by title: then the key check's own `key_missing` line would say it a second time, without the title.
   */
  private missingKeysPerMeter(source: SourceRecord): boolean {
    return source.spec.multiStream === true || this.meterKeys.size > 0;
  }

  private onRejected(source: SourceRecord, stream: StreamRecord, error: PowerMeterError): void {
    const reason = error.reason;
    source.count(reason);
    if (error instanceof KeyMissingError && error.systemTitle !== null && this.missingKeysPerMeter(source)) {
      this.say('meter-without-key', `system_title=${error.systemTitle}`, { systemTitle: error.systemTitle, stream: stream.name || source.spec.name });
    }
    if (error.layer === 'security') return; // the key check says it, once per change
    if (reason === 'unsupported-list') {
      this.say('unsupported-list', source.scope, { message: error.message });
      return;
    }
    this.say('rejected', source.scope, { reason, message: error.message });
    if (reason !== 'checksum' && reason !== 'closing-flag') return;
    source.goodInARow = 0;
    source.windowFailed++;
    // Most frames failing their checksum means the line settings, not noise.
    if (source.windowFailed >= CHECKSUM_HINT_AFTER && source.windowFailed > 2 * source.windowDecoded) {
      const { baudRate, parity, remoteLine } = source.spec;
      this.say('line-settings', source.scope, { failed: source.windowFailed, decoded: source.windowDecoded, baudRate, parity, bridge: remoteLine });
    }
  }

  private onFrame(source: SourceRecord, stream: StreamRecord, frame: DecodedFrame, at: number): Outcome {
    if (frame.systemTitle !== null && frame.frameCounter !== null && (frame.protection === 'authenticated-encrypted' || frame.protection === 'authenticated')) {
      const keys = this.meterKeyPrints.get(frame.systemTitle) ?? source.keys;
      const replay = this.replay.check(frame.systemTitle, frame.frameCounter, keys);
      if (replay.replay) {
        source.count('replay');
        this.say('replay', `system_title=${frame.systemTitle}`, { counter: frame.frameCounter, last: replay.last });
        return 'replay';
      }
      if (!this.notices.quiet) this.signal('counter-advanced', `system_title=${frame.systemTitle}`);
    }

    if (frame.meterId) {
      if (stream.lastMeterId !== null && frame.meterId !== stream.lastMeterId) this.say('meter-replaced', stream.scope, { meter: frame.meterId, before: stream.lastMeterId });
      stream.lastMeterId = frame.meterId;
    }
    // Until a frame names the meter, wait a little rather than create a device without a name; a meter that never
    // names itself (some lists do not) is then called "meter".
    const meterId = stream.lastMeterId ?? (++stream.anonymousFrames > ANONYMOUS_FRAMES ? 'meter' : null);
    if (meterId === null) {
      this.say('anonymous-frame', stream.scope, { list: frame.list });
      return 'waiting-for-meter-id';
    }
    let meter = this.meters.get(meterId);
    if (!meter) this.meters.set(meterId, (meter = new Meter(meterId)));

    const clock = frame.meterTime === null ? null : meterInstant(frame.meterTime, this.options.timeZone);
    const totals = new Map<string, Sample>();
    for (const r of frame.readings) if (isEnergy(r.quantity)) totals.set(r.key, { value: r.value, at, clock });
    const verdict = meter.guard.check(meter.sample, totals);
    const meterScope = meter.scope;
    if (verdict.kind === 'hold') {
      source.count('energy-held');
      const w = verdict.why;
      const what = w.kind === 'decrease' ? `${w.key} went down from ${w.from} to ${w.to}` : `${w.key} jumped from ${w.from} to ${w.to}, more than the meter could deliver in the time since`;
      this.say('implausible-energy', meterScope, { what });
      return 'energy-held';
    }
    if (verdict.kind === 'confirm') {
      const w = verdict.why;
      this.say('energy-level-accepted', meterScope, { what: `${w.key} ${w.kind === 'decrease' ? 'went down' : 'jumped'} from ${w.from} to ${w.to}`, frames: CONFIRM_FRAMES });
    }
    this.signal('energy-plausible', meterScope);
    this.accept(source, meter, frame, at, clock);
    return 'accepted';
  }

  private accept(source: SourceRecord, meter: Meter, frame: DecodedFrame, at: number, clock: number | null): void {
    source.frames++;
    this.framesTotal++;
    source.lastGoodAt = at;
    source.windowDecoded++;
    if (++source.goodInARow >= CHECKSUMS_PASS_AFTER && source.windowFailed > 0) {
      source.windowFailed = 0;
      source.windowDecoded = 0;
      this.signal('checksums-pass', source.scope);
    }
    this.signal('frame-decoded', source.scope);
    if (this.framesTotal === 1) this.say('first-frame', null, { list: frame.list, readings: frame.readings.length, meter: meter.id });
    if (frame.unitRule !== null) this.say('unit-rule', meter.scope, { meter: meter.id, list: frame.list, rule: frame.unitRule });

    // The energy periods take the register's previous reading as their last, so they are advanced first.
    let periodsChanged = false;
    for (const r of frame.readings) {
      if (!(r.key in accountedRegisters)) continue;
      periodsChanged = this.accounting.observe(meter.periodsOf(r.key), meter.last(r.key), r.value, at) || periodsChanged;
    }

    if (frame.model !== null && frame.model !== meter.model) meter.discoveryStale = true;
    if (frame.frameCounter !== null && !meter.hasFrameCounter) meter.discoveryStale = true;
    meter.manufacturer ??= frame.manufacturer;
    meter.model = frame.model ?? meter.model;
    meter.hasFrameCounter ||= frame.frameCounter !== null;
    for (const r of frame.readings) {
      const known = meter.readings.get(r.key);
      if (!meter.heard || known?.reading.quantity !== r.quantity || known.reading.obis !== r.obis) meter.discoveryStale = true;
      meter.readings.set(r.key, { reading: r, value: r.value, at, clock });
    }
    meter.heard = true;
    meter.lastFrameAt = at;
    meter.meterTime = clock;
    meter.frameCounter = frame.frameCounter;

    this.publishMeter(meter, periodsChanged);
    if (!meter.online) {
      meter.online = true;
      this.availability(meterAvailabilityTopic(this.options.topics, meter.id), true);
    }
    this.persist(at, periodsChanged);
  }

  private onSource(id: SourceId, state: SourceState, detail: string | undefined, at: number): void {
    const source = this.sources.get(id);
    if (!source) return;
    const was = source.state;
    source.state = state;
    if (state === 'connected') {
      source.connectedAt = at;
      this.say('source-connected', source.scope, {});
      this.signal('source-up', source.scope);
    } else if (state === 'disconnected') {
      // Said once per outage; the retries in between are only debug.
      if (!this.notices.isActive('source-down', source.scope)) this.say('source-down', source.scope, { detail: detail ?? 'connection lost' });
      else this.say('source-retry', source.scope, { detail: detail ?? 'connection lost' });
    }
    if (state !== was) this.publishBridge(at, true);
  }

  private tick(at: number): void {
    const timeout = this.options.dataTimeoutMs;
    for (const source of this.sources.values()) {
      for (const stream of source.streams.values()) {
        stream.keyCheck.tick(at);
        if (stream.securityChanged) this.securityChanged(source, stream, at);
      }
      const quietSince = source.lastGoodAt ?? this.startedAt;
      if (at - quietSince >= timeout) this.say('stale', source.scope, { seconds: Math.round(timeout / 1000), everHeard: source.lastGoodAt !== null });
      // A bridge that sends nothing good may be half-open (it lost power, Wi-Fi dropped): dial it again.
      if (source.spec.redial && source.state === 'connected' && at - Math.max(quietSince, source.connectedAt ?? 0, source.lastRedialAt) >= timeout) {
        source.lastRedialAt = at;
        this.out.push({ kind: 'redial', source: source.spec.id, reason: `no good frame for ${Math.round(timeout / 1000)} s` });
      }
    }
    this.publishBridge(at, false);
    for (const meter of this.meters.values()) {
      if (meter.online && at - meter.lastFrameAt >= timeout) {
        meter.online = false;
        this.availability(meterAvailabilityTopic(this.options.topics, meter.id), false);
      }
    }
    this.persist(at, false);
    this.flushPersist(at, false);
  }

  /** At each full hour: close the energy periods of silent meters, so that "last hour" is never a stale hour. */
  private hour(at: number): void {
    for (const meter of this.meters.values()) {
      let closed = false;
      for (const register of Object.keys(accountedRegisters)) {
        const periods = meter.periods[register];
        if (periods) closed = this.accounting.tick(periods, meter.last(register), at) || closed;
      }
      if (closed && meter.heard) this.publishMeter(meter, true);
      if (closed) this.persist(at, true);
    }
    for (const n of this.notices.hourly()) this.notice(n);
  }

  private stop(at: number): void {
    if (this.options.persist) {
      this.persistPending = true;
      this.flushPersist(at, true);
    }
    const { topics } = this.options;
    for (const meter of this.meters.values()) if (meter.online) this.availability(meterAvailabilityTopic(topics, meter.id), false);
    this.availability(availabilityTopic(topics), false);
  }

  // --- publishing ------------------------------------------------------------------------------------------------

  /** Everything again, in order: availability, discovery, state. After a (re)connect and when Home Assistant asks. */
  private announce(at: number): void {
    const { topics } = this.options;
    for (const topic of this.stale) this.out.push({ kind: 'publish', topic, payload: '', retain: true });
    this.availability(availabilityTopic(topics), true);
    for (const meter of this.meters.values()) if (meter.heard) this.availability(meterAvailabilityTopic(topics, meter.id), meter.online);
    this.publish(bridgeDiscoveryTopic(topics), this.bridgeConfig(), true);
    for (const meter of this.meters.values()) {
      if (!meter.heard) continue;
      meter.discoveryStale = true;
      this.publishMeter(meter, true);
    }
    this.publishBridge(at, true);
  }

  private publishMeter(meter: Meter, attributes: boolean): void {
    const { topics, origin } = this.options;
    // Built again only when it changed: the config of a 30-register meter is 15 kB of JSON, too much every 10 s.
    const announced = meter.discoveryStale;
    if (announced) {
      const readings = [...meter.readings.values()].map((h) => h.reading);
      this.publish(discoveryTopic(topics, meter.id), meterDiscovery(topics, origin, { meterId: meter.id, manufacturer: meter.manufacturer, model: meter.model, readings, hasFrameCounter: meter.hasFrameCounter }), true);
      meter.discoveryStale = false;
    }
    const periodsOf = (register: string) => this.accounting.values(meter.periods[register], meter.last(register));
    this.publish(stateTopic(topics, meter.id), meterState(meter, periodsOf), false);
    // The periods' attributes change a few times an hour: published when they do, not with every frame.
    if (attributes || announced) {
      const a = periodAttributes(meter, periodsOf);
      if (Object.keys(a).length > 0) this.publish(accountingTopic(topics, meter.id), a, false);
    }
  }

  private bridgeState(source: SourceRecord, at: number): BridgeState {
    const last = source.lastGoodAt;
    return {
      security: source.security,
      frames_decoded: source.frames,
      checksum_errors: source.rejectedFor('checksum', 'closing-flag'),
      authentication_failures: source.rejectedFor('wrong-authentication-key', 'wrong-encryption-key'),
      seconds_since_last_frame: last === null ? null : Math.round((at - last) / 1000),
      source_state: source.state,
      problem: at - (last ?? this.startedAt) >= this.options.dataTimeoutMs ? 'ON' : 'OFF',
    };
  }

  /**
   * The diagnostics of every source, in one message: on a change of what matters, or every 10 s for the counters.
   */
  private publishBridge(at: number, force: boolean): void {
    let significant = force || at - this.bridgePublishedAt >= BRIDGE_EVERY_MS;
    const states = [...this.sources.values()].map((source) => ({ source, suffix: source.suffix, state: this.bridgeState(source, at) }));
    for (const { source, state } of states) {
      const last = source.published;
      significant ||=
        last === null ||
        last.security !== state.security ||
        last.checksum_errors !== state.checksum_errors ||
        last.authentication_failures !== state.authentication_failures ||
        last.source_state !== state.source_state ||
        last.problem !== state.problem;
    }
    if (!significant) return;
    for (const { source, state } of states) source.published = state;
    this.bridgePublishedAt = at;
    this.publish(bridgeStateTopic(this.options.topics), bridgePayload(states), false);
  }

  private publish(topic: string, payload: object, retain: boolean): void {
    this.out.push({ kind: 'publish', topic, payload: JSON.stringify(payload), retain });
  }

  private availability(topic: string, online: boolean): void {
    this.out.push({ kind: 'availability', topic, online });
  }

  /**
   * Asks for the state to be saved: `now` when an energy period closed, else when the last save is old enough.
   * Saves are at most one a second (see `flushPersist`): at a full hour every meter closes its hour, and a fleet of a
   * thousand meters must not write the whole file a thousand times.
   */
  private persist(at: number, now: boolean): void {
    if (!this.options.persist || (!now && at - this.lastPersist < PERSIST_EVERY_MS)) return;
    this.persistPending = true;
    this.flushPersist(at, false);
  }

  private flushPersist(at: number, force: boolean): void {
    if (!this.persistPending || (!force && at - this.lastSaveAt < SAVE_GAP_MS)) return;
    this.persistPending = false;
    this.lastPersist = at;
    this.lastSaveAt = at;
    this.out.push({ kind: 'persist', state: this.snapshot(at) });
  }

  // --- notices ---------------------------------------------------------------------------------------------------

  private say<K extends NoticeId>(id: K, scope: string | null, context: ContextOf<K>): void {
    const n = this.notices.say(id, scope, context);
    if (n) this.notice(n);
  }

  private sayAny(n: { [K in NoticeId]: { id: K; context: ContextOf<K> } }[NoticeId]): void {
    const said = this.notices.say(n.id, null, n.context);
    if (said) this.notice(said);
  }

  private signal(signal: Parameters<NoticeBoard['signal']>[0], scope: string | null): void {
    const ended: Notice[] = [];
    this.notices.signal(signal, scope, ended);
    for (const n of ended) this.notice(n);
  }

  private notice(notice: Notice): void {
    this.out.push({ kind: 'notice', notice });
  }
}

export { emptyState };
