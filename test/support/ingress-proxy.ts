import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy that serves a page under a path prefix as Home Assistant's ingress does (supervisor/api/ingress.py): the
 * prefix is taken off before the request goes on, the request body is read whole, and an answer without a
 * Content-Length is streamed on as it comes (the event stream).
 */
export class IngressProxy {
  private constructor(
    private readonly server: Server,
    readonly prefix: string,
  ) {}

  static async start(target: string, prefix = '/api/hassio_ingress/3f9c2a6b1d7e'): Promise<IngressProxy> {
    const to = new URL(target);
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (!url.startsWith(`${prefix}/`)) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: url.slice(prefix.length), headers: { ...req.headers, host: to.host, 'x-ingress-path': prefix } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        res.on('close', () => upstream.destroy());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new IngressProxy(server, prefix);
  }

  /** The page's address through the proxy, with the trailing slash ingress gives it. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}${this.prefix}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
