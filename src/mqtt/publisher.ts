import type { IClientOptions, MqttClient } from 'mqtt';
import { Backoff } from '../base/backoff.js';
import { mqttClient } from './client.js';

export interface BrokerOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** The broker as the publisher sees it, with what to tell the user. */
export type BrokerEvent = { readonly state: 'connected' } | { readonly state: 'down' | 'refused'; readonly detail: string };

export interface PublisherOptions {
  readonly broker: BrokerOptions;
  /** Retained `online`/`offline` of the service; the last will sets it `offline`. */
  readonly availabilityTopic: string;
  /** Home Assistant's birth topics (`homeassistant/status`, and `<discovery_prefix>/status` where that differs). */
  readonly statusTopics: readonly string[];
  /** Connected, lost, refused: the service core decides what to say and republishes on `connected`. */
  readonly onBroker: (event: BrokerEvent) => void;
  /** Home Assistant announced itself, after the random delay it asks for. */
  readonly onHomeAssistantOnline: () => void;
  /** Upper bound of the random delay before answering Home Assistant's birth message. */
  readonly birthDelayMs?: number;
  /** Reconnection back-off; by default 1 s doubling up to 30 s. */
  readonly backoff?: Backoff;
}

/**
 * The only MQTT client. It publishes what it is given while connected and drops it while not: the service core
 * republishes everything (availability, discovery, state) on every (re)connect, so nothing stale is queued. It
 * reconnects after any failure, a refused login included (MQTT.js gives up after a CONNACK error unless told
 * otherwise), with back-off capped at 30 s, so that a user who fixes the broker's password file needs no restart.
 */
export class Publisher {
  private client: MqttClient | null = null;
  private readonly handlers = new Map<string, (topic: string, payload: Buffer) => void>();
  /** Discovery configs sent and not yet acknowledged; states wait for them (latest per topic). */
  private inflight = 0;
  private readonly waiting = new Map<string, string>();
  private birthTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private stopping = false;
  /** When the broker was last lost (or the start, before the first connection); null while connected. */
  private lostAt: number | null = Date.now();
  /** The last failure, reported once per connection attempt. */
  private failure: BrokerEvent | null = null;

  constructor(private readonly options: PublisherOptions) {
    this.backoff = options.backoff ?? new Backoff(1000, 30_000);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Since when the broker has been out of reach (ms since the epoch), or null while connected. */
  get lostSince(): number | null {
    return this.lostAt;
  }

  start(): void {
    const { broker } = this.options;
    const clientOptions: IClientOptions = {
      clientId: `powermeter_${Math.random().toString(16).slice(2, 10)}`,
      username: broker.username,
      password: broker.password,
      // Reconnection is ours (see `closed`): MQTT.js's fixed period neither backs off nor survives a refused login.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      queueQoSZero: false,
      // mqtt-packet otherwise builds a 2-byte Buffer for each of the 65 536 packet ids and lengths at the first
      // publish: 6 MB of heap, a tenth of the service's memory, to save a tiny allocation every 10 s.
      writeCache: false,
      will: { topic: this.options.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const client = mqttClient(broker.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      // A state is one small packet: Nagle's algorithm would hold it back until the previous one is acknowledged.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.backoff.reset();
      this.lostAt = null;
      this.failure = null;
      this.inflight = 0;
      this.waiting.clear();
      client.subscribe([...this.options.statusTopics, ...this.handlers.keys()], { qos: 0 });
      this.options.onBroker({ state: 'connected' });
    });
    client.on('message', (topic, payload) => {
      if (this.options.statusTopics.includes(topic)) {
        if (payload.toString() === 'online') this.scheduleBirthAnswer();
        return;
      }
      for (const [filter, handle] of this.handlers) if (topicMatches(filter, topic)) handle(topic, payload);
    });
    client.on('error', (error: Error & { code?: string | number }) => {
      this.failure = brokerProblem(error);
    });
    client.on('close', () => this.closed());
  }

  private closed(): void {
    if (this.stopping) return;
    this.lostAt ??= Date.now();
    this.inflight = 0;
    this.waiting.clear();
    this.options.onBroker(this.failure ?? { state: 'down', detail: 'lost the MQTT broker' });
    this.failure = null;
    if (this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopping) this.client?.reconnect();
    }, this.backoff.next());
  }

  /** Subscribes to a topic filter (MQTT wildcards allowed) for a raw-frame source; kept across reconnects. */
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): void {
    this.handlers.set(filter, onMessage);
    if (this.client?.connected) this.client.subscribe(filter, { qos: 0 });
  }

  unsubscribe(filter: string): void {
    this.handlers.delete(filter);
    if (this.client?.connected) this.client.unsubscribe(filter);
  }

  /**
   * Retained messages (discovery configs) go at QoS 1 and states wait until the broker has them: a state for an
   * entity whose config Home Assistant has not seen yet would be lost.
   */
  publish(topic: string, payload: string, retain: boolean): void {
    const client = this.client;
    if (!client?.connected) return;
    if (!retain) {
      if (this.inflight > 0) this.waiting.set(topic, payload);
      else client.publish(topic, payload, { qos: 0, retain: false });
      return;
    }
    this.inflight++;
    client.publish(topic, payload, { qos: 1, retain: true }, () => {
      if (--this.inflight > 0 || this.client !== client) return;
      for (const [t, json] of this.waiting) client.publish(t, json, { qos: 0, retain: false });
      this.waiting.clear();
    });
  }

  availability(topic: string, online: boolean): void {
    // While disconnected there is nothing to do: every (re)connect publishes the current availability.
    if (this.client?.connected) this.client.publish(topic, online ? 'online' : 'offline', { qos: 1, retain: true });
  }

  private scheduleBirthAnswer(): void {
    if (this.birthTimer) return;
    // Home Assistant asks for a random delay so that hundreds of devices do not answer at once.
    const delay = Math.random() * (this.options.birthDelayMs ?? 5000);
    this.birthTimer = setTimeout(() => {
      this.birthTimer = null;
      this.options.onHomeAssistantOnline();
    }, delay);
  }

  /** Closes the connection after what was handed over (the `offline`s) is acknowledged; the last will covers a crash. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.birthTimer) clearTimeout(this.birthTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    await client.endAsync(!client.connected);
  }
}

/** MQTT topic filter matching (MQTT 3.1.1 §4.7): `+` one level, `#` the rest. */
export function topicMatches(shared: string, topic: string): boolean {
  // A shared subscription, `$share/<group>/<filter>`, delivers messages of their own topics (MQTT 5.0 §4.8.2).
  const filter = shared.startsWith('$share/') ? shared.slice(shared.indexOf('/', 7) + 1) : shared;
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Never put credentials of a URL in a log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function brokerProblem(error: Error & { code?: string | number }): BrokerEvent {
  const code = error.code;
  if (code === 4 || code === 5 || code === 134 || code === 135 || /not authori[sz]ed|bad user name or password/i.test(error.message)) {
    return {
      state: 'refused',
      detail: 'the MQTT broker refused the login: check mqtt_username and mqtt_password (leave all mqtt_ options empty to use the Mosquitto add-on, whose login PowerMeter gets by itself)',
    };
  }
  if (code === 'ECONNREFUSED') return { state: 'down', detail: 'cannot reach the MQTT broker (connection refused): is it running, and is mqtt_url right?' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { state: 'down', detail: 'cannot resolve the MQTT broker host name in mqtt_url' };
  return { state: 'down', detail: `MQTT broker problem: ${error.message}` };
}
