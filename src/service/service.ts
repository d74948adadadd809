import { Accounting, emptyState, lastValues } from '../accounting/accounting.js';
import type { StateStore } from '../accounting/store.js';
import { Decoder, type DecodedFrame, type DecodeResult } from '../decoder.js';
import { KeyCheck, securityAdvice, type SecurityState } from '../diagnostics/key-check.js';
import type { PowerMeterError } from '../errors.js';
import { bridgeDiscovery, bridgeDiscoveryTopic, bridgeStateTopic, type BridgeState } from '../ha/bridge.js';
import { accountedRegisters, accountingTopic, discoveryTopic, meterAvailabilityTopic, meterDiscovery, stateTopic, type Origin, type Topics } from '../ha/discovery.js';
import { zoneName } from '../diagnostics/time-zone.js';
import { EnergyGuard } from '../ha/energy-guard.js';
import { accountingState, frameState, type StateMessage } from '../ha/state.js';
import type { Sink } from '../mqtt/publisher.js';
import type { Reading } from '../obis/readings.js';
import type { Source, SourceState } from '../source/source.js';
import type { Logger } from './logger.js';
import type { Settings } from './options.js';

export interface ServiceStats {
  frames: number;
  /** Frames refused, by reason code; the diagnostics' counters are sums of these. */
  rejected: Record<string, number>;
  lastFrameAt: number | null;
  sourceState: SourceState;
}

export interface ServiceDeps {
  readonly settings: Pick<Settings, 'keys' | 'energy_multiplier' | 'data_timeout' | 'baud_rate' | 'parity' | 'discovery_prefix' | 'base_topic'> & { meter_profile?: string };
  readonly source: Source;
  readonly sink: Sink;
  readonly logger: Logger;
  readonly origin: Origin;
  /** The Home Assistant time zone: meter clocks and energy periods are read in it. */
  readonly timeZone: string;
  /** Where the energy periods survive restarts; null keeps them in memory only. */
  readonly store: StateStore | null;
  readonly now?: () => number;
  /** Records the raw bytes for a bug report, when the user asked for it. */
  readonly capture?: { write(chunk: Buffer): void; stop(): void } | null;
  /** Calls `tick` at the start of every hour (a timer in the service); returns a stop function. */
  readonly everyHour?: (tick: () => void) => () => void;
}

interface Meter {
  manufacturer: string | null;
  model: string | null;
  readings: Map<string, Reading>;
  hasFrameCounter: boolean;
  /** Registers that some lists send only hourly keep their last value in between. */
  state: StateMessage;
  lastFrameAt: number;
  accountingJson: string;
  /** The device config changed (a new register, another model) since it was last given to the publisher. */
  discoveryStale: boolean;
}

/** Bytes decoded per turn of the event loop: 16 Danish frames. */
const SLICE_BYTES = 8192;

/** After this many checksum failures without one good frame, the line settings are the likely cause. */
const CHECKSUM_HINT_AFTER = 5;
const PERSIST_EVERY_MS = 5 * 60_000;
const ANONYMOUS_FRAMES = 10;
const BRIDGE_EVERY_MS = 10_000;

const securityLevel: Record<SecurityState, 'info' | 'warn' | 'error'> = {
  authenticated: 'info',
  encryption_only: 'info',
  not_encrypted: 'info',
  keys_swapped: 'warn',
  wrong_authentication_key: 'error',
  wrong_encryption_key: 'error',
  key_missing: 'error',
  no_data: 'warn',
};

/**
 * Source → decoder → energy guard → accounting → sink. Per-frame failures are counted, and said once per kind
 * of trouble; the service never stops on bad input. Keys stay inside the decoder: nothing here logs settings.
 */
export class Service {
  private readonly decoder: Decoder;
  /** Chunks from the source not decoded yet (see `drain`). */
  private readonly pending: Buffer[] = [];
  private draining = false;
  private readonly guard = new EnergyGuard();
  private readonly keyCheck: KeyCheck;
  private readonly accounting: Accounting;
  private readonly meters = new Map<string, Meter>();
  private readonly told = new Set<string>();
  private readonly topics: Topics;
  private readonly now: () => number;
  private timers: (() => void)[] = [];
  private sourceWasConnected = false;
  /** A HAN port carries one meter: frames of lists that do not name it (Kaifa list 1) belong to the last one named. */
  private lastMeterId: string | null = null;
  private anonymousFrames = 0;
  private lastPersist = 0;
  private lastBridge = '';
  private lastBridgeAt = 0;
  readonly stats: ServiceStats = { frames: 0, rejected: {}, lastFrameAt: null, sourceState: 'connecting' };

