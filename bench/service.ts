import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, TestBroker } from '../test/support/broker.js';
import { MeterServer } from '../test/support/meter-server.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { danishFrame } from './decode.js';

/**
 * Node flags of the add-on's s6 run script (a test keeps the two equal). One frame every 10 s needs no JIT: without
 * it, and with a small young generation, the service's resident memory is about 15 MB lower.
 */
export const nodeFlags = ['--max-semi-space-size=1', '--optimize-for-size', '--jitless', '--no-expose-wasm'];

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * The service as users run it (`powermeter run`, its own process) between a TCP bridge and a local broker:
 * latency from the last byte of a frame to the state message at a subscriber, and resident memory.
 */
export async function benchService(latencyFrames = 1000, memoryFrames = 100_000): Promise<void> {
  const broker = await TestBroker.start();
  const meter = await MeterServer.start();
  const recorder = await Recorder.start(broker.url, 'powermeter/+/state');
  const { keys } = danishFrame();
  const sim = new SimulatedMeter(57_000_003, keys);
  let t = Date.UTC(2026, 0, 1);
  const nextFrame = () => sim.frame(new Date((t += 10_000)), 10);

  const dir = mkdtempSync(join(tmpdir(), 'powermeter-bench-'));
  const options = join(dir, 'options.json');
  writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, mqtt_url: broker.url, encryption_key: keys.encryption.toString('hex'), authentication_key: keys.authentication.toString('hex'), log_level: 'warning' }));
  // The same command line as the add-on's s6 run script.
  const cli = new URL('../src/cli.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [...nodeFlags, cli, 'run', '--options', options], { stdio: ['ignore', 'inherit', 'inherit'] });
  await meter.connected();
  await new Promise((r) => setTimeout(r, 500));
  const startRss = rssMb(child.pid!);

  // Latency: one frame at a time, timed from its last byte to the state message.
  const latencies: number[] = [];
  for (let i = 0; i < latencyFrames + 20; i++) {
    const frame = nextFrame();
    const since = recorder.messages.length;
    const got = recorder.next((m) => m.topic === 'powermeter/57000003/state', 5000, since);
    await meter.send(frame.subarray(0, frame.length - 1), 4096);
    await new Promise((r) => setTimeout(r, 2));
    const start = process.hrtime.bigint();
    await meter.send(frame.subarray(frame.length - 1));
    await got;
    if (i >= 20) latencies.push(Number(process.hrtime.bigint() - start) / 1e6); // the first 20 warm up
    recorder.messages.length = 0;
  }
  latencies.sort((a, b) => a - b);
  console.log(`latency, last byte to state at a subscriber (${latencyFrames} frames): median ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms (goal: p99 < 5 ms)`);

  // Memory: a long run, in batches, each waited for, so that this measures the service and not a backlog.
  const samples: string[] = [];
  const batch = 500;
  for (let sent = 0; sent < memoryFrames; sent += batch) {
    const frames = Buffer.concat(Array.from({ length: batch }, nextFrame));
    let seen = 0;
    const done = recorder.next(() => ++seen >= batch, 30_000);
    await meter.send(frames, 65536);
    await done;
    recorder.messages.length = 0;
    if ((sent + batch) % (memoryFrames / 5) === 0) samples.push(`${((sent + batch) / 1000).toFixed(0)}k: ${rssMb(child.pid!).toFixed(1)} MB`);
  }
  // Then idle, as a meter's 10 s rhythm leaves it: V8's memory reducer gives back what the burst took.
  await new Promise((r) => setTimeout(r, 10_000));
  samples.push(`then 10 s idle: ${rssMb(child.pid!).toFixed(1)} MB`);
  console.log(`resident memory of the service: at start ${startRss.toFixed(1)} MB; after ${samples.join(', ')} (goal: < 64 MB and flat)`);

  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await recorder.stop();
  await meter.close();
  await broker.down();
}
