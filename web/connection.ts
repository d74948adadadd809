// How the page keeps itself live: the event stream while it delivers (a `hello` at once, a heartbeat after), and
// `api/state` polled when it does not (an ingress that buffers text/event-stream, as Home Assistant's did before core
// PR #160704 compressed it); when the service does not answer, the page says so at once instead of showing its last
// values under a green pill.
import type { FrameView, PageEvent, PageState } from '../src/page/contract.js';
import type { Liveness } from './diagnostics.js';
import { getJson } from './dom.js';

/** How often the page asks for the whole picture when the stream gives nothing. */
export const POLL_MS = 5000;
/** The stream's `hello` comes at once; without it this long after opening, the stream is taken as buffered. */
const HELLO_WITHIN_MS = 5000;

export interface ConnectionHandlers {
  /** The whole picture (`api/state` and `api/frames`), at the start, after a reconnect and on every poll. */
  picture(state: PageState, frames: readonly FrameView[]): void;
  /** A live event (not `hello` or `heartbeat`, which only say the stream is alive). */
  event(event: PageEvent): void;
  liveness(liveness: Liveness, lastHeardAt: number | null): void;
}

export class Connection {
  private state: Liveness = 'loading';
  private stream: EventSource | null = null;
  private openedAt = 0;
  private helloAt: number | null = null;
  private lastEventAt = 0;
  private heartbeatMs = 15_000;
  private lastPollAt = 0;
  private lastHeardAt: number | null = null;
  private polling = false;

  constructor(private readonly on: ConnectionHandlers) {}

  start(): void {
    this.on.liveness('loading', null);
    void this.poll();
    this.open();
    setInterval(() => this.watch(), 1000);
  }

  /** The whole picture now (a new meter appeared in the stream: its card needs its discovery's names and units). */
  async refreshSoon(): Promise<void> {
    await this.refresh();
  }

  private set(state: Liveness): void {
    if (state === this.state) return;
    this.state = state;
    this.on.liveness(state, this.lastHeardAt);
  }

  private open(): void {
    this.stream?.close();
    const stream = new EventSource('api/events');
    this.stream = stream;
    this.openedAt = Date.now();
    this.helloAt = null;
    stream.onmessage = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as PageEvent;
      this.lastEventAt = Date.now();
      this.lastHeardAt = this.lastEventAt;
      if (e.type === 'hello' || (e.type === 'heartbeat' && this.state !== 'live')) {
        if (e.type === 'hello') {
          this.helloAt = this.lastEventAt;
          this.heartbeatMs = e.heartbeatMs;
        }
        // From here nothing is missed: the whole picture again (after a reconnect too: the add-on may have restarted).
        void this.refresh().then((ok) => ok && this.set('live'));
        return;
      }
      if (e.type !== 'heartbeat') this.on.event(e);
    };
    // The stream broke: the service stopped, restarted or is unreachable. Said at once; a poll tells which.
    stream.onerror = () => {
      this.set('offline');
      void this.poll();
    };
  }

  private watch(): void {
    const now = Date.now();
    const silent = this.helloAt === null ? now - this.openedAt > HELLO_WITHIN_MS : now - this.lastEventAt > 2 * this.heartbeatMs + 2000;
    if (this.state === 'live' && silent) this.set('polling');
    if (this.state === 'loading' && this.helloAt === null && silent && this.lastHeardAt !== null) this.set('polling');
    if (this.state !== 'live' && now - this.lastPollAt >= POLL_MS) void this.poll();
  }

  /** The whole picture once; the service's answer decides between polling and offline. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    this.lastPollAt = Date.now();
    const ok = await this.refresh();
    this.polling = false;
    if (!ok) return this.set('offline');
    if (this.state !== 'live') this.set(this.helloAt === null && Date.now() - this.openedAt <= HELLO_WITHIN_MS ? 'loading' : 'polling');
    // A stream the browser gave up on (it does after an answer that is not an event stream) is opened again.
    if (this.stream?.readyState === EventSource.CLOSED) this.open();
  }

  private async refresh(): Promise<boolean> {
    try {
      const [state, frames] = await Promise.all([getJson<PageState>('api/state'), getJson<FrameView[]>('api/frames')]);
      this.lastHeardAt = Date.now();
      this.on.picture(state, frames);
      return true;
    } catch {
      return false;
    }
  }
}
