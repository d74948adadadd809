/**
 * What a frame parser says about the bytes at one position of the receive buffer. Parsers are pure: they
 * look, they never consume; the framer decides what to drop.
 */
export type Candidate =
  /** Not enough bytes yet to decide. */
  | { readonly status: 'need-more' }
  /** Not a frame start: skip one byte and look again. */
  | { readonly status: 'invalid' }
  /**
   * The header was credible but the frame is broken. `next`: where scanning resumes, when the parser knows where the
   * broken frame ends (a text telegram's `!`); else at the next byte, since a damaged length may have lied.
   */
  | { readonly status: 'error'; readonly reason: 'checksum' | 'closing-flag' | 'too-long'; readonly message: string; readonly total: number; readonly next?: number }
  /**
   * A checked frame. `next` is where scanning resumes; its payload is buffer[start, end); the whole frame, flags
   * included, is `total` bytes from the position.
   */
  | {
      readonly status: 'frame';
      readonly next: number;
      readonly start: number;
      readonly end: number;
      readonly more: boolean;
      readonly sequence: number;
      readonly total: number;
      /** An HDLC frame whose FCS was left to check: it covers buffer[from, at), and is sent at `at` (hdlc.ts, `tagProves`). */
      readonly fcs?: UncheckedFcs;
    };

/** Where an HDLC frame's FCS is and what it covers, in the framer's buffer, for a check after the APDU was tried. */
export interface UncheckedFcs {
  readonly from: number;
  readonly at: number;
  /** The frame's length, flags included, for the error. */
  readonly total: number;
}

export const needMore: Candidate = { status: 'need-more' };
export const invalid: Candidate = { status: 'invalid' };
