import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { cpuMs, percentile, rssMb, sleep } from './proc.js';
import { nodeFlags } from './flags.js';
import { Mosquitto } from './mosquitto.js';

/**
 * The real service (`powermeter run`, its own process, the add-on's Node flags) reading `meters` simulated meters,
 * each a bridge publishing its frames on a topic of its own (`fleet/<meter>/raw`) at one frame per 10 s, through a
 * local Mosquitto; every meter has its own keys in meter_keys. Prints the service's CPU share and resident memory
 * over the run, and the delay from a frame's publish to its state's publish at a subscriber.
 */
export async function benchFleet(meters = 1000, seconds = 180, flags: readonly string[] = nodeFlags): Promise<void> {
  const broker = await Mosquitto.start();
  const fleet = Array.from({ length: meters }, (_, i) => {
    const number = 60_000_000 + i;
    const keys = { encryption: randomBytes(16), authentication: randomBytes(16) };
    return { number, keys, sim: new SimulatedMeter(number, keys), topic: `fleet/${number}/raw`, sentAt: 0 };
  });
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-fleet-'));
  const options = join(dir, 'options.json');
  writeFileSync(
    options,
    JSON.stringify({
      source: 'mqtt',
      mqtt_source_topic: 'fleet/+/raw',
      mqtt_url: broker.url,
      log_level: 'warning',
      meter_keys: fleet.map((m) => ({ system_title: `4B414D45${m.number.toString(16).padStart(8, '0')}`, encryption_key: m.keys.encryption.toString('hex'), authentication_key: m.keys.authentication.toString('hex') })),
    }),
  );
  const cli = new URL('../app/powermeter.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [...flags, cli, 'run', '--options', options], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, POWERMETER_STATE_DIR: dir } });
  const pid = child.pid ?? NaN;

  // The subscriber: each state's delay since its meter's frame was published.
  const byTopic = new Map(fleet.map((m) => [`powermeter/${m.number}/state`, m]));
  const delays: number[] = [];
  let states = 0;
  let measuring = false;
  const subscriber = connect(broker.url);
  const onOnline: (() => void)[] = [];
  const serviceOnline = new Promise<void>((r) => onOnline.push(r));
  subscriber.on('message', (topic, payload) => {
    if (topic === 'powermeter/availability') {
      if (payload.toString() === 'online') onOnline.forEach((f) => f());
      return;
    }
    const m = byTopic.get(topic);
    if (!m) return;
    states++;
    if (measuring) delays.push(performance.now() - m.sentAt);
  });
  await subscriber.subscribeAsync(['powermeter/+/state', 'powermeter/availability']);
  const publisher = await connectAsync(broker.url);
  await serviceOnline;

  // Every meter sends once every 10 s, the meters spread evenly over those 10 s.
  const gapMs = 10_000 / meters;
  let sent = 0;
  let clock = Date.now();
  const round = async () => {
    clock += 10_000;
    const start = performance.now();
    for (const [i, m] of fleet.entries()) {
      const due = start + i * gapMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const frame = m.sim.frame(new Date(clock), 10);
      m.sentAt = performance.now();
      publisher.publish(m.topic, frame);
      sent++;
    }
  };
  // The first round creates every meter's device: start-up, not the steady state that is measured.
  await round();
  await sleep(1000);
  const states0 = states;
  measuring = true;
  const cpuTotal = () => {
    const c = cpuMs(pid);
    return c.user + c.system;
  };
  const cpu0 = cpuTotal();
  const t0 = performance.now();
  let rssMax = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await round();
    rssMax = Math.max(rssMax, rssMb(pid));
  }
  const wall = performance.now() - t0;
  const cpu = cpuTotal() - cpu0;
  // Every frame's state, with a deadline.
  const deadline = performance.now() + 10_000;
  while (states < sent && performance.now() < deadline) await sleep(50);
  const rss = rssMb(pid);
  measuring = false;
  delays.sort((a, b) => a - b);
  console.log(
    `${meters} meters, one frame per 10 s each (${(meters / 10).toFixed(0)} frames/s), ${Math.round(wall / 1000)} s, Node flags ${flags.join(' ')}:\n` +
      `  CPU ${((100 * cpu) / wall).toFixed(1)} % of one core (goal: under 10 %)\n` +
      `  resident memory ${rss.toFixed(1)} MB at the end, ${rssMax.toFixed(1)} MB at most (goal: under 100 MB)\n` +
      `  publish to state: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms over ${delays.length} frames\n` +
      `  frames sent ${sent}, states received ${states} (${states0} in the first round): ${sent - states} lost (goal: 0)`,
  );
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await publisher.endAsync();
  await subscriber.endAsync();
  await broker.stop();
}

async function connectAsync(url: string) {
  const client = connect(url);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}
