import type { Source, SourceEvents } from './source.js';

/** Bytes to play, and the stream they come on: each recording is its own stream, so its meter is not taken for a replacement of another's. */
export interface Replayed {
  readonly bytes: Buffer;
  readonly stream?: string;
}

export interface ReplayOptions {
  /** Played once, at the start, in order. */
  readonly recorded: readonly Replayed[];
  /** Then a frame from this every `intervalMs`, on `stream`. */
  readonly generate?: { readonly next: () => Buffer; readonly intervalMs: number; readonly stream?: string };
  /** The most generated frames; `onDone` is called when the last has been sent. */
  readonly limit?: number;
  readonly onDone?: () => void;
  readonly name?: string;
}

/**
 * Plays recorded frames, then frames from a generator at a fixed interval: the demo's meters. Bytes are delivered in
 * small chunks as a serial line would deliver them, so the framer works as for real.
 */
export class ReplaySource implements Source {
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;
  readonly name: string;

  constructor(private readonly options: ReplayOptions) {
    this.name = options.name ?? 'replay (recorded real frames and a simulated meter)';
  }

  start(events: SourceEvents): void {
    events.state('connected');
    const send = (frame: Buffer, stream: string | undefined) => {
      for (let at = 0; at < frame.length; at += 64) events.data(frame.subarray(at, at + 64), stream);
    };
    for (const r of this.options.recorded) send(r.bytes, r.stream);
    const generate = this.options.generate;
    if (!generate) return;
    const limit = this.options.limit ?? Infinity;
    const tick = () => {
      if (this.sent >= limit) {
        this.options.onDone?.();
        return;
      }
      this.sent++;
      send(generate.next(), generate.stream);
      this.timer = setTimeout(tick, generate.intervalMs);
    };
    this.timer = setTimeout(tick, Math.min(generate.intervalMs, 500));
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    return Promise.resolve();
  }
}
