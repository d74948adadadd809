import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceId } from '../core/events.js';
import type { Keys } from '../dlms/cipher.js';
import { parseKeyOptions } from '../keys.js';
import type { Logger } from '../log.js';
import type { Dashboard, PageEvent } from './dashboard.js';
import { orderedKeys, tryKeys } from './key-trial.js';

/**
 * Who may connect. The add-on's page is reached only through Home Assistant's ingress, which the Supervisor proxies
 * from its own address on the add-on network, 172.30.32.2 (supervisor/docker/network.py: `supervisor` is the second
 * host of DOCKER_IPV4_NETWORK_MASK, supervisor/const.py 172.30.32.0/23); loopback is for the container itself.
 */
export const INGRESS_PEERS: readonly string[] = ['172.30.32.2', '127.0.0.1', '::1'];

/** Whether a peer may connect: `any`, or one of the listed addresses (IPv4 also in its IPv6-mapped form). */
export function allowedPeer(address: string | undefined, allow: 'any' | readonly string[]): boolean {
  if (allow === 'any') return true;
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return allow.includes(plain);
}

/** Where checked keys belong: the meter's source, and its system title. */
export interface KeyTarget {
  readonly source: SourceId | null;
  readonly systemTitle: string | null;
}

/** Saves a checked pair of keys into the add-on's options and restarts it (only inside the add-on). */
export type KeySaver = (keys: Keys, target: KeyTarget) => Promise<{ readonly saved: boolean; readonly message: string }>;

export interface PageOptions {
  readonly host: string;
  readonly port: number;
  readonly allow: 'any' | readonly string[];
  readonly dashboard: Dashboard;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly saveKeys?: KeySaver;
}

export interface PageServer {
  /** `http://host:port/`, the address it listens on. */
  readonly url: string;
  /** Sends an event to every open page. */
  send(event: PageEvent): void;
  close(): Promise<void>;
}

/** The project's root: where package.json is, above this file in the source tree and in dist/ alike. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) for the page’s files');
    dir = up;
  }
  return dir;
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The page's files, read once: everything is shipped with the add-on, nothing comes from the internet. */
function loadAssets(): Map<string, Asset> {
  const root = projectRoot();
  const files: [string, string, string][] = [
    ['/', 'web/index.html', 'text/html; charset=utf-8'],
    ['/style.css', 'web/style.css', 'text/css; charset=utf-8'],
    ['/app.js', 'dist/web/app.js', 'text/javascript; charset=utf-8'],
    ['/uplot.js', 'node_modules/uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
    ['/uplot.css', 'node_modules/uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
    ['/icon.png', 'icon.png', 'image/png'],
  ];
  const assets = new Map<string, Asset>();
  for (const [path, file, type] of files) {
    const at = join(root, file);
    if (!existsSync(at)) throw new Error(`the page's file ${file} is missing: run npm run build`);
    assets.set(path, { type, body: readFileSync(at) });
  }
  return assets;
}

const BODY_LIMIT = 4096;
/** A comment now and then keeps the event stream open through proxies that close idle connections. */
const KEEPALIVE_MS = 25_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'the request is too large');
    chunks.push(bytes);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request must be a JSON object');
  }
  if (!isRecord(body)) throw new HttpError(400, 'the request must be a JSON object');
  return body;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys of a key-check request, in the forms the options accept; a bad one is named, never echoed. */
function keysOf(body: Record<string, unknown>): { keys: Keys; systemTitle: string | null } {
  const text = (field: string): string | undefined => {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new HttpError(400, `${field}: must be text`);
    return v;
  };
  const problems: string[] = [];
  const keys = parseKeyOptions({ encryption_key: text('encryption_key'), authentication_key: text('authentication_key') }, '', problems);
  if (problems.length > 0) throw new HttpError(400, problems.join('; '));
  const title = text('system_title')?.trim() ?? '';
  if (title !== '' && !/^[0-9A-Fa-f]{16}$/.test(title)) throw new HttpError(400, 'system_title: must be the 16 hex digits of a meter’s system title');
  return { keys, systemTitle: title === '' ? null : title.toUpperCase() };
}

