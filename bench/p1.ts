import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedP1Meter } from '../src/simulator/p1.js';
import { nodeFlags } from './flags.js';
import { Bridge } from './line.js';
import { Mosquitto } from './mosquitto.js';
import { cpuNsMs, rssMb, sleep } from './proc.js';
import { Subscriber } from './subscriber.js';

/**
 * P1 (issue #25): the decoder's telegrams per second beside its peers (p1-decode.ts), under the add-on's Node flags and
 * with a JIT; then the service (`powermeter run`, the add-on's flags) reading a DSMR 5 meter that sends a telegram every
 * second over a TCP bridge and publishing to Mosquitto every `publish_interval` (10 s): its CPU in % of one core.
 */
const zoneEnv = { ...process.env, TZ: process.env.TZ ?? 'Europe/Amsterdam' };

function decodeRates(flags: readonly string[], label: string): void {
  console.log(`\n${label}:`);
  const run = spawnSync(process.execPath, [...flags, new URL('./p1-decode.js', import.meta.url).pathname, '6', '128'], { encoding: 'utf8', env: zoneEnv });
  process.stdout.write(run.stdout + run.stderr);
}

async function serviceCpu(seconds: number): Promise<void> {
  const broker = await Mosquitto.start();
  const bridge = await Bridge.start();
  const meter = new SimulatedP1Meter('E0044007382246019');
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-bench-p1-'));
  const options = join(dir, 'options.json');
  writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: bridge.port, baud_rate: 115200, mqtt_url: broker.url, base_topic: 'p1bench', log_level: 'warning' }));
  const states = await Subscriber.start(broker.url, 'p1bench/e0044007382246019/state');
  const child = spawn(process.execPath, [...nodeFlags, new URL('../app/powermeter.js', import.meta.url).pathname, 'run', '--options', options], { stdio: ['ignore', 'inherit', 'inherit'], cwd: dir, env: { ...zoneEnv, POWERMETER_STATE_DIR: dir } });
  const pid = child.pid ?? NaN;
  await bridge.connected();
  // A DSMR 5 meter: one telegram a second, on the second.
  const timer = setInterval(() => bridge.write(meter.telegram(new Date(), 1)), 1000);
  try {
    await states.next(0, 30_000);
    await sleep(10_000); // past the start: discovery sent, the first periods open
    const cpu0 = cpuNsMs(pid);
    const count0 = states.count;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const ms = cpuNsMs(pid) - cpu0;
    const elapsed = (performance.now() - t0) / 1000;
    console.log(`\nThe service (${nodeFlags.join(' ')}) reading a DSMR 5 meter with a gas meter, a telegram every second, for ${Math.round(elapsed)} s:`);
    console.log(`  CPU ${(ms / elapsed).toFixed(2)} ms per second = ${((ms / elapsed) / 10).toFixed(2)} % of one core (${(ms / elapsed).toFixed(2)} ms per telegram)`);
    console.log(`  ${states.count - count0} state messages (publish_interval 10 s); RSS ${rssMb(pid).toFixed(1)} MB`);
  } finally {
    clearInterval(timer);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await states.stop();
    await bridge.close();
    await broker.stop();
  }
}

export async function benchP1(seconds = 60): Promise<void> {
  decodeRates(nodeFlags, `P1 telegrams per second under the add-on's Node flags (${nodeFlags.join(' ')})`);
  decodeRates(nodeFlags.filter((f) => f !== '--jitless'), 'The same with a JIT');
  await serviceCpu(seconds);
}
