/**
 * One error type per thing a user can act on. Per-frame errors are expected on a noisy serial line: the
 * service counts and logs them and goes on. None of them ever carries key bytes.
 */
export type Layer = 'framing' | 'security' | 'apdu' | 'profile' | 'options' | 'source' | 'publish';

export abstract class PowerMeterError extends Error {
  abstract readonly layer: Layer;
  /** A short, stable reason code used in logs, counters and the `decode` command's error lines. */
  abstract readonly reason: string;
}

export type FrameProblem = 'checksum' | 'closing-flag' | 'too-long' | 'reassembly' | 'incomplete';

/** A frame whose header looked right but whose bytes did not check out. */
export class FrameError extends PowerMeterError {
  readonly layer = 'framing';
  constructor(
    readonly reason: FrameProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export type KeyName = 'encryption' | 'authentication';

export const keyHelp: Record<KeyName, string> = {
  encryption: 'the encryption key (GPK60, also called GUEK)',
  authentication: 'the authentication key (GPK61, also called GAK)',
};

/** The frame is encrypted (or authenticated) and the key it needs is not configured. */
export class KeyMissingError extends PowerMeterError {
  readonly layer = 'security';
  readonly reason = 'key-missing';
  constructor(
    readonly key: KeyName,
    /** The sender's system title (16 hex digits), when the frame carries one. */
    readonly systemTitle: string | null = null,
  ) {
    super(
      systemTitle === null
        ? `the frame is encrypted but ${keyHelp[key]} is not set: ask your grid company for the meter's HAN keys and enter it`
        : `the frame of the meter with system title ${systemTitle} is encrypted but ${keyHelp[key]} is not set for it: enter the meter's HAN keys (in meter_keys when one source carries several meters)`,
    );
    this.name = 'KeyMissingError';
  }
}

/**
 * The GCM tag did not verify. `key` says which key is wrong: when the encryption key alone yields a valid
 * data-notification, only the authentication key can be wrong.
 */
export class AuthenticationError extends PowerMeterError {
  readonly layer = 'security';
  readonly reason: 'wrong-authentication-key' | 'wrong-encryption-key';
  constructor(
    readonly key: KeyName,
    /** The sender's system title (16 hex digits), when known. */
    readonly systemTitle: string | null = null,
  ) {
    super(
      key === 'authentication'
        ? `authentication key wrong: the frame decrypts with the encryption key but its tag does not verify; check ${keyHelp.authentication}`
        : `encryption key wrong: the frame does not decrypt to a valid message; check ${keyHelp.encryption} (and that the two keys are not swapped)`,
    );
    this.name = 'AuthenticationError';
    this.reason = key === 'authentication' ? 'wrong-authentication-key' : 'wrong-encryption-key';
  }
}

/** The frame asks for a security feature we do not implement (compression, an unknown suite). */
export class UnsupportedSecurityError extends PowerMeterError {
  readonly layer = 'security';
  readonly reason = 'unsupported-security';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSecurityError';
  }
}

/** The APDU or its A-XDR body is malformed or of a kind a push meter does not send. */
export class ApduError extends PowerMeterError {
  readonly layer = 'apdu';
  readonly reason = 'malformed-apdu';
  constructor(message: string) {
    super(message);
    this.name = 'ApduError';
  }
}

/** One value of a list as it was sent, for a person adding a meter (`decode --dump`). */
export interface DumpedValue {
  /** Its OBIS code, when the list names it. */
  readonly obis: string | null;
  /** Its A-XDR type (`numeric` for a number the reader kept as a plain number). */
  readonly type: string;
  readonly value: string;
  readonly scaler?: number;
  readonly unit?: number;
}

/** The data-notification is valid but no meter profile knows its list. */
export class UnsupportedListError extends PowerMeterError {
  readonly layer = 'profile';
  readonly reason = 'unsupported-list';
  /** How the frame was protected: it did decrypt, so the keys are right even though the list is unknown. */
  constructor(
    message: string,
    readonly protection: 'authenticated-encrypted' | 'encrypted-tag-unchecked' | 'encrypted' | 'authenticated' | 'none',
    /** The list's values as sent, when it was read. */
    readonly values: readonly DumpedValue[] = [],
  ) {
    super(message);
    this.name = 'UnsupportedListError';
  }
}

/**
 * The options are not usable: every problem is a line that names the option and the expected form, never the value
 * (a key is a secret even when it is wrong). Said all at once, so that one round of fixes is enough.
 */
export class OptionsError extends PowerMeterError {
  readonly layer = 'options';
  readonly reason = 'bad-options';
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OptionsError';
  }

  /** One option's problem: `option: message`. */
  static of(option: string, message: string): OptionsError {
    return new OptionsError([`${option}: ${message}`]);
  }
}
