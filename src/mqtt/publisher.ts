import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../service/logger.js';
import type { Subscriber } from '../source/mqtt-frames.js';

export interface BrokerOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export interface PublisherOptions {
  readonly broker: BrokerOptions;
  /** Retained `online`/`offline` of the service; the last will sets it `offline`. */
  readonly availabilityTopic: string;
  /** Home Assistant's birth topic, `<discovery_prefix>/status`. */
  readonly statusTopic: string;
  readonly logger: Logger;
  /** Upper bound of the random delay before answering Home Assistant's birth message. */
  readonly birthDelayMs?: number;
  readonly reconnectMs?: number;
}

/** What the service publishes; the Publisher is the real one, tests may use another. */
export interface Sink {
  /** A retained discovery config: published when it changed, and again on every announce. */
  setDiscovery(topic: string, payload: object): void;
  /** A state: published now, and its latest again on every announce. */
  setState(topic: string, payload: object): void;
  /** A retained availability flag: published when it changed, and again on every announce. */
  setAvailability(topic: string, online: boolean): void;
}

/**
 * The only MQTT user. It keeps the latest of every message it was given and re-announces them all, in order
 * (availability, discovery, state), after every (re)connect and when Home Assistant announces itself, so that
 * broker restarts and Home Assistant restarts need nothing from the user.
 */
export class Publisher implements Sink, Subscriber {
  private client: MqttClient | null = null;
  private readonly discovery = new Map<string, { json: string; sent: boolean }>();
  private readonly states = new Map<string, string>();
  private readonly availability = new Map<string, boolean>();
  private readonly handlers = new Map<string, (payload: Buffer) => void>();
  /** Discovery configs sent and not yet acknowledged; states wait for them (latest per topic). */
  private inflight = 0;
  private readonly waiting = new Map<string, string>();
  private connectedOnce = false;
  private lastError: string | null = null;
  private birthTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PublisherOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { broker, logger } = this.options;
    const clientOptions: IClientOptions = {
      clientId: `powermeter_${Math.random().toString(16).slice(2, 10)}`,
      username: broker.username,
      password: broker.password,
      reconnectPeriod: this.options.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      // A state queued while the broker is away is stale when it comes back; the latest is re-sent on connect.
      queueQoSZero: false,
      // mqtt-packet otherwise builds a 2-byte Buffer for each of the 65 536 packet ids and lengths at the first
      // publish: 6 MB of heap, a tenth of the service's memory, to save a tiny allocation every 10 s.
      writeCache: false,
      will: { topic: this.options.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const client = connect(broker.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      // A state is one small packet: Nagle's algorithm would hold it back until the previous one is acknowledged.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      logger.info({ broker: redactUrl(broker.url) }, this.connectedOnce ? 'reconnected to the MQTT broker' : 'connected to the MQTT broker');
      this.connectedOnce = true;
      this.lastError = null;
      client.subscribe([this.options.statusTopic, ...this.handlers.keys()], { qos: 0 });
      this.announce();
    });
    client.on('message', (topic, payload) => {
      if (topic === this.options.statusTopic) {
        if (payload.toString() === 'online') this.scheduleBirthAnswer();
        return;
      }
      this.handlers.get(topic)?.(payload);
    });
    client.on('error', (error: Error & { code?: string | number }) => {
      const text = brokerProblem(error);
      if (text !== this.lastError) logger.error({ broker: redactUrl(broker.url) }, text);
      this.lastError = text;
    });
    client.on('offline', () => {
      if (this.lastError === null) logger.warn({ broker: redactUrl(broker.url) }, 'lost the MQTT broker; reconnecting');
      this.lastError ??= 'offline';
    });
  }

  subscribe(topic: string, onMessage: (payload: Buffer) => void): void {
    this.handlers.set(topic, onMessage);
    if (this.client?.connected) this.client.subscribe(topic, { qos: 0 });
  }

  unsubscribe(topic: string): void {
    this.handlers.delete(topic);
    if (this.client?.connected) this.client.unsubscribe(topic);
  }

  setDiscovery(topic: string, payload: object): void {
    const json = JSON.stringify(payload);
    const known = this.discovery.get(topic);
    if (known?.json === json && known.sent) return;
    this.discovery.set(topic, { json, sent: false });
    this.sendDiscovery(topic);
  }

  setState(topic: string, payload: object): void {
    const json = JSON.stringify(payload);
    this.states.set(topic, json);
    this.sendState(topic, json);
  }

  /** A state for entities whose config the broker has not acknowledged yet would reach Home Assistant first: it waits. */
  private sendState(topic: string, json: string): void {
    if (this.inflight > 0) this.waiting.set(topic, json);
    else this.client?.publish(topic, json, { qos: 0, retain: false });
  }

  setAvailability(topic: string, online: boolean): void {
    if (this.availability.get(topic) === online) return;
    this.availability.set(topic, online);
    this.sendAvailability(topic);
  }

  private sendDiscovery(topic: string): void {
    const entry = this.discovery.get(topic);
    const client = this.client;
    if (!entry || !client?.connected) return;
    entry.sent = true;
    this.inflight++;
    client.publish(topic, entry.json, { qos: 1, retain: true }, () => {
      if (--this.inflight > 0) return;
      for (const [t, json] of this.waiting) client.publish(t, json, { qos: 0, retain: false });
      this.waiting.clear();
    });
  }

  private sendAvailability(topic: string): void {
    // While disconnected there is nothing to do: every (re)connect publishes the current availability.
    if (!this.client?.connected) return;
    this.client.publish(topic, this.availability.get(topic) ? 'online' : 'offline', { qos: 1, retain: true });
  }

  private announce(): void {
    const client = this.client;
    if (!client?.connected) return;
    client.publish(this.options.availabilityTopic, 'online', { qos: 1, retain: true });
    for (const topic of this.availability.keys()) this.sendAvailability(topic);
    for (const topic of this.discovery.keys()) this.sendDiscovery(topic);
    for (const [topic, json] of this.states) this.sendState(topic, json);
  }

  private scheduleBirthAnswer(): void {
    if (this.birthTimer) return;
    // Home Assistant asks for a random delay so that hundreds of devices do not answer at once.
    const delay = Math.random() * (this.options.birthDelayMs ?? 5000);
    this.birthTimer = setTimeout(() => {
      this.birthTimer = null;
      this.options.logger.info('Home Assistant came online; publishing discovery and state again');
      this.announce();
    }, delay);
  }

  /** Publishes `offline` and closes the connection; the last will covers a crash. */
  async stop(): Promise<void> {
    if (this.birthTimer) clearTimeout(this.birthTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      for (const topic of this.availability.keys()) client.publish(topic, 'offline', { qos: 1, retain: true });
      client.publish(this.options.availabilityTopic, 'offline', { qos: 1, retain: true });
    }
    // A graceful end waits for the in-flight QoS 1 messages (the `offline`s) to be acknowledged.
    await client.endAsync();
  }
}

/** Never put credentials of a URL in a log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function brokerProblem(error: Error & { code?: string | number }): string {
  const code = error.code;
  if (code === 4 || code === 5 || /not authori[sz]ed|bad user name or password/i.test(error.message)) {
    return 'the MQTT broker refused the login: check mqtt_username and mqtt_password (leave all mqtt_ options empty to use the Mosquitto add-on)';
  }
  if (code === 'ECONNREFUSED') return 'cannot reach the MQTT broker (connection refused): is it running, and is mqtt_url right? Retrying';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'cannot resolve the MQTT broker host name in mqtt_url; retrying';
  return `MQTT broker problem: ${error.message}; retrying`;
}
