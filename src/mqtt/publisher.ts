import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { availabilityTopic, discoveryMessage, discoveryTopic, stateTopic, type Origin, type Topics } from '../ha/discovery.js';
import type { MeterFrame, Reading } from '../obis/readings.js';
import type { Logger } from '../service/logger.js';
import type { Subscriber } from '../source/mqtt-frames.js';

export interface BrokerOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export interface PublisherOptions {
  readonly broker: BrokerOptions;
  readonly topics: Topics;
  readonly origin: Origin;
  readonly logger: Logger;
  /** Upper bound of the random delay before answering Home Assistant's birth message. */
  readonly birthDelayMs?: number;
  readonly reconnectMs?: number;
}

interface Meter {
  manufacturer: string | null;
  model: string | null;
  /** Every reading this meter has sent, so that components are never dropped from discovery. */
  readings: Map<string, Reading>;
  discoveryJson: string | null;
  lastState: Record<string, unknown> | null;
}

/**
 * The only MQTT user. Publishes retained device discovery, retained availability (with the last will set to
 * `offline`) and one state message per verified frame; re-announces everything after every (re)connect and
 * when Home Assistant announces itself on `<discovery_prefix>/status`.
 */
export class Publisher implements Subscriber {
  private client: MqttClient | null = null;
  private readonly meters = new Map<string, Meter>();
  private readonly handlers = new Map<string, (payload: Buffer) => void>();
  private available = false;
  private connectedOnce = false;
  private lastError: string | null = null;
  private birthTimer: NodeJS.Timeout | null = null;
  readonly statusTopic: string;

  constructor(private readonly options: PublisherOptions) {
    this.statusTopic = `${options.topics.discoveryPrefix}/status`;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { broker, topics, logger } = this.options;
    const clientOptions: IClientOptions = {
      clientId: `powermeter_${Math.random().toString(16).slice(2, 10)}`,
      username: broker.username,
      password: broker.password,
      reconnectPeriod: this.options.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      // A state queued while the broker is away is stale when it comes back; the latest is re-sent on connect.
      queueQoSZero: false,
      will: { topic: availabilityTopic(topics), payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const client = connect(broker.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      // A state is one small packet: Nagle's algorithm would hold it back until the previous one is acknowledged.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      logger.info({ broker: redactUrl(broker.url) }, this.connectedOnce ? 'reconnected to the MQTT broker' : 'connected to the MQTT broker');
      this.connectedOnce = true;
      this.lastError = null;
      client.subscribe([this.statusTopic, ...this.handlers.keys()], { qos: 0 });
      this.announce();
    });
    client.on('message', (topic, payload) => {
      if (topic === this.statusTopic) {
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

  /** Publishes a verified frame: discovery first when this meter or one of its readings is new, then state. */
  publishFrame(meterId: string, frame: MeterFrame, state: Record<string, unknown>): void {
    let meter = this.meters.get(meterId);
    if (!meter) {
      meter = { manufacturer: frame.manufacturer, model: frame.model, readings: new Map(), discoveryJson: null, lastState: null };
      this.meters.set(meterId, meter);
    }
    meter.model = frame.model ?? meter.model;
    for (const r of frame.readings) meter.readings.set(r.key, r);
    meter.lastState = state;
    this.publishDiscovery(meterId, meter, false);
  }

  setAvailable(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    this.publishAvailability();
  }

  private announce(): void {
    this.publishAvailability();
    for (const [id, meter] of this.meters) this.publishDiscovery(id, meter, true);
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

  private publishAvailability(): void {
    // While disconnected there is nothing to do: every (re)connect publishes the current availability.
    if (!this.client?.connected) return;
    this.client.publish(availabilityTopic(this.options.topics), this.available ? 'online' : 'offline', { qos: 1, retain: true });
  }

  /** Publishes discovery when it changed (or when forced), then the state: after the broker has the config, never before. */
  private publishDiscovery(meterId: string, meter: Meter, force: boolean): void {
    if (!this.client?.connected) return;
    const payload = JSON.stringify(
      discoveryMessage(this.options.topics, this.options.origin, meterId, { manufacturer: meter.manufacturer, model: meter.model, readings: [...meter.readings.values()] }),
    );
    if (!force && payload === meter.discoveryJson) {
      this.publishState(meterId, meter);
      return;
    }
    meter.discoveryJson = payload;
    this.client.publish(discoveryTopic(this.options.topics, meterId), payload, { qos: 1, retain: true }, () => this.publishState(meterId, meter));
  }

  private publishState(meterId: string, meter: Meter): void {
    if (!meter.lastState || !this.client?.connected) return;
    this.client.publish(stateTopic(this.options.topics, meterId), JSON.stringify(meter.lastState), { qos: 0, retain: false });
  }

  /** Publishes `offline` and closes the connection; the last will covers a crash. */
  async stop(): Promise<void> {
    if (this.birthTimer) clearTimeout(this.birthTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected && this.available) client.publish(availabilityTopic(this.options.topics), 'offline', { qos: 1, retain: true });
    this.available = false;
    // A graceful end waits for the in-flight QoS 1 messages (the `offline`) to be acknowledged.
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
