import { FrameError } from '../base/errors.js';
import { BlockTransfer, GBT_TAG } from './block-transfer.js';
import type { Candidate, UncheckedFcs } from './candidate.js';
import { copyOf, type FramedApdu, type FramerOutput, type Framing } from './output.js';
import { CIPHERED_MAX, credibleBareCiphered, GLO_CIPHERING } from './ciphered.js';
import { fcsFailed, fcsHolds, HDLC_FLAG, HDLC_MAX_FRAME, llcLength, parseHdlc } from './hdlc.js';
import { MBUS_MAX_FRAME, MBUS_START, parseMbus } from './mbus.js';
import { isTextStart, maskParity, P1_MAX_TELEGRAM, P1_START, TextTelegramScanner } from './p1.js';

export type { FramedApdu, FramerOutput, Framing } from './output.js';

/** Bigger than any real push message (Aidon SE: 581 bytes; L&G GBT: a few frames) by a wide margin. */
const MAX_MESSAGE = 64 * 1024;
const BUFFER_SIZE = 2 * Math.max(HDLC_MAX_FRAME, MBUS_MAX_FRAME, P1_MAX_TELEGRAM, CIPHERED_MAX);
const CR = 0x0d;
const LF = 0x0a;

/**
 * Sans-I/O framer: push byte chunks in, get checked and reassembled APDUs out. HDLC, wired M-Bus, P1 text telegrams
 * and bare ciphered APDUs are told apart by their start bytes, so the user never chooses. Memory is bounded: the
 * receive buffer never holds more than two maximum-size frames, and reassembly is capped.
 */
export class Framer {
  private buf = new Uint8Array(BUFFER_SIZE);
  private len = 0;
  private segments: Uint8Array[] = [];
  private segmentsSize = 0;
  private segmentsFraming: Framing | null = null;
  private nextSequence = 0;
  private readonly blocks = new BlockTransfer(MAX_MESSAGE);
  /** Bytes skipped because they were not part of any credible frame. */
  discarded = 0;
  /** Copies of the raw frames since the last output, when asked to keep them. */
  private raw: Buffer[] = [];
  private readonly text = new TextTelegramScanner();
  /**
   * A bare ciphered APDU is looked for only where no HDLC or M-Bus frame can be: not once the source has sent one (a
   * source carries one kind of framing), and not inside one that failed its checksum (whose ciphered APDU may be
   * whole: it failed, so it is not read).
   */
  private framed = false;
  private bareFrom = 0;
  /** The last three bytes dropped from the buffer's front, newest lowest: what came before its first byte. */
  private before = 0;
  /** The line end after a telegram's trailer is part of it, also when it comes in the next chunk. */
  private afterText = false;
  /** No more bytes will come (`end`). */
  private final = false;

  /**
   * `keepRaw`: hand each output the raw frames it came from (a copy each; only the frame log asks for it).
   * `tagProves`: the taker of `feed` checks the authentication tag of ciphered APDUs, and the FCS of an HDLC frame
   * that carries a tagged one is left to it (hdlc.ts); `push` and `end` check every FCS themselves.
   */
  constructor(
    private readonly keepRaw = false,
    private readonly tagProves = false,
  ) {}

  /** Whether the FCS that an output left unchecked holds: valid only while the output's APDU is (in `feed`'s taker). */
  fcsHolds(fcs: UncheckedFcs): boolean {
    return fcsHolds(this.buf, fcs.from, fcs.at);
  }

  /** An output as a caller keeps it: a copy of the APDU, its FCS checked. */
  private kept(o: FramerOutput): FramerOutput {
    if (!o.ok) return o;
    const fcs = o.value.fcs;
    if (fcs !== undefined && !fcsHolds(this.buf, fcs.from, fcs.at)) return { ok: false, error: new FrameError('checksum', fcsFailed(fcs.total)), raw: o.raw };
    return { ok: true, value: { framing: o.value.framing, apdu: copyOf(o.value.apdu) }, raw: o.raw };
  }

  /**
   * Whether a frame is under way: the buffer holds the first bytes of one (more than the lone flag that closed the
   * last frame, which HDLC lets the next share), or a segmented message or block transfer waits for its next part.
   * A source rests while a frame comes in pieces, so that its rest arrives in one read (source/tcp.ts, GATHER_MS).
   */
  get awaiting(): boolean {
    return this.len > 1 || (this.len === 1 && this.buf[0] !== HDLC_FLAG) || this.segments.length > 0 || this.blocks.waiting > 0;
  }

