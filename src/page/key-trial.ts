import { Decoder } from '../decoder.js';
import type { Keys } from '../dlms/cipher.js';
import { securityAdvice, verdictOf, type SecurityState } from '../diagnostics/key-check.js';

export interface KeyTrialAnswer {
  readonly verdict: SecurityState;
  readonly advice: string;
  /** How many frames were tried. */
  readonly frames: number;
}

/** What to put into which option, for each verdict the page can give. Never quotes a key. */
const whatToDo: Record<SecurityState, string> = {
  authenticated: 'They go in as you typed them: the first into encryption_key (GPK60), the second into authentication_key (GPK61).',
  encryption_only: 'Put the first key into encryption_key (GPK60); this meter does not authenticate, so authentication_key may stay as it is.',
  not_authenticated: 'Put the first key into encryption_key (GPK60). If your grid company gave you a second key, enter it as authentication_key (GPK61): then every frame is checked.',
  keys_swapped: 'They go the other way round: what you typed as the authentication key is the encryption key (encryption_key, GPK60), and the other is authentication_key (GPK61).',
  not_encrypted: 'Leave encryption_key and authentication_key empty.',
  wrong_authentication_key: 'The encryption key is right (encryption_key, GPK60); the authentication key is not. Check GPK61 in the letter from your grid company.',
  wrong_encryption_key: 'Neither way round do these keys decrypt the frames. Check both against the letter from your grid company; after a reset of the HAN port the old keys no longer work.',
  key_missing: 'Enter both keys: the meter encrypts and authenticates its frames.',
  no_frames: 'No frame has formed from the bytes that came: check baud_rate and parity first.',
  no_data: 'No frame from this meter is held yet: wait for the meter to send (every 10 s), then check again.',
};

/**
 * Tries a pair of keys on frames the service holds, exactly as the service would decode them, and answers with the
 * service's own verdict words. Nothing is kept: the keys live in this call only.
 */
export function tryKeys(frames: readonly (readonly Buffer[])[], keys: Keys): KeyTrialAnswer {
  const decoder = new Decoder({ keys });
  let verdict: SecurityState = 'no_data';
  let tried = 0;
  for (const raw of frames) {
    for (const frame of raw) {
      for (const result of decoder.push(frame)) {
        tried++;
        verdict = verdictOf(result) ?? verdict;
      }
    }
  }
  return { verdict, advice: `${securityAdvice[verdict]}. ${whatToDo[verdict]}`, frames: tried };
}

/** The pair the right way round, for a verdict that decoded; null when the keys did not decode the frames. */
export function orderedKeys(verdict: SecurityState, keys: Keys): Keys | null {
  if (verdict === 'authenticated' || verdict === 'encryption_only') return keys;
  if (verdict === 'keys_swapped') return { encryption: keys.authentication, authentication: keys.encryption };
  return null;
}
