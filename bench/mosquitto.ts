import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { freePort } from '../rig/free-port.js';
import { mosquittoBinary } from '../rig/mosquitto-binary.js';
import { sleep } from './proc.js';

export { freePort };

/**
 * A Mosquitto of the benchmark's own on a free port, as Home Assistant users run it (the Mosquitto add-on). The
 * benchmarks measure against a real broker only: an in-process one would run in the benchmark's own process and
 * its CPU would not be the broker's. Anyone may connect; nothing is persisted.
 */
export class Mosquitto {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Mosquitto> {
    const binary = mosquittoBinary();
    if (binary === null) throw new Error('the benchmarks need Mosquitto: apt-get install mosquitto');
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-bench-mosquitto-'));
    chmodSync(dir, 0o755); // Mosquitto started as root reads its configuration as the user "mosquitto"
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`, { mode: 0o644 });
    const broker = new Mosquitto(port, spawn(binary, ['-c', conf], { stdio: 'ignore' }));
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const c = connect(broker.url, { reconnectPeriod: 0, connectTimeout: 500 });
        c.on('connect', () => c.end(true, () => resolve(true)));
        c.on('error', () => c.end(true, () => resolve(false)));
      });
      if (up) return broker;
      await sleep(50);
    }
    throw new Error('Mosquitto did not come up');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
