/**
 * Replay protection for authenticated frames. The invocation counter is part of the GCM nonce and of what the tag
 * authenticates (Green Book §9.2.7.2.4, IV = system title ‖ invocation counter), and a meter increases it with every
 * frame it ciphers. A frame whose counter is not greater than the last accepted one from the same system title is
 * therefore a copy of an old frame, however valid its tag: someone (or a misbehaving bridge) sent it again.
 *
 * The counters are kept per system title, together with a fingerprint of the keys they were accepted with: when
 * the grid company resets the HAN port it issues new keys and the meter may start counting afresh, and then the
 * old counter must not lock the meter out.
 */
export interface CounterRecord {
  readonly counter: number;
  /** `keyFingerprint` of the keys in use when the counter was accepted. */
  readonly keys: string;
}

export type ReplayVerdict = { readonly replay: false } | { readonly replay: true; readonly last: number };

export class ReplayGuard {
  constructor(
    /** system title (hex) → last accepted counter; the persisted state's own object, updated in place. */
    private readonly counters: Record<string, CounterRecord>,
  ) {}

  /** Judges a frame's counter, given the fingerprint of the keys it decoded with; an accepted one becomes the last. */
  check(systemTitle: string, counter: number, keys: string): ReplayVerdict {
    const last = this.counters[systemTitle];
    if (last !== undefined && last.keys === keys && counter <= last.counter) return { replay: true, last: last.counter };
    this.counters[systemTitle] = { counter, keys };
    return { replay: false };
  }
}
