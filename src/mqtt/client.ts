import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import type { IClientOptions, MqttClient } from 'mqtt';

/**
 * MQTT.js, loaded with require. It is CommonJS (node_modules/mqtt/package.json: "default": "./build/index.js"), and an
 * ES module's `import` of CommonJS makes Node lex the package's source for its export names (cjs-module-lexer), each
 * `export *` file again: under the add-on's flags 8–10 ms of a cold start (issue #30; 5 alternating starts of a bare
 * load: import 77–93 ms, require 67–79 ms). require needs no names.
 */
const mqtt = createRequire(import.meta.url)('mqtt') as typeof import('mqtt');

/**
 * MQTT.js's client for a broker URL. A plain `mqtt://` (or `tcp://`) broker, which is what the Supervisor's Mosquitto
 * add-on is, gets MQTT.js's own client over a TCP connection made here (`new MqttClient(streamBuilder, options)`, the
 * MQTT.js README's "MqttClient" section); any other URL goes through MQTT.js's `connect()` as before.
 *
 * Why: `connect()` loads every transport MQTT.js has when it first runs (node_modules/mqtt/build/lib/connect/index.js:
 * WebSocket through `ws`, SOCKS, TLS), whichever the URL needs. Under the add-on's flags that cost 40 ms of the
 * cold start and 3 MB of resident memory (issue #30; measured: import + connect() 118–126 ms and 51.7 MB, import +
 * this 83–124 ms and 48.6–49.1 MB). TLS, WebSocket, credentials in the URL, a query (`?clientId=`) and a SOCKS proxy
 * (MQTTJS_SOCKS_PROXY) are what `connect()` reads from a URL beyond host and port: such a URL keeps `connect()`.
 */
export function mqttClient(url: string, given: IClientOptions): MqttClient {
  const options = { ...given, log: given.log ?? clientLog() };
  const plain = plainBroker(url);
  if (plain === null || process.env.MQTTJS_SOCKS_PROXY) return mqtt.connect(url, options);
  const { host, port } = plain;
  return new mqtt.MqttClient(() => createConnection({ host, port }), { ...options, host, port, protocol: 'mqtt' });
}

/**
 * MQTT.js's client says what it does through `debug('mqttjs:client')` unless given a `log` (node_modules/mqtt/build/lib/
 * client.js: `this.log = this.options.log || debug(...)`): ten calls or so a publish, each asking `debug` whether its
 * namespace is on, were 1–2 % of the service's CPU per frame under the add-on's flags (issue #30). Off, they cost an
 * empty call; with DEBUG naming mqttjs (DEBUG=mqttjs*, as MQTT.js's README says) its own debug log stays.
 */
function clientLog(): ((...args: unknown[]) => void) | undefined {
  return /mqttjs/.test(process.env.DEBUG ?? '') ? undefined : () => undefined;
}

/** Host and port of a `mqtt://host[:port][/]` URL (1883 by default, as MQTT.js's tcp transport); null for any other URL. */
export function plainBroker(url: string): { host: string; port: number } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') return null;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || (parsed.pathname !== '' && parsed.pathname !== '/')) return null;
  // WHATWG URL keeps an IPv6 address in brackets; a socket wants it bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return null;
  return { host, port: parsed.port === '' ? 1883 : Number(parsed.port) };
}
