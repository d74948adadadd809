import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './proc.js';

/** The meter's side of what a reader reads: a TCP bridge or a serial line. */
export interface Line {
  /** Resolves once a reader is there (now, or the next one). */
  connected(): Promise<void>;
  /** Writes the bytes at once, as one segment (TCP) or one write (serial). */
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** A frame in random chunks of 1…maxChunk bytes written back to back: what a Wi-Fi bridge forwards in a burst. */
export async function sendInChunks(line: Line, frame: Uint8Array, random: () => number, maxChunk = 37): Promise<void> {
  for (let at = 0; at < frame.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    line.write(frame.subarray(at, at + n));
    at += n;
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A frame at the meter's line rate, `bytesPerWrite` bytes at a time: at 2400 baud, 8N1 (10 bits a byte), 4 bytes
 * every 16.7 ms, which a USB serial adapter hands over as a read each. Paced against the clock, so that late timers
 * do not slow the line down.
 */
export async function sendAtLineRate(line: Line, frame: Uint8Array, baud = 2400, bytesPerWrite = 4): Promise<void> {
  const msPerWrite = (bytesPerWrite * 10 * 1000) / baud;
  const start = performance.now();
  for (let at = 0, i = 0; at < frame.length; at += bytesPerWrite, i++) {
    const wait = start + i * msPerWrite - performance.now();
    if (wait > 0) await sleep(wait);
    line.write(frame.subarray(at, at + bytesPerWrite));
  }
}

/** A TCP server playing the serial-to-TCP bridge at the meter: one reader at a time; each write its own segment. */
export class Bridge implements Line {
  private socket: Socket | null = null;
  private waiting: (() => void)[] = [];
  /** Written to each reader as soon as it connects (a meter whose frame is on its way). */
  onConnect: Uint8Array | null = null;

  private constructor(private readonly server: Server) {
    server.on('connection', (s) => {
      this.socket?.destroy();
      this.socket = s;
      s.setNoDelay(true); // a UART bridge forwards bytes as they come
      s.on('error', () => undefined);
      if (this.onConnect) s.write(this.onConnect);
      this.waiting.splice(0).forEach((w) => w());
    });
  }

  static async start(): Promise<Bridge> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Bridge(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  connected(): Promise<void> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  write(bytes: Uint8Array): void {
    this.socket?.write(bytes);
  }

  /** Drops the reader, so that the next one is served afresh. */
  drop(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const socat = spawnSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' }).stdout.trim() || null;

/**
 * A serial line from socat's pseudo-terminal pair: the reader opens `han` as it would a USB adapter, the benchmark
 * writes the meter's bytes into the other end. A pseudo-terminal has no baud rate: the pace is the writer's.
 */
export class PtyLine implements Line {
  private fd: number | null = null;

  private constructor(
    readonly han: string,
    private readonly meter: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<PtyLine> {
    if (socat === null) throw new Error('the serial benchmark needs socat: apt-get install socat');
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-bench-pty-'));
    const meter = join(dir, 'meter');
    const han = join(dir, 'han');
    const child = spawn(socat, ['-d', `pty,raw,echo=0,link=${meter}`, `pty,raw,echo=0,link=${han}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(existsSync(meter) && existsSync(han)); i++) await sleep(30);
    if (!existsSync(han)) throw new Error('socat did not create the pseudo-terminals');
    const line = new PtyLine(han, meter, child);
    line.fd = openSync(meter, 'w');
    return line;
  }

  /** A pseudo-terminal cannot tell whether the other end is open: the caller waits for the reader's first state. */
  connected(): Promise<void> {
    return Promise.resolve();
  }

  write(bytes: Uint8Array): void {
    if (this.fd !== null) writeSync(this.fd, bytes);
  }

  async close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
