import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Keys } from '../dlms/cipher.js';
import { parseKeyOptions } from '../dlms/keys.js';

/** An answer other than 200, with what the caller needs to act. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const BODY_LIMIT = 4096;

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...extra });
  // Node sends no body to a HEAD request (http.ServerResponse drops it): HEAD is answered exactly like GET.
  res.end(body);
}

export const json = (res: ServerResponse, status: number, body: unknown, extra: Readonly<Record<string, string>> = {}): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), extra);

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Whether a request that acts (the key check, saving keys) comes from the page itself and not from another site's
 * page in the same browser. Browsers say where a request comes from in `Sec-Fetch-Site` (Fetch Metadata, sent by
 * Chromium since 76, Firefox since 90, Safari since 16.4), and in `Origin` on every POST; Home Assistant's ingress
 * passes both through unchanged (core homeassistant/components/hassio/ingress.py and supervisor/api/ingress.py
 * `_init_header` copy every request header but a few hop-by-hop and token ones), and the page's origin there is
 * Home Assistant's, so `Sec-Fetch-Site` says `same-origin`, and `Origin`'s host is the `X-Forwarded-Host` the
 * ingress adds (the `Host` outside it). A request with neither comes from no browser (curl, a script): no other
 * site's page can be behind it.
 */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const site = first(headers['sec-fetch-site']);
  if (site !== undefined) return site === 'same-origin';
  const origin = first(headers.origin);
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host; // `Origin: null` (a sandboxed frame, a file) throws: refused
  } catch {
    return false;
  }
  return host !== '' && host === (first(headers['x-forwarded-host'])?.split(',')[0]?.trim() ?? headers.host);
}

/**
 * A JSON object from the body of a request that acts: `application/json` only (a cross-site form or `text/plain`
 * POST, which a browser sends without asking the server first, is refused), from the page's own origin.
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!sameOrigin(req.headers)) throw new HttpError(403, 'the request does not come from the PowerMeter page');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'the request must be application/json');
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
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the request must be a JSON object');
  return Object.fromEntries(Object.entries(body));
}

/** The keys of a key-check request, in the forms the options accept; a bad one is named, never echoed. */
export function keysOf(body: Readonly<Record<string, unknown>>): { keys: Keys; systemTitle: string | null } {
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
