import { connect, type MqttClient } from 'mqtt';

/** A subscriber that counts the messages of one topic filter and keeps the last, with a way to wait for the next. */
export class Subscriber {
  count = 0;
  last = '';
  /** performance.now() of each message's arrival. */
  readonly times: number[] = [];
  private waiters: { after: number; resolve: () => void }[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (_topic, payload) => {
      this.times.push(performance.now());
      this.count++;
      this.last = payload.toString();
      this.waiters = this.waiters.filter((w) => (this.count > w.after ? (w.resolve(), false) : true));
    });
  }

  static async start(url: string, filter: string): Promise<Subscriber> {
    const client = connect(url, { reconnectPeriod: 200 });
    const subscriber = new Subscriber(client);
    await new Promise<void>((resolve) => client.on('connect', () => client.subscribe(filter, () => resolve())));
    return subscriber;
  }

  /** Resolves when more than `after` messages have come (at once if they have); rejects after `timeoutMs`. */
  next(after = this.count, timeoutMs = 20_000): Promise<void> {
    if (this.count > after) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ after, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
