import { meterInstant } from '../accounting/time-zone.js';
import type { DecodedFrame } from '../decode/decoder.js';
import type { Protection } from '../dlms/cipher.js';
import { isEnergy } from '../obis/readings.js';
import { CONFIRM_FRAMES, type Sample } from './energy-guard.js';
import type { Meter } from './meter.js';
import type { Meters } from './meters.js';
import type { Outbox } from './outbox.js';
import type { ReplayGuard } from './replay-guard.js';
import type { SourceRecord, StreamRecord } from './streams.js';

/** What became of a decoded frame on its way in. */
export type Outcome = 'accepted' | 'not-protected' | 'replay' | 'waiting-for-meter-id' | 'too-many-meters' | 'energy-held';

export const outcomeDetail: Record<Outcome, string | null> = {
  accepted: null,
  'not-protected': 'refused: less protected than the keys (or this meter’s earlier frames) require: a forgery, or the meter’s security was changed',
  replay: 'refused: its invocation counter is not above the last accepted one (a replayed frame)',
  'waiting-for-meter-id': 'waiting for a frame that names the meter',
  'too-many-meters': 'refused: PowerMeter keeps as many meters as it can',
  'energy-held': 'held back: an energy total is implausible (see the log)',
};

export type Admission = { readonly outcome: Exclude<Outcome, 'accepted'> } | { readonly outcome: 'accepted'; readonly meter: Meter; readonly clock: number | null; readonly guardClock: number | null };

/** Frames of lists that do not name their meter wait this long for one that does, then belong to "meter". */
const ANONYMOUS_FRAMES = 10;
/** A meter clock further than this from the host's is said, and not used to judge energy totals. */
const CLOCK_TRUSTED_WITHIN_MS = 24 * 3_600_000;

/**
 * The protection a frame had, as a level: 0 sent in clear, 1 encrypted (nothing proves who made it), 2 authenticated
 * (its tag was checked with the authentication key, so only the meter, or whoever has the keys, made it).
 */
export function protectionLevel(p: Protection): 0 | 1 | 2 {
  switch (p) {
    case 'none':
      return 0;
    case 'encrypted':
    case 'encrypted-tag-unchecked':
      return 1;
    case 'authenticated':
    case 'authenticated-encrypted':
      return 2;
  }
}

export interface IntakeSettings {
  readonly timeZone: string;
  /** The fingerprint of each meter's entry in meter_keys. */
  readonly meterKeyPrints: ReadonlyMap<string, string>;
}

/**
 * A decoded frame's way in, in order: its protection (keys promise that no frame in clear, nor one less protected
 * than the meter's earlier ones, is taken), its invocation counter (no replay), the meter it belongs to, and the
 * energy guard (no impossible total). Each refusal is counted on its source and said by the notice table.
 */
export class Intake {
  /** Every key fingerprint in the options: a meter's security floor holds while its keys are still set. */
  private readonly configured: ReadonlySet<string>;

  constructor(
    private readonly settings: IntakeSettings,
    private readonly replay: ReplayGuard,
    private readonly meters: Meters,
    private readonly out: Outbox,
    sourceKeys: readonly string[],
  ) {
    this.configured = new Set([...sourceKeys, ...settings.meterKeyPrints.values()].filter((k) => k !== ''));
  }

