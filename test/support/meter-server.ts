import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { random } from './random.js';

/** A real TCP server playing the bridge at the meter: one client at a time, bytes in random chunks. */
export class MeterServer {
  private socket: Socket | null = null;
  private connections = 0;
  private waiting: (() => void)[] = [];

  private constructor(private readonly server: Server) {
    server.on('connection', (s) => {
      this.socket?.destroy();
      this.socket = s;
      this.connections++;
      s.setNoDelay(true); // a UART bridge forwards bytes as they come, it does not wait to fill packets
      s.on('error', () => undefined);
      this.waiting.splice(0).forEach((w) => w());
    });
  }

  static async start(port = 0): Promise<MeterServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new MeterServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get connectionCount(): number {
    return this.connections;
  }

  /** Resolves when a client is connected (now, or the next one). */
  connected(): Promise<void> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Writes the bytes as one segment. */
  async write(bytes: Buffer): Promise<void> {
    await this.connected();
    this.socket!.write(bytes);
  }

  async send(bytes: Buffer, maxChunk = 37): Promise<void> {
    await this.connected();
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * maxChunk);
      this.socket!.write(bytes.subarray(at, at + n));
      at += n;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Writes part of a frame and drops the connection, as a bridge losing Wi-Fi does. */
  async dropMidFrame(frame: Buffer): Promise<void> {
    await this.connected();
    this.socket!.write(frame.subarray(0, Math.floor(frame.length / 2)));
    await new Promise((r) => setTimeout(r, 20));
    this.socket!.destroy();
    this.socket = null;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