  constructor(private readonly deps: ServiceDeps) {
    const { settings, logger } = deps;
    this.now = deps.now ?? Date.now;
    this.topics = { discoveryPrefix: settings.discovery_prefix, baseTopic: settings.base_topic };
    this.decoder = new Decoder({ keys: settings.keys, energyMultiplier: settings.energy_multiplier, profile: settings.meter_profile });
    this.keyCheck = new KeyCheck(settings.data_timeout * 1000, (state) => {
      logger[securityLevel[state]]({ security: state }, `key check: ${securityAdvice[state]}`);
      this.publishBridge(true);
    });
    this.accounting = new Accounting(this.loadAccounting(), deps.timeZone, 2 * settings.data_timeout * 1000);
  }

  private loadAccounting() {
    if (!this.deps.store) return emptyState();
    const state = this.deps.store.load();
    for (const meterId of Object.keys(state.meters)) this.guard.seed(meterId, lastValues(state, meterId));
    return state;
  }

  start(): void {
    this.deps.logger.info({ source: this.deps.source.name, timeZone: zoneName(this.deps.timeZone) }, 'starting');
    this.deps.sink.setDiscovery(bridgeDiscoveryTopic(this.topics), bridgeDiscovery(this.topics, this.deps.origin));
    this.publishBridge(true);
    this.deps.source.start({
      data: (chunk) => this.onData(chunk),
      state: (state, detail) => this.onSourceState(state, detail),
    });
    const timer = setInterval(() => this.tick(), 1000);
    timer.unref();
    this.timers.push(() => clearInterval(timer));
    if (this.deps.everyHour) this.timers.push(this.deps.everyHour(() => this.hourly()));
  }

  async stop(): Promise<void> {
    for (const stop of this.timers) stop();
    this.timers = [];
    await this.deps.source.stop();
    // What is still queued is decoded now: a backlog is data the meter sent, and its energy counts.
    while (this.pending.length > 0) this.drain();
    this.deps.capture?.stop();
    this.persist(true);
  }

  /** True while frames arrive: what availability and the container's health check report. */
  get fresh(): boolean {
    return this.stats.lastFrameAt !== null && this.now() - this.stats.lastFrameAt < this.deps.settings.data_timeout * 1000;
  }

  get security(): SecurityState {
    return this.keyCheck.state;
  }

  get checksumErrors(): number {
    return (this.stats.rejected.checksum ?? 0) + (this.stats.rejected['closing-flag'] ?? 0);
  }

  get authenticationFailures(): number {
    return (this.stats.rejected['wrong-authentication-key'] ?? 0) + (this.stats.rejected['wrong-encryption-key'] ?? 0);
  }

  private count(reason: string): number {
    return (this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1);
  }

  private onData(chunk: Buffer): void {
    this.deps.capture?.write(chunk);
    this.pending.push(chunk);
    if (!this.draining) this.drain();
  }

  /**
   * Decodes what has arrived, at most SLICE_BYTES per turn of the event loop. A meter's frame (0.5 kB every
   * 10 s) is decoded at once; a backlog (a bridge that buffered while Wi-Fi was away, a replayed capture) is
   * taken a slice at a time, so that MQTT and the timers keep running and each slice's garbage dies young.
   */
  private drain(): void {
    if (this.pending.length === 0) {
      this.draining = false; // all taken already (by stop)
      return;
    }
    this.draining = true;
    let more = false;
    try {
      let budget = SLICE_BYTES;
      while (budget > 0 && this.pending.length > 0) {
        const chunk = this.pending[0]!;
        const piece = chunk.length <= budget ? chunk : chunk.subarray(0, budget);
        if (piece === chunk) this.pending.shift();
        else this.pending[0] = chunk.subarray(budget);
        budget -= piece.length;
        this.decoder.feed(piece, this.onResult);
      }
      this.publishBridge(false);
      more = this.pending.length > 0;
    } finally {
      // After an unexpected error too, so that the next chunk is not left waiting behind a drain that never ends.
      if (more) setImmediate(() => this.drain());
      else this.draining = false;
    }
  }

  private readonly onResult = (result: DecodeResult): void => {
    if (result.ok) this.onFrame(result.frame);
    else this.onRejected(result.error);
    this.keyCheck.observe(result, this.now());
  };

