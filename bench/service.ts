import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, TestBroker } from '../test/support/broker.js';
import { MeterServer } from '../test/support/meter-server.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { danishFrame } from './decode.js';
import { cpuMs, percentile, rssMb, sleep } from './proc.js';

/**
 * Node flags of the add-on's s6 run script (a test keeps the two equal). One frame every 10 s needs no JIT: without
 * it, and with a small young generation, the service's resident memory is about 15 MB lower.
 */
export const nodeFlags = ['--max-semi-space-size=1', '--optimize-for-size', '--jitless', '--no-expose-wasm'];


/** What a UART bridge forwards at 2400 baud: a few bytes at a time, each its own TCP segment. */
const CHUNK = 16;

interface Setup {
  broker: TestBroker;
  meter: MeterServer;
  recorder: Recorder;
  child: ChildProcess;
  nextFrame: () => Buffer;
  stop: () => Promise<void>;
}

async function setup(extraFlags: string[] = []): Promise<Setup> {
  const broker = await TestBroker.start();
  const meter = await MeterServer.start();
  const recorder = await Recorder.start(broker.url, 'powermeter/57000003/state');
  const { keys } = danishFrame();
  const sim = new SimulatedMeter(57_000_003, keys);
  let t = Date.UTC(2026, 0, 1);
  const nextFrame = () => sim.frame(new Date((t += 10_000)), 10);
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-bench-'));
  const options = join(dir, 'options.json');
  writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, mqtt_url: broker.url, encryption_key: keys.encryption.toString('hex'), authentication_key: keys.authentication.toString('hex'), log_level: 'warning' }));
  // The same command line as the add-on's s6 run script; its state in a folder of its own.
  const cli = new URL('../src/cli.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [...nodeFlags, ...extraFlags, cli, 'run', '--options', options], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, POWERMETER_STATE_DIR: dir } });
  await meter.connected();
  // The first frame makes the service publish discovery: wait for its state, so that start-up is not measured.
  const first = recorder.next(() => true, 15_000);
  await sendPaced(meter, nextFrame(), 0);
  await first;
  recorder.messages.length = 0;
  return {
    broker,
    meter,
    recorder,
    child,
    nextFrame,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await recorder.stop();
      await meter.close();
      await broker.down();
    },
  };
}

/** Sends one frame as a 2400-baud bridge would: CHUNK bytes at a time, `gapMs` apart. */
async function sendPaced(meter: MeterServer, frame: Buffer, gapMs: number): Promise<void> {
  for (let at = 0; at < frame.length; at += CHUNK) {
    await meter.write(frame.subarray(at, at + CHUNK));
    if (gapMs > 0) await sleep(gapMs);
  }
}

/** Resident memory after `seconds` at a meter's pace, one frame every 10 s, its bytes paced as a 2400-baud line. */
async function memoryAtMeterPace(seconds: number): Promise<string> {
  const s = await setup();
  const start = rssMb(s.child.pid!);
  const until = Date.now() + seconds * 1000;
  let frames = 0;
  while (Date.now() < until) {
    const tick = Date.now();
    await sendPaced(s.meter, s.nextFrame(), 60); // 491 bytes in about 2 s, as the line delivers them
    frames++;
    await sleep(Math.max(0, 10_000 - (Date.now() - tick)));
  }
  const end = rssMb(s.child.pid!);
  const published = s.recorder.messages.length;
  await s.stop();
  return `resident memory at 1 frame/10 s: ${start.toFixed(1)} MB after the first frame, ${end.toFixed(1)} MB after ${seconds} s (${frames} frames sent, ${published} states published; goal: within 56 MB)`;
}

/** CPU per frame at 10 frames/s, the bytes in CHUNK-byte segments; and the latency of each frame's last byte. */
export async function cpuAtTenPerSecond(seconds: number, extraFlags: string[] = []): Promise<string> {
  const s = await setup(extraFlags);
  const pid = s.child.pid!;
  // Warm up, then measure.
  for (let i = 0; i < 20; i++) await sendPaced(s.meter, s.nextFrame(), 2);
  await s.recorder.next(() => s.recorder.messages.length >= 20, 15_000);
  s.recorder.messages.length = 0;
  const cpu0 = cpuMs(pid);
  const t0 = Date.now();
  let frames = 0;
  const latencies: number[] = [];
  while (Date.now() - t0 < seconds * 1000) {
    const tick = Date.now();
    const frame = s.nextFrame();
    const got = s.recorder.next(() => true, 5000, s.recorder.messages.length);
    await sendPaced(s.meter, frame.subarray(0, frame.length - 1), 2);
    const last = process.hrtime.bigint();
    await s.meter.write(frame.subarray(frame.length - 1));
    await got;
    latencies.push(Number(process.hrtime.bigint() - last) / 1e6);
    frames++;
    await sleep(Math.max(0, 100 - (Date.now() - tick)));
  }
  const cpu1 = cpuMs(pid);
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const cpu = user + system;
  const wall = Date.now() - t0;
  // The same time again with no frame: what the process costs by just running (its timers), which no frame adds.
  const idle0 = cpuMs(pid);
  await sleep(wall);
  const idle1 = cpuMs(pid);
  const idle = idle1.user - idle0.user + idle1.system - idle0.system;
  await s.stop();
  latencies.sort((a, b) => a - b);
  const flags = extraFlags.length ? ` (with ${extraFlags.join(' ')})` : '';
  return (
    `CPU at 10 frames/s in ${CHUNK}-byte chunks${flags}: ${(cpu / frames).toFixed(2)} ms per frame (user ${(user / frames).toFixed(2)}, system ${(system / frames).toFixed(2)}), ${((100 * cpu) / wall).toFixed(1)} % of a core over ${frames} frames; idle for as long: ${((100 * idle) / wall).toFixed(2)} % of a core (goal: under 1 ms per frame)\n` +
    `latency, last byte to state at a subscriber: median ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`
  );
}

/**
 * The service as users run it (`powermeter run`, its own process, the add-on's Node flags) between a TCP bridge and
 * a local broker: CPU per frame and latency at 10 frames/s, then resident memory at a meter's own pace.
 */
export async function benchService(memorySeconds = 120, cpuSeconds = 30): Promise<void> {
  console.log(await cpuAtTenPerSecond(cpuSeconds));
  console.log(await memoryAtMeterPace(memorySeconds));
}
