import { createRequire } from 'node:module';
import type { BrokerOptions } from '../src/mqtt/publisher.js';
import type { OptionsStore } from '../src/service/open-page.js';

/** The Supervisor's answer to `GET /services/mqtt` (its API wraps every answer in result/data or result/message). */
interface MqttService {
  host: string;
  port: number | string;
  ssl?: boolean;
  username?: string;
  password?: string;
}

export class BrokerUnavailableError extends Error {
  constructor(detail: string) {
    super(`no MQTT broker: ${detail}. Install and start the Mosquitto broker add-on, or set mqtt_url (and mqtt_username, mqtt_password) in the options`);
    this.name = 'BrokerUnavailableError';
  }
}

export interface SupervisorOptions {
  readonly token: string | undefined;
  /** `http://supervisor` inside the add-on; tests point it at a local server speaking the Supervisor's answers. */
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
}

/** What the Supervisor answered: HTTP status, and its `{result, data | message}` envelope where it sent one. */
export interface SupervisorAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly data: Record<string, unknown> | null;
  readonly message: string;
}

/** The Supervisor did not answer at all (no token, unreachable, timeout). */
export class SupervisorUnreachableError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'SupervisorUnreachableError';
  }
}

/**
 * One call to the Supervisor's API (supervisor/api/__init__.py), authorised with the add-on's token. Never throws for
 * an answer, whatever it says: only when there is none.
 */
export async function callSupervisor(opts: SupervisorOptions, method: 'GET' | 'POST', path: string, body?: object): Promise<SupervisorAnswer> {
  if (!opts.token) throw new SupervisorUnreachableError('not running under the Home Assistant Supervisor (no SUPERVISOR_TOKEN)');
  let response: { status: number; text: string };
  try {
    response = await send(method, `${opts.baseUrl ?? 'http://supervisor'}${path}`, opts.token, opts.timeoutMs ?? 10_000, body);
  } catch (error) {
    throw new SupervisorUnreachableError(`the Supervisor did not answer (${(error as Error).message})`);
  }
  let envelope: { result?: string; message?: string; data?: unknown } = {};
  try {
    envelope = JSON.parse(response.text) as typeof envelope;
  } catch {
    // an answer that is not JSON is reported by its status
  }
  const data = typeof envelope.data === 'object' && envelope.data !== null && !Array.isArray(envelope.data) ? (envelope.data as Record<string, unknown>) : null;
  const ok = response.status >= 200 && response.status < 300 && envelope.result === 'ok';
  return { status: response.status, ok, data, message: envelope.message ?? `HTTP ${response.status}` };
}

/**
 * Asks the Supervisor for the broker that the Mosquitto add-on provides, as every MQTT add-on does when the
 * user set no broker of their own. The port may come as a string (the Supervisor's documented example).
 */
export async function supervisorBroker(opts: SupervisorOptions): Promise<BrokerOptions> {
  let answer: SupervisorAnswer;
  try {
    answer = await callSupervisor(opts, 'GET', '/services/mqtt');
  } catch (error) {
    throw new BrokerUnavailableError((error as Error).message);
  }
  if (!answer.ok || !answer.data) {
    const { message, status } = answer;
    if (/not enabled/i.test(message)) throw new BrokerUnavailableError('the Supervisor says the MQTT service is not enabled (the Mosquitto broker add-on is not installed or not started)');
    if (status === 401 || status === 403) throw new BrokerUnavailableError(`the Supervisor refused the request (${message}); the add-on needs "services: mqtt:want" in its config`);
    throw new BrokerUnavailableError(`the Supervisor answered: ${message}`);
  }
  const { host, port, ssl, username, password } = answer.data as Partial<MqttService>;
  const portNumber = Number(port);
  if (!host || typeof host !== 'string' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw new BrokerUnavailableError('the Supervisor gave no usable broker address');
  return { url: `${ssl ? 'mqtts' : 'mqtt'}://${host}:${portNumber}`, username: typeof username === 'string' && username ? username : undefined, password: typeof password === 'string' && password ? password : undefined };
}

/**
 * The add-on's own slug (`GET /addons/self/info`, supervisor/api/apps.py). A store add-on's slug carries its
 * repository's prefix ("a1b2c3d4_powermeter"), so it is asked for, not assumed. Null when the Supervisor does not say.
 */
export async function addonSlug(opts: SupervisorOptions): Promise<string | null> {
  try {
    const answer = await callSupervisor(opts, 'GET', '/addons/self/info');
    const slug = answer.ok ? answer.data?.slug : undefined;
    return typeof slug === 'string' && /^[\w-]+$/.test(slug) ? slug : null;
  } catch {
    return null;
  }
}

/** A Supervisor message may quote option values: anything that looks like a key is blotted out. */
const redactKeys = (text: string): string => text.replace(/(?:0x)?(?:[0-9a-f]{2}[\s:-]?){15}[0-9a-f]{2}/gi, '<key>');

/**
 * The add-on's own options and restart, through the Supervisor's API (supervisor/api/apps.py: `GET
 * /addons/self/info` gives the options to the add-on itself, `POST /addons/self/options` with `{"options": …}`
 * validates and replaces them, `POST /addons/self/restart`); an add-on may call `/addons/self/…` without
 * `hassio_api` (supervisor/api/middleware/security.py, api_bypass).
 */
export function supervisorOptions(opts: SupervisorOptions): OptionsStore {
  const call = async (method: 'GET' | 'POST', path: string, body?: object): Promise<SupervisorAnswer> => {
    const answer = await callSupervisor(opts, method, path, body);
    if (!answer.ok) throw new Error(redactKeys(answer.message));
    return answer;
  };
  return {
    async read() {
      const options = (await call('GET', '/addons/self/info')).data?.options;
      if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error('the Supervisor gave no options');
      return { ...options };
    },
    async write(options) {
      await call('POST', '/addons/self/options', { options });
    },
    async restart() {
      await call('POST', '/addons/self/restart');
    },
  };
}

/**
 * node:http, loaded at the first request: an add-on given its broker in the options (`mqtt_url`) asks the Supervisor
 * nothing before its first state, and node:http with its agent and parser took 6–10 ms of the start under the add-on's
 * flags (issue #30: import of node:http 14–20 ms, of node:net, which the service loads anyway, 9–14).
 */
let http: typeof import('node:http') | null = null;

/**
 * A plain node:http request. Not fetch: Node's fetch needs WebAssembly, which the add-on's Node runs without (it
 * runs without a JIT to save memory), and node:http is lighter anyway.
 */
function send(method: string, url: string, token: string, timeoutMs: number, body?: object): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    http ??= createRequire(import.meta.url)('node:http') as typeof import('node:http');
    const req = http.request(url, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
    req.end(payload);
  });
}
