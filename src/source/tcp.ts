import { createConnection, type Socket } from 'node:net';
import { Backoff } from '../base/backoff.js';
import type { Source, SourceEvents } from './source.js';

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  /** How long a connection attempt may take. */
  readonly connectTimeoutMs?: number;
  readonly backoff?: Backoff;
}

/** One receive buffer per connection, reused for every read (Node's `onread`): what the reader keeps, it copies. */
const READ_BUFFER = 16 * 1024;

/**
 * While a frame comes in pieces the source rests this long after each read, so that what the bridge sends in the
 * meantime comes in one read. A bridge forwards the meter's 2400 baud line a few bytes at a time, and under the
 * add-on's --jitless each read costs Node about 65 µs of CPU whatever it carries (measured with an empty handler): a
 * 491-byte frame in 16-byte segments cost 2 ms in reads alone. Resting 200 ms makes that a read every 200 ms, and
 * delays a frame by at most 200 ms, nothing next to the meter's 10 s (nor to a P1 meter's second). Each rest is a
 * pause, a timer and a resume: against 100 ms, 200 ms cost the service 35 % less CPU per frame of a 2400-baud line fed
 * 4 bytes a segment (8.6 → 5.6 ms) and 4 % less at 10 frames/s in random chunks (alternating rounds, add-on flags).
 *
 * It rests only between the pieces of a frame: from the second read of a frame that is still under way (the reader
 * says so, `SourceEvents.data`), never after the read that completes one. A rest ends with a timer, a wake-up of its
 * own: after a frame that came whole, or at its last piece, nothing more is coming, and that wake-up cost the service
 * a third of its CPU per frame at 10 frames/s (1.29 → 0.94 ms against the floor's 0.68, alternating rounds under the
 * add-on's flags, npm run bench -- service; issue #30). The first read of a frame does not rest either: a burst (a
 * bridge that forwards a whole frame) is then read in the reads the kernel makes of it, as a program without rests
 * reads it, while a slow line is found out at its second piece.
 */
export const GATHER_MS = 200;

/**
 * A read at least this large is a burst, not a meter's line (115200 baud, the fastest a meter sends, gives 2.3 kB in
 * GATHER_MS): a backlog the bridge buffered, or a flood. After it the source reads again on the next turn of the
 * event loop, once what was read is decoded (the service decodes a read in the turn it comes in and the next:
 * service/app.ts, SLICE_BYTES), so that a real frame behind 10 MB of noise waits for the noise to be read and
 * decoded, not for 640 rests of 200 ms (16 kB each: 128 s; issue #22, item 6; test/source-flood.test.ts).
 */
export const BURST_BYTES = 4096;

/**
 * A client to a serial-to-TCP bridge at the meter (ESPHome stream server, ser2net, socat). It redials by itself when
 * the connection closes; the service asks it to (`redial`) when no good frame came for the data timeout, since bytes
 * alone are no proof of life (a bridge may send garbage, or a half-open connection nothing at all).
 */
export class TcpSource implements Source {
  readonly name: string;
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER);
  private gather: NodeJS.Timeout | null = null;
  private waking: NodeJS.Immediate | null = null;
  /** What the reader said after the last read: a frame is under way. */
  private underWay = false;

  constructor(private readonly options: TcpOptions) {
    this.name = `tcp ${options.host}:${options.port}`;
    this.backoff = options.backoff ?? new Backoff();
  }

  start(events: SourceEvents): void {
    this.stopped = false;
    this.connect(events);
  }

  private connect(events: SourceEvents): void {
    if (this.stopped) return;
    this.quiet();
    events.state('connecting');
    const onRead = (n: number, buffer: Buffer): boolean => {
      this.backoff.reset();
      const underWay = events.data(buffer.subarray(0, n));
      if (n >= BURST_BYTES) this.rest(socket, true);
      else if (underWay && this.underWay) this.rest(socket, false);
      this.underWay = underWay;
      return true;
    };
    const { host, port } = this.options;
    const socket = createConnection({ host, port, onread: { buffer: this.buffer, callback: onRead } });
    this.socket = socket;
    socket.setKeepAlive(true, 10_000);
    socket.setTimeout(this.options.connectTimeoutMs ?? 10_000);
    socket.on('connect', () => {
      socket.setTimeout(0);
      events.state('connected');
    });
    socket.on('timeout', () => socket.destroy(new Error('connection timed out')));
    socket.on('error', () => undefined); // reported once by 'close' below
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      const delay = this.backoff.next();
      const errored: (Error & { code?: string }) | null = socket.errored;
      const why = errored?.code ?? errored?.message ?? 'closed by the bridge';
      events.state('disconnected', `${why}; redialling in ${Math.round(delay / 1000)} s`);
      this.timer = setTimeout(() => this.connect(events), delay);
    });
  }

  /** Stops reading for GATHER_MS, or after a burst until the next turn of the event loop (see BURST_BYTES). */
  private rest(socket: Socket, more: boolean): void {
    if (this.gather !== null || this.waking !== null) return;
    socket.pause();
    const resume = () => {
      this.gather = null;
      this.waking = null;
      if (this.socket === socket && !socket.destroyed) socket.resume();
    };
    if (more) this.waking = setImmediate(resume);
    else this.gather = setTimeout(resume, GATHER_MS);
  }

  /** Forgets a rest in progress (a new connection, or the stop). */
  private quiet(): void {
    this.underWay = false;
    if (this.gather) clearTimeout(this.gather);
    if (this.waking) clearImmediate(this.waking);
    this.gather = null;
    this.waking = null;
  }

  redial(reason: string): void {
    this.socket?.destroy(new Error(reason));
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.quiet();
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