  admit(source: SourceRecord, stream: StreamRecord, frame: DecodedFrame, at: number): Admission {
    const level = protectionLevel(frame.protection);
    if (level === 0 && source.keyed) return this.unprotected(source, frame, 'keys are set for this source, so every frame on it must be encrypted');
    const keys = frame.systemTitle === null ? source.keys : (this.settings.meterKeyPrints.get(frame.systemTitle) ?? source.keys);

    // Replay: frames whose counter the tag proves, and frames read with one key (a replayed one decrypts as well as
    // the first did); an encryption-only meter's counter is its own word.
    if ((level === 2 || frame.protection === 'encrypted-tag-unchecked') && frame.systemTitle !== null && frame.frameCounter !== null) {
      const replay = this.replay.check(frame.systemTitle, frame.frameCounter, keys);
      if (replay.replay) {
        source.count('replay');
        this.out.say('replay', `system_title=${frame.systemTitle}`, { counter: frame.frameCounter, last: replay.last });
        return { outcome: 'replay' };
      }
      this.out.push({ kind: 'counter', systemTitle: frame.systemTitle, counter: frame.frameCounter, keys });
      this.out.signal('counter-advanced', `system_title=${frame.systemTitle}`);
    }

    const meter = this.meterOf(source, stream, frame);
    if (meter === null || meter === 'waiting') return { outcome: meter === null ? 'too-many-meters' : 'waiting-for-meter-id' };

    const floor = meter.security;
    if (floor !== null && level < floor.level && (level === 0 ? this.configured.has(floor.keys) : floor.keys === keys)) {
      return this.unprotected(source, frame, `meter ${meter.id} sent ${floor.level === 2 ? 'authenticated' : 'encrypted'} frames before`);
    }
    if (level > 0 && (floor === null || floor.keys !== keys || level > floor.level)) meter.security = { level: level === 2 ? 2 : 1, keys };

    const clock = frame.meterTime === null ? null : meterInstant(frame.meterTime, this.settings.timeZone);
    let guardClock = clock;
    if (clock !== null && Math.abs(clock - at) > CLOCK_TRUSTED_WITHIN_MS) {
      guardClock = null;
      this.out.say('meter-clock-off', meter.scope, { meter: meter.id, clock: new Date(clock).toISOString() });
    }
    const totals = new Map<string, Sample>();
    const readings = frame.readings;
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      if (isEnergy(r.quantity)) totals.set(r.key, { value: r.value, at, clock: guardClock });
    }
    const verdict = meter.guard.check(meter.sample, totals);
    if (verdict.kind === 'hold') {
      source.count('energy-held');
      const w = verdict.why;
      const what = w.kind === 'decrease' ? `${w.key} went down from ${w.from} to ${w.to}` : `${w.key} jumped from ${w.from} to ${w.to}, more than the meter could deliver in the time since`;
      this.out.say('implausible-energy', meter.scope, { what });
      return { outcome: 'energy-held' };
    }
    if (verdict.kind === 'confirm') {
      const w = verdict.why;
      this.out.say('energy-level-accepted', meter.scope, { what: `${w.key} ${w.kind === 'decrease' ? 'went down' : 'jumped'} from ${w.from} to ${w.to}`, frames: CONFIRM_FRAMES });
    }
    this.out.signal('energy-plausible', meter.scope);
    return { outcome: 'accepted', meter, clock, guardClock };
  }

  private unprotected(source: SourceRecord, frame: DecodedFrame, why: string): Admission {
    source.count('not-protected');
    const what = frame.protection === 'none' ? 'a frame sent in clear' : 'an encrypted frame without authentication';
    this.out.say('unprotected-frame', source.scope, { what, why, meter: frame.meterId });
    return { outcome: 'not-protected' };
  }

  /**
   * The meter a frame belongs to. Until a frame names the meter, wait a little rather than make a device without a
   * name; a meter that never names itself (some lists do not) is then called "meter".
   */
  private meterOf(source: SourceRecord, stream: StreamRecord, frame: DecodedFrame): Meter | 'waiting' | null {
    if (frame.meterId) {
      if (stream.lastMeterId !== null && frame.meterId !== stream.lastMeterId) this.out.say('meter-replaced', stream.scope, { meter: frame.meterId, before: stream.lastMeterId });
      stream.lastMeterId = frame.meterId;
    }
    const meterId = stream.lastMeterId ?? (++stream.anonymousFrames > ANONYMOUS_FRAMES ? 'meter' : null);
    if (meterId === null) {
      this.out.say('anonymous-frame', stream.scope, { list: frame.list });
      return 'waiting';
    }
    const meter = this.meters.getOrMake(meterId);
    if (meter === null) {
      source.count('too-many-meters');
      this.out.say('too-many-meters', null, { max: this.meters.size, meter: meterId });
    }
    return meter;
  }
}
