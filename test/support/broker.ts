import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { freePort } from '../../rig/free-port.js';
import { mosquittoBinary } from '../../rig/mosquitto-binary.js';

export { freePort };

/** POWERMETER_TEST_BROKER=aedes forces the fallback, to check it on a machine that has Mosquitto. */
export const mosquitto = process.env.POWERMETER_TEST_BROKER === 'aedes' ? null : mosquittoBinary();
let warned = false;

/**
 * A broker of the tests' own on a free port: Mosquitto, as Home Assistant users run it. Where Mosquitto is not
 * installed the tests say so and fall back to the in-process aedes broker.
 */
export class TestBroker {
  readonly port: number;
  readonly kind: 'mosquitto' | 'aedes';
  private child: ChildProcess | null = null;
  private aedes: { broker: Aedes; server: Server } | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'powermeter-mosquitto-'));
  /** With users, the broker refuses anyone else (Mosquitto's password file); null lets anyone in. */
  private users: Record<string, string> | null;

  private constructor(port: number, users: Record<string, string> | null) {
    this.port = port;
    this.kind = mosquitto ? 'mosquitto' : 'aedes';
    this.users = users;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(users: Record<string, string> | null = null): Promise<TestBroker> {
    const broker = new TestBroker(await freePort(), users);
    if (!mosquitto && !warned) {
      warned = true;
      console.warn('mosquitto is not installed (apt-get install mosquitto): these tests use the in-process aedes broker instead');
    }
    await broker.up();
    return broker;
  }

  private get passwords(): string {
    return join(this.dir, 'passwords');
  }

  private writePasswords(): void {
    // Mosquitto started as root reads it as its own user, "mosquitto": the folder from mkdtemp is root's alone.
    chmodSync(this.dir, 0o755);
    writeFileSync(this.passwords, '', { mode: 0o644 });
    for (const [user, password] of Object.entries(this.users ?? {})) {
      const r = spawnSync('mosquitto_passwd', ['-b', this.passwords, user, password], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/bin:/usr/sbin` } });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${String(r.stderr)}`);
    }
  }

  /** Changes who may log in, as an admin edits the password file and reloads the broker (SIGHUP). */
  setUsers(users: Record<string, string>): void {
    this.users = users;
    if (this.child) {
      this.writePasswords();
      this.child.kill('SIGHUP');
    }
  }

  async up(): Promise<void> {
    if (this.kind === 'mosquitto') {
      const conf = join(this.dir, 'mosquitto.conf');
      const auth = this.users === null ? 'allow_anonymous true\n' : `allow_anonymous false\npassword_file ${this.passwords}\n`;
      if (this.users !== null) this.writePasswords();
      writeFileSync(conf, `listener ${this.port} 127.0.0.1\n${auth}persistence false\nset_tcp_nodelay true\n`);
      this.child = spawn(mosquitto!, ['-c', conf], { stdio: 'ignore' });
    } else {
      const broker = await Aedes.createBroker({
        authenticate: (_client, username, password, done) => {
          const ok = this.users === null || (username !== undefined && this.users[username] === password?.toString());
          const error = ok ? null : Object.assign(new Error('Bad username or password'), { returnCode: 4 });
          done(error, ok);
        },
      });
      const server = createServer(broker.handle);
      await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
      this.aedes = { broker, server };
    }
    await this.waitReachable();
  }

  private async waitReachable(): Promise<void> {
    const [username, password] = Object.entries(this.users ?? {})[0] ?? [];
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const c = connect(this.url, { reconnectPeriod: 0, connectTimeout: 500, username, password });
        c.on('connect', () => c.end(true, () => resolve(true)));
        // A refused login is an answer too: the broker is up.
        c.on('error', (e: Error & { code?: number | string }) => c.end(true, () => resolve(e.code === 4 || e.code === 5)));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the test broker did not come up');
  }

  async down(): Promise<void> {
    if (this.child) {
      const child = this.child;
      this.child = null;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    if (this.aedes) {
      const { broker, server } = this.aedes;
      this.aedes = null;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

export interface Message {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A subscriber that records everything, with a helper to wait for a message. */
export class Recorder {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload: payload.toString(), retain: packet.retain };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
  }

  static async start(url: string, topic = '#'): Promise<Recorder> {
    const client = connect(url, { reconnectPeriod: 200 });
    const recorder = new Recorder(client);
    await new Promise<void>((resolve) => client.on('connect', () => client.subscribe(topic, () => resolve())));
    return recorder;
  }

  /** Resolves with the first message (already seen from `since`, or future) that matches. */
  next(match: (m: Message) => boolean, timeoutMs = 15_000, since = 0): Promise<Message> {
    const seen = this.messages.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching MQTT message within ${timeoutMs} ms; got ${this.messages.map((m) => m.topic).join(', ')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
