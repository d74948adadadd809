import { existsSync } from 'node:fs';
import { Backoff, type Source, type SourceEvents } from './source.js';

export interface SerialOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly backoff?: Backoff;
}

type Port = import('serialport').SerialPort;

const PRESENCE_CHECK_MS = 2000;

/**
 * A local serial device (a USB serial adapter on the HAN port). When the device disappears it is reopened
 * with back-off until it is back. serialport is loaded only when this source is used: it is a native module
 * and the largest dependency.
 */
export class SerialSource implements Source {
  readonly name: string;
  private port: Port | null = null;
  private timer: NodeJS.Timeout | null = null;
  private presence: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(private readonly options: SerialOptions) {
    this.name = `serial ${options.path}`;
    this.backoff = options.backoff ?? new Backoff();
  }

  start(events: SourceEvents): void {
    this.stopped = false;
    void this.open(events);
  }

  private retry(events: SourceEvents, why: string): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    events.state('disconnected', `${why}; retrying in ${Math.round(delay / 1000)} s`);
    this.timer = setTimeout(() => void this.open(events), delay);
  }

  private async open(events: SourceEvents): Promise<void> {
    if (this.stopped) return;
    events.state('connecting');
    let SerialPort: typeof import('serialport').SerialPort;
    try {
      ({ SerialPort } = await import('serialport'));
    } catch (error) {
      // The native binding did not load (a build for another C library, a damaged install): nothing a retry fixes
      // by itself, but retrying keeps the service and its diagnostics up, and says why.
      this.retry(events, `the serial port library does not load (${(error as Error).message}); reinstall the add-on`);
      return;
    }
    if (this.stopped) return; // stopped while the library was loading
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate,
      parity: this.options.parity,
      dataBits: 8,
      stopBits: 1,
      autoOpen: false,
    });
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      this.backoff.reset();
      events.data(chunk);
    });
    port.on('error', () => undefined); // reported by 'close' or the open callback
    port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port) return;
      this.dropPort();
      this.retry(events, error?.disconnected ? 'the device disappeared (unplugged?)' : 'the device was closed');
    });
    port.open((error) => {
      if (error) {
        if (this.port === port) this.port = null;
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' || /No such file/i.test(error.message)
            ? `${this.options.path} does not exist (unplugged, or the wrong device is selected)`
            : code === 'EACCES' || /Permission denied/i.test(error.message)
              ? `no permission to open ${this.options.path}`
              : `cannot open ${this.options.path}: ${error.message}`;
        this.retry(events, why);
        return;
      }
      if (this.stopped || this.port !== port) {
        port.close(() => undefined); // stopped while it was opening
        return;
      }
      events.state('connected');
      // Not every driver reports an unplugged device on the open port: look for its path as well.
      this.presence = setInterval(() => {
        if (this.port !== port || existsSync(this.options.path)) return;
        this.dropPort();
        port.close(() => undefined);
        this.retry(events, 'the device disappeared (unplugged?)');
      }, PRESENCE_CHECK_MS);
      this.presence.unref();
    });
  }

  private dropPort(): void {
    this.port = null;
    if (this.presence) clearInterval(this.presence);
    this.presence = null;
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const port = this.port;
    this.dropPort();
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }
}