  private onFrame(frame: DecodedFrame): void {
    const now = this.now();
    if (frame.meterId) this.lastMeterId = frame.meterId;
    // Until a frame names the meter, wait a little rather than create a device without a name; a meter that
    // never names itself (some lists do not) is then called "meter".
    const meterId = this.lastMeterId ?? (++this.anonymousFrames > ANONYMOUS_FRAMES ? 'meter' : null);
    if (meterId === null) {
      this.deps.logger.debug(`frame of ${frame.list ?? 'an unknown list'} does not name its meter; waiting for one that does`);
      return;
    }
    const refused = this.guard.check(meterId, frame.readings);
    if (refused) {
      // Said once until a frame is accepted again: a replaced meter would otherwise fill the log every 10 s.
      const count = this.count('energy-went-down');
      if (!this.told.has('guard')) {
        this.deps.logger.warn({ meter: meterId }, `frame skipped: ${refused}; an energy total never goes down, so such frames are not trusted (further ones are counted)`);
      } else if (count % 360 === 0) {
        this.deps.logger.warn({ meter: meterId }, `${count} frames skipped so far because an energy total went down; if the meter was replaced or reset, delete ${this.deps.store?.path ?? 'the accounting state'} and restart`);
      }
      this.told.add('guard');
      return;
    }
    this.stats.frames++;
    this.stats.lastFrameAt = now;
    if (this.told.size > 0) {
      this.deps.logger.info({ meter: meterId }, 'frames decode again');
      this.told.clear();
    }
    if (this.stats.frames === 1) this.deps.logger.info({ meter: meterId, list: frame.list, readings: frame.readings.length }, 'first frame decoded');

    let closed = false;
    for (const r of frame.readings) if (r.key in accountedRegisters) closed = this.accounting.observe(meterId, r.key, r.value, now) || closed;
    const meter = this.meter(meterId, frame);
    meter.state = { ...meter.state, ...frameState(frame, now, this.deps.timeZone) };
    meter.lastFrameAt = now;
    this.publishMeter(meterId, meter);
    this.deps.sink.setAvailability(meterAvailabilityTopic(this.topics, meterId), true);
    this.persist(closed);
  }

  private meter(meterId: string, frame: DecodedFrame): Meter {
    let m = this.meters.get(meterId);
    if (!m) {
      m = { manufacturer: frame.manufacturer, model: frame.model, readings: new Map(), hasFrameCounter: false, state: {}, lastFrameAt: 0, accountingJson: '', discoveryStale: true };
      this.meters.set(meterId, m);
    }
    const model = frame.model ?? m.model;
    const hasFrameCounter = m.hasFrameCounter || frame.frameCounter !== null;
    if (model !== m.model || hasFrameCounter !== m.hasFrameCounter) m.discoveryStale = true;
    m.model = model;
    m.hasFrameCounter = hasFrameCounter;
    for (const r of frame.readings) {
      const known = m.readings.get(r.key);
      if (known?.quantity !== r.quantity || known.obis !== r.obis) m.discoveryStale = true;
      m.readings.set(r.key, r);
    }
    return m;
  }

  private publishMeter(meterId: string, m: Meter): void {
    const { sink, origin } = this.deps;
    // Built again only when it changed: the config of a 30-register meter is 15 kB of JSON, too much every 10 s.
    if (m.discoveryStale) {
      const device = { meterId, manufacturer: m.manufacturer, model: m.model, readings: [...m.readings.values()], hasFrameCounter: m.hasFrameCounter };
      sink.setDiscovery(discoveryTopic(this.topics, meterId), meterDiscovery(this.topics, origin, device));
      m.discoveryStale = false;
    }
    const accounting = accountingState(this.accounting, meterId);
    sink.setState(stateTopic(this.topics, meterId), { ...m.state, ...accounting.state });
    // The periods' attributes change a few times an hour: published when they do, not with every frame.
    const attributes = JSON.stringify(accounting.attributes);
    if (attributes !== m.accountingJson && attributes !== '{}') sink.setState(accountingTopic(this.topics, meterId), accounting.attributes);
    m.accountingJson = attributes;
  }

