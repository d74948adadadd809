import { Decoder } from '../decoder.js';
import type { PowerMeterError } from '../errors.js';
import { stateMessage } from '../ha/discovery.js';
import { EnergyGuard } from '../ha/energy-guard.js';
import type { MeterFrame } from '../obis/readings.js';
import type { Source, SourceState } from '../source/source.js';
import type { Logger } from './logger.js';
import type { Settings } from './options.js';

/** What the service needs of the MQTT side; the Publisher is the real one. */
export interface FrameSink {
  publishFrame(meterId: string, frame: MeterFrame, state: Record<string, unknown>): void;
  setAvailable(available: boolean): void;
}

export interface ServiceStats {
  frames: number;
  rejected: Record<string, number>;
  lastFrameAt: number | null;
  sourceState: SourceState;
}

/** Reasons that mean the configuration is wrong: said once, then counted, until a frame decodes again. */
const hints: Record<string, string> = {
  'key-missing': 'set the key in the add-on options',
  'wrong-authentication-key': 'check authentication_key (GPK61); the encryption key works',
  'wrong-encryption-key': 'check encryption_key (GPK60), and that the two keys are not swapped',
  'unsupported-list': 'PowerMeter does not know this list yet',
};

/** After this many checksum failures without one good frame, the line settings are the likely cause. */
const CHECKSUM_HINT_AFTER = 5;

/**
 * Source → decoder → energy guard → sink. Per-frame failures are logged once per kind and counted; the
 * service never stops on bad input. Keys stay inside the decoder: nothing here logs the settings.
 */
export class Service {
  private readonly decoder: Decoder;
  private readonly guard = new EnergyGuard();
  private readonly told = new Set<string>();
  private readonly lastStates = new Map<string, Record<string, unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private sourceWasConnected = false;
  readonly stats: ServiceStats = { frames: 0, rejected: {}, lastFrameAt: null, sourceState: 'connecting' };

  constructor(
    private readonly settings: Pick<Settings, 'keys' | 'energy_multiplier' | 'data_timeout' | 'baud_rate' | 'parity'>,
    private readonly source: Source,
    private readonly sink: FrameSink,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.decoder = new Decoder({ keys: settings.keys, energyMultiplier: settings.energy_multiplier });
  }

  start(): void {
    this.logger.info({ source: this.source.name }, 'starting');
    this.source.start({
      data: (chunk) => this.onData(chunk),
      state: (state, detail) => this.onSourceState(state, detail),
    });
    this.timer = setInterval(() => this.checkFreshness(), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.source.stop();
    this.sink.setAvailable(false);
  }

  /** True while frames arrive: what availability and the container's health check report. */
  get fresh(): boolean {
    return this.stats.lastFrameAt !== null && this.now() - this.stats.lastFrameAt < this.settings.data_timeout * 1000;
  }

  private onData(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (result.ok) this.onFrame(result.frame);
      else this.onRejected(result.error);
    }
  }

  private onFrame(frame: MeterFrame): void {
    const meterId = frame.meterId ?? 'unknown';
    const refused = this.guard.check(meterId, frame.readings);
    if (refused) {
      this.logger.warn({ meter: meterId }, `frame skipped: ${refused}; an energy total never goes down, so this frame is not trusted`);
      return;
    }
    this.stats.frames++;
    this.stats.lastFrameAt = this.now();
    if (this.told.size > 0) {
      this.logger.info({ meter: meterId }, 'frames decode again');
      this.told.clear();
    }
    if (this.stats.frames === 1) this.logger.info({ meter: meterId, list: frame.list, readings: frame.readings.length }, 'first frame decoded');
    // Lists that carry some registers only hourly (HAN-NVE list 2) must not blank them in between: keep the last value.
    const state = { ...this.lastStates.get(meterId), ...stateMessage(frame) };
    this.lastStates.set(meterId, state);
    this.sink.publishFrame(meterId, frame, state);
    this.sink.setAvailable(true);
  }

  private onRejected(error: PowerMeterError): void {
    const reason = error.reason;
    const count = (this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1);
    const hint = hints[reason];
    if (hint !== undefined) {
      if (!this.told.has(reason)) this.logger.error({ reason }, `${error.message} (${hint}); further frames with this problem are counted, not logged`);
      this.told.add(reason);
      return;
    }
    this.logger.debug({ reason }, error.message);
    if ((reason === 'checksum' || reason === 'closing-flag') && this.stats.frames === 0 && count === CHECKSUM_HINT_AFTER && !this.told.has('line')) {
      this.told.add('line');
      const line = `${this.settings.baud_rate} ${this.settings.parity}`;
      this.logger.warn(
        `${count} frames failed their checksum and none decoded: the line settings (now ${line}) are probably wrong. Kamstrup sends 2400 baud 8N1 (parity none); Kaifa, Sagemcom and Landis+Gyr usually 2400 8E1 (parity even)`,
      );
    }
  }

  private onSourceState(state: SourceState, detail?: string): void {
    this.stats.sourceState = state;
    if (state === 'connected') {
      this.logger.info({ source: this.source.name }, 'source connected');
      this.sourceWasConnected = true;
    } else if (state === 'disconnected') {
      // Said once per outage; the retries in between are only debug.
      if (this.sourceWasConnected || !this.told.has('source')) this.logger.warn({ source: this.source.name }, `source unavailable: ${detail ?? ''}`);
      else this.logger.debug({ source: this.source.name }, `source still unavailable: ${detail ?? ''}`);
      this.sourceWasConnected = false;
      this.told.add('source');
    }
  }

  private checkFreshness(): void {
    if (this.stats.lastFrameAt === null || this.fresh) return;
    if (!this.told.has('stale')) {
      this.told.add('stale');
      this.logger.warn(`no good frame for ${this.settings.data_timeout} s: the sensors are marked unavailable until frames come again`);
    }
    this.sink.setAvailable(false);
  }
}
