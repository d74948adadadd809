import { Decoder } from '../decode/decoder.js';
import type { Keys } from '../dlms/cipher.js';
import { verdictOf, type SecurityState } from '../core/key-check.js';
import type { KeyCheckAnswer } from './contract.js';

/**
 * What a trial of these keys means and where they go, once and short, in English for whoever reads the API; the page
 * words the verdict in its own language (web/i18n/). Never quotes a key.
 */
export const trialAdvice: Record<SecurityState, string> = {
  authenticated: 'Both keys are right: the first goes into encryption_key (GPK60), the second into authentication_key (GPK61).',
  encryption_only: 'The encryption key is right (encryption_key, GPK60); this meter does not authenticate its frames, so the second key cannot be checked.',
  not_authenticated: 'The frames decrypt with the encryption key (GPK60); enter the authentication key (GPK61) too if your grid company gave you one.',
  keys_swapped: 'The keys are swapped: the first is the authentication key (GPK61), the second the encryption key (GPK60).',
  not_encrypted: 'The meter sends its frames unencrypted: leave both keys empty.',
  wrong_authentication_key: 'The encryption key (GPK60) is right; the authentication key (GPK61) is not.',
  wrong_encryption_key: 'The frames do not decrypt with these keys, either way round: check the encryption key (GPK60). A reset of the HAN port issues new keys.',
  key_missing: 'Enter both keys: the meter encrypts and authenticates its frames.',
  no_frames: 'No frame has formed from the bytes that came: check baud_rate and parity first.',
  no_data: 'No frame from this meter is held yet: wait for the meter to send (every 10 s), then check again.',
};

/**
 * Tries a pair of keys on frames the service holds, exactly as the service would decode them, and answers with the
 * service's own verdict words. Nothing is kept: the keys live in this call only.
 */
export function tryKeys(frames: readonly (readonly Buffer[])[], keys: Keys): Omit<KeyCheckAnswer, 'systemTitle'> {
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
  return { verdict, advice: trialAdvice[verdict], frames: tried };
}

/** The pair the right way round, for a verdict that decoded; null when the keys did not decode the frames. */
export function orderedKeys(verdict: SecurityState, keys: Keys): Keys | null {
  if (verdict === 'authenticated' || verdict === 'encryption_only') return keys;
  if (verdict === 'keys_swapped') return { encryption: keys.authentication, authentication: keys.encryption };
  return null;
}
