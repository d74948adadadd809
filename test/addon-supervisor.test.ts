import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerUnavailableError, supervisorBroker } from '../addon/supervisor.js';
import { answer, FakeSupervisor, mosquittoService } from './support/fake-supervisor.js';

describe('broker from the Supervisor', () => {
  let supervisor: FakeSupervisor;
  const ask = (token: string | undefined = 'token-123') => supervisorBroker({ token, baseUrl: supervisor.url, timeoutMs: 500 });

  beforeAll(async () => {
    supervisor = await FakeSupervisor.start(answer(200, mosquittoService('1883')));
  });
  afterAll(async () => {
    await supervisor.close();
  });

  it('asks GET /services/mqtt with the token, and takes a port given as a string', async () => {
    supervisor.handler = answer(200, mosquittoService('1883'));
    expect(await ask()).toEqual({ url: 'mqtt://127.0.0.1:1883', username: 'addons', password: 'Ohsh2yei3ahR' });
    expect(supervisor.requests.at(-1)).toEqual({ url: '/services/mqtt', authorization: 'Bearer token-123' });
  });

  it('uses mqtts when the broker says ssl', async () => {
    supervisor.handler = answer(200, { result: 'ok', data: { host: 'core-mosquitto', port: 8883, ssl: true, username: 'addons', password: 'x' } });
    expect((await ask()).url).toBe('mqtts://core-mosquitto:8883');
  });

  const failures: [string, Parameters<typeof answer>, RegExp][] = [
    ['no Mosquitto add-on', [400, { result: 'error', message: 'Service not enabled' }], /MQTT service is not enabled/],
    ['no access', [403, { result: 'error', message: 'No access to mqtt service!' }], /refused the request \(No access to mqtt service!\)/],
    ['bad token', [401, '401: Unauthorized'], /refused the request \(HTTP 401\)/],
    ['other error', [500, { result: 'error', message: 'Something broke' }], /the Supervisor answered: Something broke/],
    ['no address', [200, { result: 'ok', data: { host: '', port: 'x' } }], /no usable broker address/],
  ];

  it.each(failures)('%s: one clear line naming both ways out', async (_name, reply, detail) => {
    supervisor.handler = answer(...reply);
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as Error).message).toMatch(detail);
    expect((error as Error).message).toMatch(/Install and start the Mosquitto broker add-on, or set mqtt_url/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('without a token it says it is not under the Supervisor', async () => {
    await expect(ask('')).rejects.toThrow(/not running under the Home Assistant Supervisor/);
  });

  it('a Supervisor that does not answer in time is a clear error, not a hang', async () => {
    supervisor.handler = () => undefined; // never answers
    await expect(ask()).rejects.toThrow(/the Supervisor did not answer \(timeout\)/);
  });
});
