import type { DecodeResult } from '../decode/decoder.js';
import { UnsupportedListError } from '../base/errors.js';

import { securityStates, type SecurityState } from '../ha/bridge.js';

export { securityStates, type SecurityState };

/**
 * The log line for each state: its word and what to do, as the page says them in English (web/i18n/en.data.ts,
 * `security`: a test holds them equal), so that the log, the page and DOCS use one vocabulary.
 */
export const securityAdvice: Record<SecurityState, string> = {
  authenticated: 'keys right: the frames authenticate and decrypt',
  encryption_only: 'keys right (encryption only): the frames decrypt; this meter does not authenticate them',
  not_authenticated:
    "decrypted, not authenticated: only the encryption key is set, so the frames' integrity is not checked: add the authentication key (GPK61) if your grid company gave you one",
  keys_swapped: 'keys swapped: the frames decode with the two keys the other way round. Swap them in the options: GPK60 is the encryption key, GPK61 the authentication key',
  not_encrypted: 'not encrypted: the meter sends its frames unencrypted: no keys are needed',
  wrong_authentication_key: 'wrong authentication key: the frames decrypt, but do not authenticate: check the authentication key (GPK61)',
  wrong_encryption_key: 'wrong encryption key: the frames do not decrypt: check the encryption key (GPK60). A reset of the HAN port by the grid company issues new keys',
  key_missing: 'keys missing: the meter encrypts its frames: enter the encryption key (GPK60) and the authentication key (GPK61) from your grid company',
  no_frames: 'bytes but no frames: bytes arrive, but no frame forms: check the baud rate and parity (Kamstrup: 2400, none; most others: 2400, even; P1 meters: 115200)',
  no_data: 'no bytes from the meter: check the cable or the bridge, and the serial port',
};

/** The verdict one decode result gives, or null when it says nothing about the keys (a checksum error). */
export function verdictOf(result: DecodeResult): SecurityState | null {
  // A frame whose list is unknown still decrypted: it speaks for the keys.
  const decrypted = result.ok ? result.frame : result.error instanceof UnsupportedListError ? { keysSwapped: false, protection: result.error.protection } : null;
  if (decrypted) {
    if (decrypted.keysSwapped) return 'keys_swapped';
    switch (decrypted.protection) {
      case 'none':
        return 'not_encrypted';
      case 'encrypted':
        return 'encryption_only';
      case 'encrypted-tag-unchecked':
        return 'not_authenticated';
      case 'authenticated':
      case 'authenticated-encrypted':
        return 'authenticated';
    }
  }
  if (result.ok) return null;
  switch (result.error.reason) {
    case 'key-missing':
      return 'key_missing';
    case 'wrong-authentication-key':
      return 'wrong_authentication_key';
    case 'wrong-encryption-key':
      return 'wrong_encryption_key';
    default:
      return null;
  }
}

/**
 * Follows the verdicts of a stream of frames. `no_data` until a frame speaks; after `staleMs` without a verdict,
 * `no_frames` while bytes still come (the line settings, not the keys) and `no_data` when nothing comes at all.
 */
export class KeyCheck {
  private current: SecurityState = 'no_data';
  private lastVerdictAt: number | null;
  private lastBytesAt: number | null = null;

  constructor(
    private readonly staleMs: number,
    private readonly onChange: (state: SecurityState, previous: SecurityState) => void = () => undefined,
    /** When the check began (a stream begins with its first bytes): the first verdict is awaited from then. */
    since: number | null = null,
  ) {
    this.lastVerdictAt = since;
  }

  get state(): SecurityState {
    return this.current;
  }

  /** When the state may change by time alone: the next `tick` worth making, or null. */
  get dueAt(): number | null {
    if (this.lastVerdictAt === null) return null;
    const verdictDue = this.lastVerdictAt + this.staleMs;
    const bytesDue = this.lastBytesAt === null ? null : this.lastBytesAt + this.staleMs;
    switch (this.current) {
      case 'no_data': // it becomes no_frames when bytes still come once a verdict is overdue
        return bytesDue !== null && bytesDue > verdictDue ? verdictDue : null;
      case 'no_frames':
        return bytesDue;
      default:
        return verdictDue;
    }
  }

  bytes(now: number): void {
    this.lastBytesAt = now;
  }

  observe(result: DecodeResult, now: number): void {
    const verdict = verdictOf(result);
    if (verdict === null) return;
    this.lastVerdictAt = now;
    this.set(verdict);
  }

  tick(now: number): void {
    if (this.lastVerdictAt === null || now - this.lastVerdictAt < this.staleMs) return;
    this.set(this.lastBytesAt !== null && now - this.lastBytesAt < this.staleMs ? 'no_frames' : 'no_data');
  }

  private set(state: SecurityState): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    this.onChange(state, previous);
  }
}
