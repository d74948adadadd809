import { Socket } from 'node:net';
import { Backoff, type Source, type SourceEvents } from './source.js';

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  /** How long a connection attempt may take. */
  readonly connectTimeoutMs?: number;
  readonly backoff?: Backoff;
}

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
    events.state('connecting');
    const socket = new Socket();
    this.socket = socket;
    socket.setKeepAlive(true, 10_000);
    socket.setTimeout(this.options.connectTimeoutMs ?? 10_000);
    socket.on('connect', () => {
      socket.setTimeout(0);
      events.state('connected');
    });
    socket.on('data', (chunk: Buffer) => {
      this.backoff.reset();
      events.data(chunk);
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
    socket.connect(this.options.port, this.options.host);
  }

  redial(reason: string): void {
    this.socket?.destroy(new Error(reason));
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
