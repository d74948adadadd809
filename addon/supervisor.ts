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
  let response: Response;
  try {
    response = await fetch(`${opts.baseUrl ?? 'http://supervisor'}/services/mqtt`, {
      headers: { Authorization: `Bearer ${opts.token}` },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new BrokerUnavailableError(`the Supervisor did not answer (${(error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message})`);
  }
  let body: { result?: string; message?: string; data?: Partial<MqttService> } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // an answer that is not JSON is reported by its status below
  }
  if (!response.ok || body.result !== 'ok' || !body.data) {
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
