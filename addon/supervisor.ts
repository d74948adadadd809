import { request } from 'node:http';
import type { BrokerOptions } from '../src/mqtt/publisher.js';

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

/**
 * Asks the Supervisor for the broker that the Mosquitto add-on provides, as every MQTT add-on does when the
 * user set no broker of their own. The port may come as a string (the Supervisor's documented example).
 */
export async function supervisorBroker(opts: { token: string | undefined; baseUrl?: string; timeoutMs?: number }): Promise<BrokerOptions> {
  if (!opts.token) throw new BrokerUnavailableError('not running under the Home Assistant Supervisor (no SUPERVISOR_TOKEN)');
  let response: { status: number; text: string };
  try {
    response = await get(`${opts.baseUrl ?? 'http://supervisor'}/services/mqtt`, opts.token, opts.timeoutMs ?? 10_000);
  } catch (error) {
    throw new BrokerUnavailableError(`the Supervisor did not answer (${(error as Error).message})`);
  }
  let body: { result?: string; message?: string; data?: Partial<MqttService> } = {};
  try {
    body = JSON.parse(response.text) as typeof body;
  } catch {
    // an answer that is not JSON is reported by its status below
  }
  const ok = response.status >= 200 && response.status < 300;
  if (!ok || body.result !== 'ok' || !body.data) {
    const message = body.message ?? `HTTP ${response.status}`;
    if (/not enabled/i.test(message)) throw new BrokerUnavailableError('the Supervisor says the MQTT service is not enabled (the Mosquitto broker add-on is not installed or not started)');
    if (response.status === 401 || response.status === 403) throw new BrokerUnavailableError(`the Supervisor refused the request (${message}); the add-on needs "services: mqtt:need" in its config`);
    throw new BrokerUnavailableError(`the Supervisor answered: ${message}`);
  }
  const { host, port, ssl, username, password } = body.data;
  const portNumber = Number(port);
  if (!host || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw new BrokerUnavailableError('the Supervisor gave no usable broker address');
  return { url: `${ssl ? 'mqtts' : 'mqtt'}://${host}:${portNumber}`, username: username || undefined, password: password || undefined };
}

/**
 * A plain node:http GET. Not fetch: Node's fetch needs WebAssembly, which the add-on's Node runs without (it
 * runs without a JIT to save memory), and node:http is lighter anyway.
 */
function get(url: string, token: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
    req.end();
  });
}
