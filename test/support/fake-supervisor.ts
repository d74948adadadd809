import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A local HTTP server speaking the Supervisor's documented answers: `{"result":"ok","data":{…}}` on success,
 * `{"result":"error","message":"…"}` with status 400 (or 401/403) on failure. The only mock in the tests:
 * nothing real of the Supervisor can run here.
 */
export class FakeSupervisor {
  requests: { url: string; authorization: string | undefined }[] = [];

  private constructor(
    private readonly server: Server,
    public handler: Handler,
  ) {}

  static async start(handler: Handler): Promise<FakeSupervisor> {
    let self: FakeSupervisor | null = null;
    const server = createServer((req, res) => {
      self!.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
      self!.handler(req, res);
    });
    self = new FakeSupervisor(server, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const answer =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

/** Answers by path; anything else is the Supervisor's 404. */
export const routes =
  (table: Record<string, Handler>): Handler =>
  (req, res) =>
    (table[req.url ?? ''] ?? answer(404, { result: 'error', message: 'Not Found' }))(req, res);

/** `GET /addons/self/info` of a store add-on: its slug carries the repository's prefix. */
export const selfInfo = (slug: string) => ({ result: 'ok', data: { name: 'PowerMeter', slug, version: '0.1.0', state: 'started' } });

/** The Mosquitto add-on's entry as the Supervisor returns it; the port as a string, as in its documentation. */
export const mosquittoService = (port: number | string) => ({
  result: 'ok',
  data: { addon: 'core_mosquitto', host: '127.0.0.1', port: String(port), ssl: false, protocol: '3.1.1', username: 'addons', password: 'Ohsh2yei3ahR' },
});
