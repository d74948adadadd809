import { Decoder } from '../decode/decoder.js';
import { keyFingerprint, type Keys } from '../dlms/cipher.js';
import { KeyCheck, type SecurityState } from './key-check.js';
import type { BridgeState } from '../ha/bridge.js';
import { sourceSuffix } from '../ha/bridge.js';
import { MAX_STREAMS, type SourceState } from '../source/source.js';
import type { SourceSpec } from './events.js';
import { LineHealth } from './line-health.js';
import type { Outbox } from './outbox.js';

/** Severity of a key check verdict, to say one for a source of many streams: the worst of them. */
const securityRank: Record<SecurityState, number> = {
  wrong_encryption_key: 9,
  wrong_authentication_key: 8,
  key_missing: 7,
  keys_swapped: 6,
  no_frames: 5,
  not_authenticated: 4,
  authenticated: 3,
  encryption_only: 2,
  not_encrypted: 1,
  no_data: 0,
};

/** One byte stream: a serial port, a TCP bridge, or one topic under an MQTT wildcard. Frames never cross streams. */
export class StreamRecord {
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
    at: number,
    /** The zone P1 telegrams' times are read in: the core's, so that a gas meter's capture time is booked in it. */
    timeZone?: string,
  ) {
    this.decoder = new Decoder({ keys: source.keys, meterKeys, energyMultiplier: source.energyMultiplier, profile: source.profile, keepRaw, timeZone });
    this.keyCheck = new KeyCheck(dataTimeoutMs, () => (this.securityChanged = true), at);
    this.scope = source.multiStream ? `stream=${name}` : sourceScope;
  }
}

export interface StreamSettings {
  readonly meterKeys: ReadonlyMap<string, Keys>;
  readonly dataTimeoutMs: number;
  readonly keepRaw: boolean;
  readonly startedAt: number;
  readonly timeZone?: string;
}

/** Everything the core knows about one source: its streams, its line, its counters. */
export class SourceRecord {
  /**
   * By name ("" for a source of one stream), in order of use (the last heard at the end) and bounded: topics under a
   * wildcard are a stranger's to add; past MAX_STREAMS the idlest is forgotten, with the half frame it held.
   */
  readonly streams = new Map<string, StreamRecord>();
  /** Streams forgotten because there were too many. */
  evicted = 0;
  readonly scope: string;
  /** The fields of its diagnostics: "" for the first source, "_2" for the second… */
  readonly suffix: string;
  state: SourceState = 'connecting';
  readonly line: LineHealth;
  /** Frames accepted: decoded, not replayed, not held back. */
  frames = 0;
  /** Frames refused, by reason. */
  readonly rejected = new Map<string, number>();
  /** What the diagnostics said last. */
  published: BridgeState | null = null;
  /** The fingerprint of the source's own keys, for the replay counters of meters not in meter_keys. */
  readonly keys: string;

  constructor(
    readonly spec: SourceSpec,
    index: number,
    private readonly settings: StreamSettings,
  ) {
    this.scope = `source=${spec.name}`;
    this.suffix = sourceSuffix(index);
    this.keys = keyFingerprint(spec.keys);
    this.line = new LineHealth(settings.startedAt, settings.dataTimeoutMs);
  }

  /** Whether the source's own options hold a key: then every frame on it must be protected. */
  get keyed(): boolean {
    return this.keys !== '';
  }

  stream(name: string, at: number): StreamRecord {
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
    const { meterKeys, dataTimeoutMs, keepRaw, timeZone } = this.settings;
    this.streams.set(name, (stream = new StreamRecord(name, this.spec, meterKeys, dataTimeoutMs, this.scope, keepRaw, at, timeZone)));
    return stream;
  }

  /** The key check of the source: its stream's, or the worst of its streams'. */
  get security(): SecurityState {
    let worst: SecurityState = 'no_data';
    for (const s of this.streams.values()) if (securityRank[s.keyCheck.state] > securityRank[worst]) worst = s.keyCheck.state;
    return worst;
  }

  /** The source's connection changed: said once per outage (the retries are debug). True when its state changed. */
  changeState(state: SourceState, detail: string | undefined, at: number, out: Outbox): boolean {
    const was = this.state;
    this.state = state;
    if (state === 'connected') {
      this.line.connectedAt = at;
      out.say('source-connected', this.scope, {});
      out.signal('source-up', this.scope);
    } else if (state === 'disconnected') {
      this.line.connectedAt = null;
      if (!out.isActive('source-down', this.scope)) out.say('source-down', this.scope, { detail: detail ?? 'connection lost' });
      else out.say('source-retry', this.scope, { detail: detail ?? 'connection lost' });
    }
    return state !== was;
  }

  /** What the source found in its bytes (a bridge that changed its format), said in the stream's scope. */
  notice(text: string, stream: string | undefined, out: Outbox): void {
    out.say('source-notice', stream === undefined ? this.scope : `stream=${stream}`, { text });
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
