import type { DecodeResult } from '../decode/decoder.js';
import { securityAdvice, type SecurityState } from './key-check.js';
import { AuthenticationError, KeyMissingError, type PowerMeterError } from '../base/errors.js';
import { outcomeDetail, type Outcome } from './intake.js';
import type { Level } from './notices.js';
import type { Outbox } from './outbox.js';
import type { SourceRecord, StreamRecord } from './streams.js';

/** How loud each key check verdict is said. */
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
 * What is said of a frame that did not decode, of a stream whose key check changed, and what the frame log gets of
 * every frame: the words for the verdicts, in one place.
 */
export class Verdicts {
  constructor(
    private readonly out: Outbox,
    /** Keys by system title are set (meter_keys): missing keys are then said per meter. */
    private readonly keysByTitle: boolean,
  ) {}

  /** A frame that did not decode: counted on its source, and said as its reason says. */
  rejected(source: SourceRecord, stream: StreamRecord, error: PowerMeterError): void {
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

  /** A stream's key check changed: said, once per change. */
  keysChanged(source: SourceRecord, stream: StreamRecord): void {
    stream.securityChanged = false;
    const state = stream.keyCheck.state;
    if (!keyTrouble.has(state) && securityLevel[state] === 'info') this.out.signal('keys-ok', stream.scope);
    // A source of many streams says only trouble: "keys OK" for each of a thousand bridges is noise, and a meter
    // without keys is said once by its own notice, which names its system title. A source whose streams share its
    // scope (the demo's recordings) says a good verdict once: another stream already said it.
    let saidElsewhere = false;
    for (const s of source.streams.values()) if (s !== stream && s.keyCheck.state === state) saidElsewhere = true;
    const quiet = state === 'key_missing' ? this.missingKeysPerMeter(source) : securityLevel[state] === 'info' && (source.spec.multiStream === true || saidElsewhere);
    this.out.say('keys', stream.scope, { advice: securityAdvice[state], level: quiet ? 'debug' : securityLevel[state] });
  }

  /** A frame as it came and what became of it, for the page's frame log. */
  logFrame(source: SourceRecord, stream: StreamRecord, result: DecodeResult, raw: readonly Buffer[], outcome: Outcome | null, at: number): void {
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

  /**
   * Missing keys are said per meter, with its system title (`meter-without-key`), where a source may carry meters
   * keyed by title: then the key check's own `key_missing` line would say it a second time, without the title.
   */
  private missingKeysPerMeter(source: SourceRecord): boolean {
    return source.spec.multiStream === true || this.keysByTitle;
  }
}
