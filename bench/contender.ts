import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DanishMeter, danishKeys, danishMeterId } from './danish.js';
import { nodeFlags } from './flags.js';
import type { FloorConfig } from './floor.js';
import { Bridge, PtyLine, type Line } from './line.js';
import type { Mosquitto } from './mosquitto.js';
import { Subscriber } from './subscriber.js';

/**
 * The service (`powermeter run`), the floor it is measured against (floor.ts), or the service through the add-on's own
 * entry (dist/app/addon.js, as the s6 run script starts it: its page on, at a free port; no Supervisor, the broker in
 * the options).
 */
export type Kind = 'service' | 'floor' | 'addon';

export interface ContenderOptions {
  readonly line: 'tcp' | 'serial';
  /** The service's state size, which the floor's state is made as large as. */
  readonly stateBytes: number;
  /** A frame written to the bridge as soon as the reader connects (cold start); TCP only. */
  readonly frameOnConnect?: boolean;
  /** Extra Node flags (a profile, a JIT). */
  readonly extraFlags?: readonly string[];
  /** Node flags instead of the add-on's. */
  readonly flags?: readonly string[];
}

let serial = 0;

/**
 * One process under measurement, as users run it (its own process, the add-on's Node flags), with its own line from
 * the meter (a TCP bridge, or a pseudo-terminal read as a serial port), its own Danish meter, and a subscriber on its
 * state topic at the shared Mosquitto.
 */
export class Contender {
  private constructor(
    readonly kind: Kind,
    readonly child: ChildProcess,
    readonly line: Line,
    readonly states: Subscriber,
    readonly meter: DanishMeter,
    /** performance.now() when the process was spawned. */
    readonly spawnedAt: number,
  ) {}

  get pid(): number {
    return this.child.pid ?? NaN;
  }

  static async start(kind: Kind, broker: Mosquitto, options: ContenderOptions): Promise<Contender> {
    const line = options.line === 'tcp' ? await Bridge.start() : await PtyLine.start();
    const meter = new DanishMeter();
    if (options.frameOnConnect && line instanceof Bridge) line.onConnect = meter.frame();
    const dir = mkdtempSync(join(tmpdir(), `powermeter-bench-${kind}-`));
    // Each its own topics, so that several may share the broker.
    const base = `${kind}${serial++}`;
    const states = await Subscriber.start(broker.url, `${base}/${danishMeterId}/state`);
    const flags = [...(options.flags ?? nodeFlags), ...(options.extraFlags ?? [])];
    let args: string[];
    let env: NodeJS.ProcessEnv = { ...process.env, POWERMETER_STATE_DIR: dir };
    if (kind === 'service' || kind === 'addon') {
      const source = line instanceof Bridge ? { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: line.port } : { source: 'serial', serial_port: line.han };
      const file = join(dir, 'options.json');
      writeFileSync(file, JSON.stringify({ ...source, mqtt_url: broker.url, base_topic: base, encryption_key: danishKeys.encryption.toString('hex'), authentication_key: danishKeys.authentication.toString('hex'), log_level: 'warning' }));
      if (kind === 'service') args = [new URL('../app/powermeter.js', import.meta.url).pathname, 'run', '--options', file];
      else {
        args = [new URL('../app/addon.js', import.meta.url).pathname, '--options', file];
        env = { ...env, POWERMETER_INGRESS_PORT: '0', POWERMETER_HEALTH_FILE: join(dir, 'healthy') };
        delete env.SUPERVISOR_TOKEN;
      }
    } else {
      const config: FloorConfig = {
        source: line instanceof Bridge ? { kind: 'tcp', host: '127.0.0.1', port: line.port } : { kind: 'serial', path: line.han, baudRate: 2400 },
        mqttUrl: broker.url,
        topic: `${base}/${danishMeterId}/state`,
        encryptionKey: danishKeys.encryption.toString('hex'),
        authenticationKey: danishKeys.authentication.toString('hex'),
        stateBytes: options.stateBytes,
      };
      args = [new URL('./floor.js', import.meta.url).pathname, JSON.stringify(config)];
    }
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...flags, ...args], { stdio: ['ignore', 'inherit', 'inherit'], cwd: dir, env });
    return new Contender(kind, child, line, states, meter, spawnedAt);
  }

  /** Resolves once the first state is published, writing a frame every second until then (a serial line cannot tell when it is opened). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const first = this.states.next(0, timeoutMs);
    let done = false;
    void first.then(() => (done = true), () => (done = true));
    await this.line.connected();
    const feed = async () => {
      for (let i = 0; !done && i < timeoutMs / 1000; i++) {
        this.line.write(this.meter.frame());
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    if (!(this.line instanceof Bridge && this.line.onConnect)) void feed();
    await first;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGTERM');
      });
    }
    await this.states.stop();
    await this.line.close();
  }
}
