import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mqttClient, plainBroker } from '../src/mqtt/client.js';
import { mosquitto, Recorder, TestBroker } from './support/broker.js';

const root = new URL('../', import.meta.url).pathname;

describe('plainBroker: the URLs the client dials itself', () => {
  it.each([
    ['mqtt://core-mosquitto:1883', { host: 'core-mosquitto', port: 1883 }],
    ['mqtt://192.168.1.5', { host: '192.168.1.5', port: 1883 }],
    ['tcp://broker.local:1884/', { host: 'broker.local', port: 1884 }],
    ['mqtt://[::1]:1885', { host: '::1', port: 1885 }],
  ])('%s', (url, expected) => expect(plainBroker(url)).toEqual(expected));

  // What MQTT.js's connect() reads from a URL beyond host and port (node_modules/mqtt/build/lib/connect/index.js).
  it.each(['mqtts://broker:8883', 'ssl://broker:8883', 'ws://broker:9001', 'wss://broker/mqtt', 'mqtt://user:pass@broker:1883', 'mqtt://broker:1883?clientId=x', 'mqtt://broker:1883/path', 'not a url', 'mqtt://'])(
    'leaves %s to connect()',
    (url) => expect(plainBroker(url)).toBeNull(),
  );
});

describe("mqttClient: MQTT.js's own debug log", () => {
  const logOf = (debug: string | undefined): unknown => {
    const before = process.env.DEBUG;
    if (debug === undefined) delete process.env.DEBUG;
    else process.env.DEBUG = debug;
    try {
      const client = mqttClient('mqtt://127.0.0.1:1', { manualConnect: true });
      return (client.log as { namespace?: string }).namespace ?? null;
    } finally {
      if (before === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = before;
    }
  };

  it('is an empty call unless DEBUG names mqttjs, as its README says', () => {
    expect(logOf(undefined)).toBeNull();
    expect(logOf('express:*')).toBeNull();
    expect(logOf('mqttjs*')).toBe('mqttjs:client');
  });
});

describe(`mqttClient against a real broker (${mosquitto ? 'Mosquitto' : 'aedes'})`, () => {
  const brokers: TestBroker[] = [];
  afterAll(async () => {
    for (const b of brokers) await b.down();
  });

  it('publishes over a TCP connection of its own for a plain URL, and MQTT.js\'s other transports are never loaded', async () => {
    const broker = await TestBroker.start();
    brokers.push(broker);
    const recorder = await Recorder.start(broker.url, 'powermeter/#');
    // In a process of its own, as the service runs (this one's MQTT.js has loaded them for the recorder).
    const script = `
      import { createRequire } from 'node:module';
      import { mqttClient } from ${JSON.stringify(join(root, 'dist/src/mqtt/client.js'))};
      const client = mqttClient(${JSON.stringify(broker.url)}, { reconnectPeriod: 0 });
      client.on('connect', async () => {
        await client.publishAsync('powermeter/plain', 'one');
        const transports = Object.keys(createRequire(import.meta.url).cache).filter((f) => /mqtt\\/build\\/lib\\/connect\\/(ws|tcp|tls|socks|wx|ali)\\.js$/.test(f));
        console.log(JSON.stringify(transports));
        await client.endAsync();
      });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([]);
    expect((await recorder.next((m) => m.topic === 'powermeter/plain')).payload).toBe('one');
    await recorder.stop();
  });

  it('goes through connect() for a URL with credentials, and logs in with them', async () => {
    const broker = await TestBroker.start({ powermeter: 'correct horse' });
    brokers.push(broker);
    const auth = broker.url.replace('mqtt://', 'mqtt://powermeter:correct%20horse@');
    const recorder = await Recorder.start(auth, 'powermeter/#');
    const client = mqttClient(auth, { reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    client.publish('powermeter/url', 'two');
    expect((await recorder.next((m) => m.topic === 'powermeter/url')).payload).toBe('two');
    await client.endAsync();
    await recorder.stop();
  });
});
