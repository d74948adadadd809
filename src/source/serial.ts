import { existsSync, watch, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { Backoff } from '../base/backoff.js';
import type { Source, SourceEvents } from './source.js';
import { BURST_BYTES, GATHER_MS } from './tcp.js';

export interface SerialOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly backoff?: Backoff;
}

/** serialport's binding for this platform, below its stream (`SerialPort.binding`). */
type Binding = (typeof import('serialport').SerialPort)['binding'];
/** serialport's port below its stream: `read` waits for bytes (serialport's poller), `close` ends a pending read. */
type Port = Awaited<ReturnType<Binding['open']>>;

let loadedBinding: Binding | null = null;

/**
 * serialport's binding, as serialport makes its `SerialPort.binding` (node_modules/serialport/dist/serialport.js:
 * `autoDetect()` of @serialport/bindings-cpp), from the binding package serialport itself depends on, without the
 * stream and the twelve parsers serialport's index loads beside it; loaded with require, since an ES module's import()
 * of CommonJS makes Node lex each re-exported package for its names. Under the add-on's flags serialport's import()
 * took 50–61 ms, its require 41–50, the binding alone ~35 (issue #30). Loaded once; throws, to be tried again at the next
 * open, when the native binding does not load.
 */
function serialBinding(): Binding {
  if (loadedBinding !== null) return loadedBinding;
  const fromSerialport = createRequire(createRequire(import.meta.url).resolve('serialport'));
  const { autoDetect } = fromSerialport('@serialport/bindings-cpp') as { autoDetect: () => Binding };
  return (loadedBinding = autoDetect());
}

/** Where the presence of the device is checked by a timer when its folder cannot be watched. */
const PRESENCE_CHECK_MS = 2000;
/** What is read at once: a burst larger than this is read in several reads, back to back. */
const READ_BUFFER = 16 * 1024;
/** The most bytes the line may bring during a rest: well inside the kernel's 4 kB tty buffer at any baud rate. */
const REST_BYTES = 1024;

/**
 * A local serial device (a USB serial adapter on the HAN port). When the device disappears it is reopened with
 * back-off until it is back. serialport is loaded only when this source is used: it is a native module and the
 * largest dependency.
 *
 * The port is read through serialport's binding, not its stream, so that the source decides when to read: while a
 * frame comes in pieces it rests after a read, as the TCP source does (GATHER_MS), and the bytes the line brings
 * meanwhile wait in the kernel's tty buffer and come in the next read. A USB adapter hands over the 2400-baud line a
 * few bytes at a time, and the stream read each of them as it came, at the cost of a poll, two reads on libuv's thread
 * pool and the stream's own work: measured under the add-on's flags on a pseudo-terminal fed 4 bytes every 16.7 ms,
 * the service spent 124 ms of CPU per 491-byte frame to the floor's 82 (npm run bench -- service, issue #30). The
 * rest is shortened for fast lines, so that the tty buffer never holds more than REST_BYTES; a read of a burst is
 * followed by the next at once.
 */
export class SerialSource implements Source {
  readonly name: string;
  private port: Port | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rest: { timer: NodeJS.Timeout; done: () => void } | null = null;
  private presence: { close(): void } | null = null;
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly restMs: number;

  constructor(private readonly options: SerialOptions) {
    this.name = `serial ${options.path}`;
    this.backoff = options.backoff ?? new Backoff();
    // 10 bits a byte (start, 8 data, stop; a parity bit makes 11, which only shortens the time).
    this.restMs = Math.min(GATHER_MS, Math.floor((REST_BYTES * 10 * 1000) / options.baudRate));
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
    let binding: Binding;
    try {
      binding = serialBinding();
    } catch (error) {
      // The native binding did not load (a build for another C library, a damaged install): nothing a retry fixes
      // by itself, but retrying keeps the service and its diagnostics up, and says why.
      this.retry(events, `the serial port library does not load (${(error as Error).message}); reinstall the add-on`);
      return;
    }
    const { path, baudRate, parity } = this.options;
    let port: Port;
    try {
      port = await binding.open({ path, baudRate, parity, dataBits: 8, stopBits: 1 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message = (error as Error).message;
      const why =
        code === 'ENOENT' || /No such file/i.test(message)
          ? `${path} does not exist (unplugged, or the wrong device is selected)`
          : code === 'EACCES' || /Permission denied/i.test(message)
            ? `no permission to open ${path}`
            : `cannot open ${path}: ${message}`;
      this.retry(events, why);
      return;
    }
    if (this.stopped) {
      await port.close().catch(() => undefined); // stopped while it was opening
      return;
    }
    this.port = port;
    events.state('connected');
    this.presence = this.watchPresence(() => {
      if (this.port !== port || existsSync(path)) return;
      this.lose(port, events, 'the device disappeared (unplugged?)');
    });
    void this.read(port, events);
  }

  /** Reads until the port is closed: a read, then a rest (see the class). */
  private async read(port: Port, events: SourceEvents): Promise<void> {
    const buffer = Buffer.allocUnsafe(READ_BUFFER);
    // As the TCP source: a rest only between the pieces of a frame, from its second read on (tcp.ts, GATHER_MS).
    let wasUnderWay = false;
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await port.read(buffer, 0, buffer.length));
      } catch (error) {
        // A read ends in an error when the port is closed under it (stop, or the device gone) or the device fails.
        if (this.port !== port) return;
        const e = error as NodeJS.ErrnoException & { disconnect?: boolean };
        const gone = e.disconnect === true || e.code === 'EIO' || e.code === 'ENXIO' || e.code === 'ENODEV' || !existsSync(this.options.path);
        this.lose(port, events, gone ? 'the device disappeared (unplugged?)' : `reading ${this.options.path} failed: ${e.message}`);
        return;
      }
      if (this.port !== port) return;
      this.backoff.reset();
      const underWay = events.data(buffer.subarray(0, n));
      const rest = underWay && wasUnderWay;
      wasUnderWay = underWay;
      if (n >= BURST_BYTES || !rest) continue;
      await new Promise<void>((done) => (this.rest = { timer: setTimeout(done, this.restMs), done }));
      this.rest = null;
      if (this.port !== port) return;
    }
  }

  /** The device is gone or failed: closed, said, and reopened with back-off. */
  private lose(port: Port, events: SourceEvents, why: string): void {
    this.dropPort();
    void port.close().catch(() => undefined);
    this.retry(events, why);
  }

  /**
   * Calls `check` when the device may have gone: not every driver reports an unplugged device on the open port. The
   * device's folder is watched (inotify: /dev is the host's in the add-on), so that nothing wakes while it stays; a
   * folder that cannot be watched is looked at every PRESENCE_CHECK_MS.
   */
  private watchPresence(check: () => void): { close(): void } {
    let watcher: FSWatcher;
    try {
      const name = basename(this.options.path);
      watcher = watch(dirname(this.options.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) check();
      });
    } catch {
      const timer = setInterval(check, PRESENCE_CHECK_MS);
      timer.unref();
      return { close: () => clearInterval(timer) };
    }
    watcher.on('error', () => undefined);
    return watcher;
  }

  private dropPort(): void {
    this.port = null;
    this.presence?.close();
    this.presence = null;
    if (this.rest) {
      clearTimeout(this.rest.timer);
      this.rest.done();
      this.rest = null;
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const port = this.port;
    this.dropPort();
    if (!port?.isOpen) return Promise.resolve();
    return port.close().catch(() => undefined);
  }
}
