/**
 * One GET to Energi Data Service with Node's own `fetch`: a timeout on the whole exchange (headers and body), a bound
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

async function readBounded(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // The web stream's chunks are typed `any`: read them as what fetch gives, bytes, and check that they are.
    const next: unknown = await reader.read();
    if (typeof next !== 'object' || next === null || !('done' in next) || next.done === true) break;
    if (!('value' in next) || !(next.value instanceof Uint8Array)) break;
    const value = next.value;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function attempt(url: string, options: HttpOptions): Promise<{ ok: true; text: string } | { ok: false; problem: HttpProblem; retryAfter: number | null }> {
  if (options.signal?.aborted) return { ok: false, problem: { kind: 'stopped' }, retryAfter: null };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onStop = () => controller.abort();
  options.signal?.addEventListener('abort', onStop, { once: true });
  try {
    const response = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json', 'user-agent': options.userAgent } });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, problem: { kind: 'status', status: response.status }, retryAfter: retryAfterMs(response.headers.get('retry-after')) };
    }
    const text = await readBounded(response, options.maxBytes);
    if (text === null) return { ok: false, problem: { kind: 'too-large', maxBytes: options.maxBytes }, retryAfter: null };
    return { ok: true, text };
  } catch (error) {
    if (timedOut) return { ok: false, problem: { kind: 'timeout', afterMs: options.timeoutMs }, retryAfter: null };
    if (options.signal?.aborted) return { ok: false, problem: { kind: 'stopped' }, retryAfter: null };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, problem: { kind: 'network', message: cause?.code ?? cause?.message ?? (error as Error).message }, retryAfter: null };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onStop);
  }
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
