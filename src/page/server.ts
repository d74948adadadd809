import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SourceId } from '../core/events.js';
import type { Keys } from '../dlms/cipher.js';
import type { Logger } from '../base/log.js';
import { loadAssets } from './assets.js';
import type { ErrorAnswer, KeyCheckAnswer, PageEvent, PageState, SaveKeysAnswer } from './contract.js';
import type { Dashboard } from './dashboard.js';
import { EventStreams, HEARTBEAT_MS, STREAM_BUFFER_LIMIT } from './event-stream.js';
import { HttpError, json, keysOf, readJson, send } from './http.js';
import { orderedKeys, tryKeys } from './key-trial.js';
import { RefusalLog } from './refusals.js';
import { allowedPeer } from './peers.js';
import { listSerialPorts } from './serial-ports.js';

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
  /** Where the container's /dev is read for `api/serial-ports` (a test gives a directory of its own). */
  readonly devDirectory?: string;
  /** How often the event stream says it is alive (HEARTBEAT_MS). */
  readonly heartbeatMs?: number;
  /** Unread bytes after which a page's event stream is dropped (STREAM_BUFFER_LIMIT). */
  readonly streamBufferLimit?: number;
}

export interface PageServer {
  /** `http://host:port/`, the address it listens on. */
  readonly url: string;
  /** Sends an event to every open page. */
  send(event: PageEvent): void;
  /** How many pages have their event stream open. */
  readonly streams: number;
  close(): Promise<void>;
}

/** The methods each API path answers (HEAD wherever GET is); any other method gets 405 with `Allow`. */
const methods: Readonly<Record<string, readonly string[]>> = {
  '/api/state': ['GET', 'HEAD'],
  '/api/frames': ['GET', 'HEAD'],
  '/api/capture': ['GET', 'HEAD'],
  '/api/events': ['GET', 'HEAD'],
  '/api/serial-ports': ['GET', 'HEAD'],
  '/api/key-check': ['POST'],
  '/api/save-keys': ['POST'],
};

/**
 * The page inside Home Assistant (ingress) and outside it (`--http`): static files, a JSON API, and server-sent
 * events (src/page/contract.ts). Every URL is relative, so the page works under the ingress path prefix. No key ever
 * leaves a request: the key check answers with a verdict and advice only, and nothing of a request body is logged.
 */
export async function startPage(options: PageOptions): Promise<PageServer> {
  const { dashboard, logger } = options;
  const now = options.now ?? Date.now;
  const assets = loadAssets();
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const streams = new EventStreams(options.streamBufferLimit ?? STREAM_BUFFER_LIMIT, (waiting) =>
    logger.info(`page: dropped a page's event stream that stopped reading (${Math.round(waiting / 1024)} kB unread); it reconnects by itself if it is still open`),
  );
  const refusals = new RefusalLog(logger, now);

  const state = (): PageState => ({ ...dashboard.state(), canSaveKeys: options.saveKeys !== undefined });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const asset = assets.get(path === '/index.html' ? '/' : path);
    if (asset) {
      if (!read) throw new HttpError(405, `${method} is not allowed here`, { Allow: 'GET, HEAD' });
      // The page's own files only; no frames, fonts or scripts from elsewhere (the ingress iframe needs frame-ancestors 'self').
      return send(res, 200, asset.type, asset.body, asset.type.startsWith('text/html') ? { 'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'" } : {});
    }
    const allowed = methods[path];
    if (allowed === undefined) throw new HttpError(404, 'not found');
    if (!allowed.includes(method)) throw new HttpError(405, `${method} is not allowed here`, { Allow: allowed.join(', ') });
    switch (path) {
      case '/api/state':
        return json(res, 200, state());
      case '/api/frames':
        return json(res, 200, dashboard.frames());
      case '/api/serial-ports':
        return json(res, 200, await listSerialPorts(options.devDirectory));
      case '/api/capture': {
        const at = now();
        const name = `powermeter-capture-${new Date(at).toISOString().replace(/[:.]/g, '-')}.hex`;
        return send(res, 200, 'text/plain; charset=utf-8', dashboard.capture(at), { 'Content-Disposition': `attachment; filename="${name}"` });
      }
      case '/api/events': {
        // No Content-Length: the Supervisor's ingress proxy then streams the answer chunk by chunk instead of reading
        // it whole (supervisor/api/ingress.py, _handle_request: "Stream response").
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        if (method === 'HEAD') return void res.end();
        streams.add(res, { type: 'hello', at: now(), heartbeatMs });
        beatWhileOpen();
        return;
      }
      case '/api/key-check': {
        const { keys, systemTitle } = keysOf(await readJson(req));
        const held = dashboard.framesOf(systemTitle);
        const answer: KeyCheckAnswer = { ...tryKeys(held.frames, keys), systemTitle: held.systemTitle };
        return json(res, 200, answer);
      }
      case '/api/save-keys': {
        const { keys, systemTitle } = keysOf(await readJson(req));
        if (!options.saveKeys) throw new HttpError(404, 'saving keys is possible only inside the Home Assistant add-on');
        const held = dashboard.framesOf(systemTitle);
        const trial = tryKeys(held.frames, keys);
        const ordered = orderedKeys(trial.verdict, keys);
        if (ordered === null) return json(res, 409, { saved: false, verdict: trial.verdict, message: `not saved: ${trial.advice}` } satisfies SaveKeysAnswer);
        const result = await options.saveKeys(ordered, { source: held.source, systemTitle: held.systemTitle });
        return json(res, result.saved ? 200 : 502, { ...result, verdict: trial.verdict } satisfies SaveKeysAnswer);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return json(res, error.status, { error: error.message } satisfies ErrorAnswer, error.headers);
      // Said without the request: a body may hold keys.
      logger.error({ err: error instanceof Error ? error.message : String(error) }, `page: ${req.method ?? ''} ${new URL(req.url ?? '/', 'http://page').pathname} failed`);
      json(res, 500, { error: 'internal error (see the add-on log)' } satisfies ErrorAnswer);
    });
  });
  // Refused as it is accepted: a peer that may not connect never gets to send a request.
  server.on('connection', (socket: Socket) => {
    if (!allowedPeer(socket.remoteAddress, options.allow)) {
      refusals.refused(socket.remoteAddress);
      socket.destroy();
    }
  });
  // The heartbeat runs only while a page is open: the add-on always serves the page (ingress), and a timer every
  // 15 s with none open woke the idle service for nothing (issue #30: idle means asleep).
  let heartbeat: NodeJS.Timeout | null = null;
  const beatWhileOpen = (): void => {
    if (heartbeat !== null) return;
    heartbeat = setInterval(() => {
      if (streams.size > 0) return streams.send({ type: 'heartbeat', at: now() });
      if (heartbeat !== null) clearInterval(heartbeat);
      heartbeat = null;
    }, heartbeatMs);
    heartbeat.unref();
  };

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
    send: (event) => streams.send(event),
    get streams() {
      return streams.size;
    },
    async close() {
      if (heartbeat !== null) clearInterval(heartbeat);
      streams.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
