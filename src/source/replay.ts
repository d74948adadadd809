import type { Source, SourceEvents } from './source.js';

/**
 * Plays recorded frames, then frames from a generator at a fixed interval: the demo's meter. Bytes are
 * delivered in small chunks as a 2400-baud line would deliver them, so the framer works as for real.
 */
export class ReplaySource implements Source {
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;

  constructor(
    private readonly recorded: readonly Buffer[],
    private readonly generate: (() => Buffer) | null,
    private readonly intervalMs: number,
    private readonly limit = Infinity,
    private readonly onDone: () => void = () => undefined,
    readonly name = 'replay (recorded real frames and a simulated meter)',
  ) {}

  start(events: SourceEvents): void {
    events.state('connected');
    const send = (frame: Buffer) => {
      for (let at = 0; at < frame.length; at += 64) events.data(frame.subarray(at, at + 64));
    };
    for (const frame of this.recorded) send(frame);
    if (!this.generate) return;
    const tick = () => {
      if (this.sent >= this.limit) {
        this.onDone();
        return;
      }
      this.sent++;
      send(this.generate!());
      this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, Math.min(this.intervalMs, 500));
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    return Promise.resolve();
  }
}