/**
 * The page inside Home Assistant (ingress) and outside it (`--http`): static files, a JSON API, and server-sent
 * events. Every URL is relative, so the page works under the ingress path prefix. No key ever leaves a request:
 * the key check answers with a verdict and advice only, and nothing of a request body is logged.
 */
export async function startPage(options: PageOptions): Promise<PageServer> {
  const { dashboard, logger } = options;
  const now = options.now ?? Date.now;
  const assets = loadAssets();
  const streams = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...extra });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    const method = req.method ?? 'GET';
    const asset = method === 'GET' ? assets.get(path === '/index.html' ? '/' : path) : undefined;
    if (asset) {
      // The page's own files only; no frames, fonts or scripts from elsewhere (the ingress iframe needs frame-ancestors 'self').
      send(res, 200, asset.type, asset.body, path === '/' ? { 'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'" } : {});
      return;
    }
    switch (`${method} ${path}`) {
      case 'GET /api/state':
        return json(res, 200, { ...dashboard.state(), systemTitles: dashboard.systemTitles(), canSaveKeys: options.saveKeys !== undefined });
      case 'GET /api/frames':
        return json(res, 200, dashboard.frames());
      case 'GET /api/capture': {
        const at = now();
        const name = `powermeter-capture-${new Date(at).toISOString().replace(/[:.]/g, '-')}.hex`;
        return send(res, 200, 'text/plain; charset=utf-8', dashboard.capture(at), { 'Content-Disposition': `attachment; filename="${name}"` });
      }
      case 'GET /api/events': {
        // No Content-Length: the Supervisor's ingress proxy then streams the answer chunk by chunk instead of reading
        // it whole (supervisor/api/ingress.py, _handle_request: "Stream response").
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.write('retry: 3000\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      case 'POST /api/key-check': {
        const { keys, systemTitle } = keysOf(await readJson(req));
        const held = dashboard.framesOf(systemTitle);
        return json(res, 200, { ...tryKeys(held.frames, keys), systemTitle: held.systemTitle });
      }
      case 'POST /api/save-keys': {
        if (!options.saveKeys) throw new HttpError(404, 'saving keys is possible only inside the Home Assistant add-on');
        const { keys, systemTitle } = keysOf(await readJson(req));
        const held = dashboard.framesOf(systemTitle);
        const trial = tryKeys(held.frames, keys);
        const ordered = orderedKeys(trial.verdict, keys);
        if (ordered === null) return json(res, 409, { saved: false, verdict: trial.verdict, message: `not saved: ${trial.advice}` });
        const result = await options.saveKeys(ordered, { source: held.source, systemTitle: held.systemTitle });
        return json(res, result.saved ? 200 : 502, { ...result, verdict: trial.verdict });
      }
      default:
        throw new HttpError(404, 'not found');
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return json(res, error.status, { error: error.message });
      // Said without the request: a body may hold keys.
      logger.error({ err: error instanceof Error ? error.message : String(error) }, `page: ${req.method ?? ''} ${new URL(req.url ?? '/', 'http://page').pathname} failed`);
      json(res, 500, { error: 'internal error (see the add-on log)' });
    });
  });
  // Refused as it is accepted: a peer that may not connect never gets to send a request.
  server.on('connection', (socket: Socket) => {
    if (!allowedPeer(socket.remoteAddress, options.allow)) {
      logger.warn(`page: refused a connection from ${socket.remoteAddress ?? 'an unknown address'} (only Home Assistant's ingress may connect)`);
      socket.destroy();
    }
  });
  const keepalive = setInterval(() => {
    for (const res of streams) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the page listens on no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/`,
    send(event) {
      if (streams.size === 0) return;
      const data = `data: ${JSON.stringify(event)}\n\n`;
      for (const res of streams) res.write(data);
    },
    async close() {
      clearInterval(keepalive);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
