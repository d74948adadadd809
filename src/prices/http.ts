import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';

/**
 * node:https is loaded with the first https request, not with this module: it brings TLS, which cost the service
 * 1.4 MB of resident memory and 15–26 ms of its cold start under the add-on's flags whether or not prices were asked
 * for (the service loads the fetcher at every start; issue #30).
 */
let secureGet: typeof import('node:https').get | null = null;
const httpsGet = (): typeof import('node:https').get => (secureGet ??= (createRequire(import.meta.url)('node:https') as typeof import('node:https')).get);

/**
 * One GET to Energi Data Service (node:http, see `attempt`): a timeout on the whole exchange (headers and body), a bound
 * on the body's size, and a bounded number of retries with back-off on what may pass by itself — a timeout, a network
 * error, 429 (too many requests; its `Retry-After` is honoured up to a bound) and 5xx. Other statuses (400, 403, 404,
 * 411: the question itself is wrong) are not retried. MTrab/energidataservice handles the same statuses
 * (connectors/energidataservice/__init__.py @ 8584122). Never throws: the outcome says what went wrong.
 */
export type HttpProblem =
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'too-large'; readonly maxBytes: number }
  | { readonly kind: 'stopped' };

export type HttpOutcome = { readonly ok: true; readonly text: string; readonly attempts: number } | { readonly ok: false; readonly problem: HttpProblem; readonly attempts: number };

export interface HttpOptions {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** The wait before each retry; its length is the number of retries. */
  readonly retryDelaysMs: readonly number[];
  /** The longest `Retry-After` honoured. */
  readonly maxRetryAfterMs: number;
  readonly maxBytes: number;
  readonly userAgent: string;
  /** Aborts the request and any wait (the service is stopping). */
  readonly signal?: AbortSignal;
}

export function describeHttpProblem(p: HttpProblem): string {
  switch (p.kind) {
    case 'timeout':
      return `no answer within ${p.afterMs >= 1000 ? `${Math.round(p.afterMs / 1000)} s` : `${p.afterMs} ms`}`;
    case 'status':
      return p.status === 429 ? 'the service asked to slow down (HTTP 429)' : `the service answered HTTP ${p.status}`;
    case 'network':
      return `the service could not be reached (${p.message})`;
    case 'too-large':
      return `the answer is larger than ${p.maxBytes} bytes`;
    case 'stopped':
      return 'stopped';
  }
}

const retryable = (p: HttpProblem): boolean => p.kind === 'timeout' || p.kind === 'network' || (p.kind === 'status' && (p.status === 429 || p.status >= 500));

/** `Retry-After` in seconds (the HTTP-date form is rare for APIs and is read as no hint). */
function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One request with node:http or node:https. Not `fetch`: Node's fetch (undici) compiles its HTTP parser to
 * WebAssembly, which the add-on's Node runs without (--jitless, rootfs/etc/s6-overlay/s6-rc.d/powermeter/run): there
 * the first fetch throws "WebAssembly is not defined" out of an internal module and ends the process (seen on Node
 * 20.20 with `node --jitless`). addon/supervisor.ts talks to the Supervisor the same way, for the same reason.
 */
function attempt(url: string, options: HttpOptions): Promise<{ ok: true; text: string } | { ok: false; problem: HttpProblem; retryAfter: number | null }> {
  if (options.signal?.aborted) return Promise.resolve({ ok: false, problem: { kind: 'stopped' }, retryAfter: null });
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    const done = (outcome: { ok: true; text: string } | { ok: false; problem: HttpProblem; retryAfter: number | null }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onStop);
      resolve(outcome);
    };
    const get = url.startsWith('https:') ? httpsGet() : httpGet;
    const req = get(url, { headers: { accept: 'application/json', 'user-agent': options.userAgent } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        const header = res.headers['retry-after'];
        return done({ ok: false, problem: { kind: 'status', status }, retryAfter: retryAfterMs(typeof header === 'string' ? header : null) });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        req.destroy();
        return done({ ok: false, problem: { kind: 'too-large', maxBytes: options.maxBytes }, retryAfter: null });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy();
          done({ ok: false, problem: { kind: 'too-large', maxBytes: options.maxBytes }, retryAfter: null });
        } else chunks.push(chunk);
      });
      res.on('end', () => done({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, problem: { kind: 'network', message: error.code ?? error.message }, retryAfter: null }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (timedOut) done({ ok: false, problem: { kind: 'timeout', afterMs: options.timeoutMs }, retryAfter: null });
      else if (options.signal?.aborted) done({ ok: false, problem: { kind: 'stopped' }, retryAfter: null });
      else done({ ok: false, problem: { kind: 'network', message: error.code ?? error.message }, retryAfter: null });
    });
    // On the whole exchange, headers and body.
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, options.timeoutMs);
    const onStop = () => req.destroy(new Error('stopped'));
    options.signal?.addEventListener('abort', onStop, { once: true });
  });
}

export async function getText(url: string, options: HttpOptions): Promise<HttpOutcome> {
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(url, options);
    if (result.ok) return { ok: true, text: result.text, attempts };
    const delay = options.retryDelaysMs[attempts - 1];
    if (delay === undefined || !retryable(result.problem)) return { ok: false, problem: result.problem, attempts };
    const pause = Math.max(delay, Math.min(result.retryAfter ?? 0, options.maxRetryAfterMs));
    if (!(await wait(pause, options.signal))) return { ok: false, problem: { kind: 'stopped' }, attempts };
  }
}