  /** Pushes a chunk; returns the APDUs it completed, each a copy that the caller may keep. */
  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    this.feed(chunk, (o) => out.push(this.kept(o)));
    return out;
  }

  /**
   * Pushes a chunk and hands each result to `take` while its APDU may still be a view into the receive
   * buffer: valid only during the call. The decoder uses this, since it decrypts or reads each APDU at once:
   * copying 480 bytes per frame out of Node's buffer pool cost more than parsing them.
   */
  feed(chunk: Uint8Array, take: (output: FramerOutput) => void): void {
    // Feed at most half the buffer at a time so a huge chunk (a whole capture file) never grows memory.
    const step = BUFFER_SIZE / 2;
    for (let at = 0; at < chunk.length; at += step) {
      const piece = chunk.length <= step ? chunk : chunk.subarray(at, Math.min(chunk.length, at + step));
      this.buf.set(piece, this.len);
      this.len += piece.length;
      this.scan(take);
    }
  }

  /** Call at end of input: a frame still waiting for bytes is reported as truncated. */
  end(): FramerOutput[] {
    const out: FramerOutput[] = [];
    // A text telegram whose trailer is the input's last byte ("!" of DSMR 2.2 without a line end) is complete.
    this.final = true;
    try {
      this.scan((o) => out.push(this.kept(o)));
    } finally {
      this.final = false;
    }
    let pos = 0;
    while (pos < this.len) {
      const c = this.candidateAt(pos);
      // A lone trailing flag is the close of the last frame, not the start of a truncated one.
      if (c?.status === 'need-more' && this.len - pos > 1) {
        const what = isTextStart(this.buf[pos]!) ? 'a P1 telegram' : 'a frame';
        out.push({ ok: false, error: new FrameError('closing-flag', `input ended inside ${what} (${this.len - pos} bytes): it is truncated`) });
        break;
      }
      pos++;
    }
    this.discarded += pos;
    this.len = 0;
    this.text.reset();
    this.bareFrom = 0;
    this.before = 0;
    // A message whose first parts came and whose rest never did: say what it was, not "no frame found".
    const check = 'the capture was cut short, or the meter’s next frames were lost on the way (see the checksum errors)';
    if (this.segments.length > 0) {
      const what =
        this.segmentsFraming === 'mbus'
          ? `M-Bus segment${this.segments.length > 1 ? `s 0 to ${this.segments.length - 1}` : ' 0'} of a message came, and the segment that ends it never did`
          : `${this.segments.length} HDLC segment${this.segments.length > 1 ? 's' : ''} of a message came, and the segment that ends it never did`;
      out.push({ ok: false, error: new FrameError('incomplete', `the input ended inside a segmented message: ${what}; ${check}`) });
    }
    if (this.blocks.waiting > 0) {
      out.push({ ok: false, error: new FrameError('incomplete', `the input ended inside a general block transfer: block${this.blocks.waiting > 1 ? `s 1 to ${this.blocks.waiting}` : ' 1'} came, block ${this.blocks.waiting + 1} never did; ${check}`) });
      this.blocks.reset();
    }
    this.dropSegments();
    return out;
  }

  private candidateAt(pos: number): Candidate | null {
    const b = this.buf[pos]!;
    if (b === HDLC_FLAG) return parseHdlc(this.buf, pos, this.len, this.tagProves);
    if (b === MBUS_START) return parseMbus(this.buf, pos, this.len);
    if (isTextStart(b)) return this.text.at(this.buf, pos, this.len, this.final);
    if (b === GLO_CIPHERING && !this.framed && pos >= this.bareFrom) return this.bareAt(pos);
    return null;
  }

  /** The byte `back` places before `pos`, also when it was already dropped from the buffer. */
  private byteBefore(pos: number, back: number): number {
    const i = pos - back;
    return i >= 0 ? this.buf[i]! : (this.before >>> (8 * (-1 - i))) & 0xff;
  }

  private bareAt(pos: number): Candidate {
    return credibleBareCiphered(this.buf, pos, this.len, this.final, (back) => this.byteBefore(pos, back));
  }

  private scan(take: (output: FramerOutput) => void): void {
    const out: FramerOutput[] = [];
    let pos = 0;
    let keepFrom = this.len;
    while (pos < this.len) {
      const c = this.candidateAt(pos);
      if (c === null || c.status === 'invalid') {
        const b = this.buf[pos];
        if (this.afterText && (b === CR || b === LF || b === (CR | 0x80))) {
          pos++; // the line end of the telegram before: part of it, not skipped noise
          continue;
        }
        this.afterText = false;
        this.discarded++;
        pos++;
      } else if (c.status === 'need-more') {
        keepFrom = pos;
        break;
      } else if (c.status === 'error') {
        this.afterText = false;
        if (this.keepRaw) this.raw.push(copyOf(this.buf.subarray(pos, Math.min(this.len, pos + c.total))));
        this.emit(out, { ok: false, error: new FrameError(c.reason, c.message) });
        const b = this.buf[pos];
        if (b === HDLC_FLAG || b === MBUS_START) this.bareFrom = pos + c.total;
        pos = c.next ?? pos + 1;
      } else {
        if (this.keepRaw) this.raw.push(copyOf(this.buf.subarray(pos, pos + c.total)));
        // How the frame came, by its first byte; written out, not called: under --jitless a call per frame counts.
        const b = this.buf[pos];
        const framing: Framing = b === HDLC_FLAG ? 'hdlc' : b === MBUS_START ? 'mbus' : b === GLO_CIPHERING ? 'apdu' : 'p1';
        if (framing === 'p1') {
          if (b !== P1_START) maskParity(this.buf, c.start, c.end);
          this.afterText = true;
        } else {
          if (framing !== 'apdu') this.framed = true;
          this.afterText = false;
        }
        this.accept(framing, c.start, c.end, c.more, c.sequence, out, c.fcs);
        pos = c.next;
      }
    }
    // The views in `out` point into the buffer: hand them over before it is compacted, and compact even if
    // the taker throws, so that the framer never scans the same bytes twice.
    try {
      for (const o of out) take(o);
    } finally {
      for (let k = Math.max(0, keepFrom - 3); k < keepFrom; k++) this.before = ((this.before << 8) | this.buf[k]!) & 0xffffff;
      this.buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
      this.text.shift(keepFrom);
      this.bareFrom = Math.max(0, this.bareFrom - keepFrom);
    }
  }

  private accept(framing: Framing, start: number, end: number, more: boolean, sequence: number, out: FramerOutput[], fcs?: UncheckedFcs): void {
    const llc = framing === 'hdlc' ? llcLength(this.buf, start, end) : 0;
    if (this.segments.length > 0) {
      const continues = framing === this.segmentsFraming && (framing === 'hdlc' ? llc === 0 : sequence === this.nextSequence);
      if (!continues) {
        this.dropSegments();
        this.emit(out, { ok: false, error: new FrameError('reassembly', 'a segmented message was interrupted: its remaining segments never came') });
      }
    }
    const first = this.segments.length === 0;
    if (first && framing === 'mbus' && sequence !== 0) {
      this.emit(out, { ok: false, error: new FrameError('reassembly', `M-Bus segment ${sequence} arrived without the segments before it`) });
      return;
    }
    // One view of the payload, without the LLC header that starts an HDLC message.
    const data = this.buf.subarray(first ? start + llc : start, end);
    if (more || !first) {
      this.segments.push(copyOf(data));
      this.segmentsSize += data.length;
      this.segmentsFraming = framing;
      this.nextSequence = (sequence + 1) & 0x0f;
      if (this.segmentsSize > MAX_MESSAGE) {
        this.dropSegments();
        this.emit(out, { ok: false, error: new FrameError('too-long', 'a segmented message exceeds the size limit') });
        return;
      }
      if (more) return;
    }
    const apdu = first ? data : Buffer.concat(this.segments, this.segmentsSize);
    this.dropSegments();
    if (apdu[0] === GBT_TAG) {
      try {
        const whole = this.blocks.push(apdu);
        if (whole) this.emit(out, { ok: true, value: { framing, apdu: whole } });
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.emit(out, { ok: false, error });
      }
      return;
    }
    // The common case without a call: under --jitless every call per frame counts.
    const value: FramedApdu = fcs === undefined ? { framing, apdu } : { framing, apdu, fcs };
    if (this.keepRaw) this.emit(out, { ok: true, value });
    else out.push({ ok: true, value });
  }

  /** Adds an output, with the raw frames it came from when they are kept. */
  private emit(out: FramerOutput[], o: FramerOutput): void {
    if (!this.keepRaw) {
      out.push(o);
      return;
    }
    const raw = this.raw;
    this.raw = [];
    out.push(o.ok ? { ok: true, value: o.value, raw } : { ok: false, error: o.error, raw });
  }

  private dropSegments(): void {
    this.segments = [];
    this.segmentsSize = 0;
    this.segmentsFraming = null;
    this.nextSequence = 0;
  }
}
