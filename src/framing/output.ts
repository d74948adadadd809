import type { FrameError } from '../base/errors.js';
import type { UncheckedFcs } from './candidate.js';

/**
 * How a frame came: HDLC, wired M-Bus, a P1 text telegram (`p1`), or a general-glo-ciphering APDU bare on the wire
 * (`apdu`: encrypted P1 telegrams of Luxembourg and Austria).
 */
export type Framing = 'hdlc' | 'mbus' | 'p1' | 'apdu';

/** One complete APDU, reassembled from one or more checked frames. */
export interface FramedApdu {
  readonly framing: Framing;
  readonly apdu: Uint8Array;
  /**
   * An HDLC frame's FCS not checked yet, as the framer was asked (`tagProves`): the taker checks it (`fcsHolds`) while
   * the APDU is a view, when the APDU does not decode or its tag was not checked.
   */
  readonly fcs?: UncheckedFcs;
}

/**
 * What the framer found. With `keepRaw`, `raw` holds copies of the frames as they came (flags and checksums
 * included; several for a segmented message) that made this output: a frame log can show and save them.
 */
export type FramerOutput =
  | { readonly ok: true; readonly value: FramedApdu; readonly raw?: readonly Buffer[] }
  | { readonly ok: false; readonly error: FrameError; readonly raw?: readonly Buffer[] };

/**
 * A copy out of the receive buffer, which the next chunk overwrites. Buffer.allocUnsafe takes small copies
 * from Node's pool: a fraction of the cost of Uint8Array#slice, which allocates a new ArrayBuffer each time.
 */
export function copyOf(view: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafe(view.length);
  copy.set(view);
  return copy;
}
