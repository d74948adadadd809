import type { ServerResponse } from 'node:http';
import type { PageEvent } from './contract.js';

/** A heartbeat this often tells the page its stream is alive (and keeps proxies from closing an idle connection). */
export const HEARTBEAT_MS = 15_000;
/**
 * A page whose unread events pass this is dropped: a browser reads events as they come (a frame every 10 s is a few
 * hundred bytes), so only a client that stopped reading gets here, and without a bound it would hold the service's
 * memory growing. A dropped browser reconnects by itself (EventSource) and gets the whole picture afresh.
 */
export const STREAM_BUFFER_LIMIT = 1 << 20;

/** The open event streams of the page: each gets every event, while it keeps up. */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(
    private readonly limit: number,
    private readonly onDrop: (waiting: number) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** A new stream: the reconnection delay and a `hello` first, so the page knows at once that events get through. */
  add(res: ServerResponse, hello: PageEvent): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    res.write(`retry: 3000\n\ndata: ${JSON.stringify(hello)}\n\n`);
  }

  send(event: PageEvent): void {
    if (this.open.size === 0) return;
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of this.open) {
      // What the socket has not taken yet stays in the response's buffer: a client that does not read lets it grow.
      if (res.writableLength > this.limit) {
        this.open.delete(res);
        this.onDrop(res.writableLength);
        res.destroy();
        continue;
      }
      res.write(data);
    }
  }

  close(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}
