/**
 * The health of one source's line, told apart in three, since each has another cause and another remedy:
 *
 * | state       | what is seen for data_timeout           | likely cause                         | what PowerMeter does      |
 * | ----------- | --------------------------------------- | ------------------------------------ | ------------------------- |
 * | `no-bytes`  | nothing at all                          | cable, bridge, port, a stalled meter | redials a bridge          |
 * | `no-frames` | bytes, but no frame forms from them     | baud rate, parity, not a HAN port    | says the bytes/s it sees  |
 * | `ok`        | frames (good, or refused for a reason)  | —                                    | the key check says which  |
 *
 * A frame that fails its key or its checksum still proves the line: it is never a reason to redial, and the
 * "No data from the meter" problem sensor stays off while such frames come (the key check, or the checksum hint,
 * says what is wrong with them).
 */
export type LineState = 'ok' | 'no-bytes' | 'no-frames';

import type { Outbox } from './outbox.js';
import type { SourceRecord } from './streams.js';

/** The thresholds, in one place. */
export const lineRules = {
  /** After this many checksum failures, more than twice the good frames, the line settings are the likely cause. */
  checksumHintAfter: 5,
  /** This many good frames in a row, without a checksum failure, and the line is fine again. */
  checksumsPassAfter: 30,
} as const;

export class LineHealth {
  lastBytesAt: number | null = null;
  /** The start of the bytes that are still coming: frames are awaited from then, not from the start. */
  private bytesSince: number | null = null;
  /** Any frame the framer formed, good or refused. */
  lastFrameAt: number | null = null;
  /** The last accepted frame. */
  lastGoodAt: number | null = null;
  connectedAt: number | null = null;
  private lastRedialAt = 0;
  /** Bytes since the last frame formed, for the rate said when none forms. */
  private bytesSinceFrame = 0;
  /** Checksum failures and good frames since the line last looked fine. */
  windowFailed = 0;
  windowDecoded = 0;
  private goodInARow = 0;

  constructor(
    private startedAt: number,
    private readonly timeoutMs: number,
  ) {}

  /** The service started: silence counts from now. */
  restart(at: number): void {
    this.startedAt = at;
  }

  bytes(n: number, at: number): void {
    if (this.bytesSince === null || this.lastBytesAt === null || at - this.lastBytesAt >= this.timeoutMs) this.bytesSince = at;
    this.lastBytesAt = at;
    this.bytesSinceFrame += n;
  }

  framed(at: number): void {
    this.lastFrameAt = at;
    this.bytesSinceFrame = 0;
  }

  /** An accepted frame; true when the checksums, which had failed, have now passed for long enough. */
  accepted(at: number): boolean {
    this.lastGoodAt = at;
    this.windowDecoded++;
    if (++this.goodInARow >= lineRules.checksumsPassAfter && this.windowFailed > 0) {
      this.windowFailed = 0;
      this.windowDecoded = 0;
      return true;
    }
    return false;
  }

  /** A frame that failed its checksum; true when the failures say the line settings are wrong. */
  checksumFailed(): boolean {
    this.goodInARow = 0;
    this.windowFailed++;
    return this.windowFailed >= lineRules.checksumHintAfter && this.windowFailed > 2 * this.windowDecoded;
  }

  state(at: number): LineState {
    if (at - (this.lastBytesAt ?? this.startedAt) >= this.timeoutMs) return 'no-bytes';
    const awaitedFrom = Math.max(this.lastFrameAt ?? -Infinity, this.bytesSince ?? this.startedAt);
    return at - awaitedFrom >= this.timeoutMs ? 'no-frames' : 'ok';
  }

  /** Bytes a second since the last frame formed (or since the bytes began). */
  bytesPerSecond(at: number): number {
    const from = Math.max(this.lastFrameAt ?? -Infinity, this.bytesSince ?? at);
    return at > from ? Math.round((this.bytesSinceFrame * 1000) / (at - from)) : 0;
  }

  /**
   * Whether a bridge should be dialled again: only when no byte came for the timeout (a half-open connection looks
   * alive for ever), and not more often than that.
   */
  redialDue(at: number): boolean {
    if (this.connectedAt === null) return false;
    const quietSince = Math.max(this.lastBytesAt ?? this.startedAt, this.connectedAt, this.lastRedialAt);
    if (at - quietSince < this.timeoutMs) return false;
    this.lastRedialAt = at;
    return true;
  }

  /** The next instant after `at` when the state, or a redial, may become due by time alone; Infinity when none. */
  dueAt(at: number): number {
    // Asked with every chunk of bytes: no array of candidates (under --jitless, allocations and iterators count).
    const bytes = (this.lastBytesAt ?? this.startedAt) + this.timeoutMs;
    const frames = Math.max(this.lastFrameAt ?? -Infinity, this.bytesSince ?? this.startedAt) + this.timeoutMs;
    const redial = this.connectedAt === null ? Infinity : Math.max(this.lastBytesAt ?? this.startedAt, this.connectedAt, this.lastRedialAt) + this.timeoutMs;
    let due = Infinity;
    if (bytes > at && bytes < due) due = bytes;
    if (frames > at && frames < due) due = frames;
    if (redial > at && redial < due) due = redial;
    return due;
  }
}

/** What the line's state says at a tick: its notice, and a redial of a silent bridge. Pure but for the outbox. */
export function sayLine(source: SourceRecord, at: number, timeoutMs: number, out: Outbox): void {
  const line = source.line;
  const seconds = Math.round(timeoutMs / 1000);
  const state = line.state(at);
  if (state === 'no-bytes') {
    out.say('no-bytes', source.scope, { seconds, everHeard: line.lastBytesAt !== null, redial: source.spec.redial });
    // A bridge that sends nothing may be half-open (it lost power, Wi-Fi dropped): dial it again. One that sends
    // bytes, even bad ones, is connected: dialling again would not help.
    if (source.spec.redial && source.state === 'connected' && line.redialDue(at)) out.push({ kind: 'redial', source: source.spec.id, reason: `no bytes for ${seconds} s` });
  } else if (state === 'no-frames') {
    const { baudRate, parity, remoteLine } = source.spec;
    out.say('no-frames', source.scope, { seconds, bytesPerSecond: line.bytesPerSecond(at), baudRate, parity, bridge: remoteLine });
  }
}