  private onRejected(error: PowerMeterError): void {
    const reason = error.reason;
    this.count(reason);
    if (error.layer === 'security') return; // the key check says it, once per change
    if (reason === 'unsupported-list') {
      if (!this.told.has(reason)) this.deps.logger.error({ reason }, `${error.message}; further frames like it are counted, not logged`);
      this.told.add(reason);
      return;
    }
    this.deps.logger.debug({ reason }, error.message);
    // Most frames failing their checksum means the line settings, not noise: say so once.
    const failed = this.checksumErrors;
    if (failed >= CHECKSUM_HINT_AFTER && failed > 2 * this.stats.frames && !this.told.has('line')) {
      this.told.add('line');
      const { baud_rate, parity } = this.deps.settings;
      this.deps.logger.warn(
        `${failed} frames failed their checksum and ${this.stats.frames} decoded: the line settings (now ${baud_rate} baud, parity ${parity}) are probably wrong, or the data wire is loose. Kamstrup sends 2400 baud 8N1 (parity none); Kaifa, Sagemcom and Landis+Gyr usually 2400 8E1 (parity even)`,
      );
    }
  }

  private onSourceState(state: SourceState, detail?: string): void {
    this.stats.sourceState = state;
    const { logger, source } = this.deps;
    if (state === 'connected') {
      logger.info({ source: source.name }, 'source connected');
      this.sourceWasConnected = true;
    } else if (state === 'disconnected') {
      // Said once per outage; the retries in between are only debug.
      if (this.sourceWasConnected || !this.told.has('source')) logger.warn({ source: source.name }, `source unavailable: ${detail ?? ''}`);
      else logger.debug({ source: source.name }, `source still unavailable: ${detail ?? ''}`);
      this.sourceWasConnected = false;
      this.told.add('source');
    }
    this.publishBridge(true);
  }

  private tick(): void {
    const now = this.now();
    this.keyCheck.tick(now);
    const staleAfter = this.deps.settings.data_timeout * 1000;
    for (const [meterId, m] of this.meters) {
      if (now - m.lastFrameAt >= staleAfter) this.deps.sink.setAvailability(meterAvailabilityTopic(this.topics, meterId), false);
    }
    if (this.stats.lastFrameAt !== null && !this.fresh && !this.told.has('stale')) {
      this.told.add('stale');
      this.deps.logger.warn(
        `no good frame for ${this.deps.settings.data_timeout} s: the meter's sensors are unavailable until frames come again. If the cable or bridge is fine, the meter's HAN port may have stalled (a known Kamstrup problem): only a power cycle of the meter or a remote reset by the grid company brings it back`,
      );
    }
    this.publishBridge(false);
    if (now - this.lastPersist >= PERSIST_EVERY_MS) this.persist(true);
  }

  /** At each full hour: close the energy periods of silent meters, so that "last hour" is never a stale hour. */
  private hourly(): void {
    if (!this.accounting.tick(this.now())) return;
    for (const [meterId, m] of this.meters) this.publishMeter(meterId, m);
    this.persist(true);
  }

  private bridgeState(): BridgeState {
    const last = this.stats.lastFrameAt;
    return {
      security: this.keyCheck.state,
      frames_decoded: this.stats.frames,
      checksum_errors: this.checksumErrors,
      authentication_failures: this.authenticationFailures,
      seconds_since_last_frame: last === null ? null : Math.round((this.now() - last) / 1000),
      source_state: this.stats.sourceState,
      problem: this.fresh ? 'OFF' : 'ON',
    };
  }

  /** On a change of what matters, or every 10 s for the counters. */
  private publishBridge(force: boolean): void {
    const state = this.bridgeState();
    const { seconds_since_last_frame: _age, frames_decoded: _n, ...significant } = state;
    const key = JSON.stringify(significant);
    const now = this.now();
    if (!force && key === this.lastBridge && now - this.lastBridgeAt < BRIDGE_EVERY_MS) return;
    this.lastBridge = key;
    this.lastBridgeAt = now;
    this.deps.sink.setState(bridgeStateTopic(this.topics), state);
  }

  private persist(now: boolean): void {
    const store = this.deps.store;
    if (!store || (!now && this.now() - this.lastPersist < PERSIST_EVERY_MS)) return;
    this.lastPersist = this.now();
    try {
      store.save(this.accounting.state, this.lastPersist);
      this.told.delete('store');
    } catch (error) {
      if (!this.told.has('store')) this.deps.logger.error({ path: store.path }, `cannot save the energy periods: ${(error as Error).message}; they are kept in memory and saved when it works again`);
      this.told.add('store');
    }
  }
}

