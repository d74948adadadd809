import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../src/service/state-store.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { Recorder, TestBroker } from './support/broker.js';
import { eventually } from './support/eventually.js';
import { MeterServer } from './support/meter-server.js';
import { danish, danishKeys } from './support/vectors.js';

const bin = new URL('../bin/powermeter', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'powermeter-kill-'));

/** The service as users run it, with its state in `dir`. */
function start(options: object): { output: () => string; kill: (s: NodeJS.Signals) => Promise<void> } {
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify(options));
  const child = spawn(bin, ['run', '--options', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERMETER_STATE_DIR: dir, TZ: 'UTC' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { output: () => out, kill: async (s) => void (child.kill(s), await exited) };
}

describe('replays after a crash: SIGKILL, then the same frames sent again', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meter: MeterServer;

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meter = await MeterServer.start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await meter?.close();
    await broker?.down();
  });

  it('accepts none of the frames it accepted before the kill, and the next new one', async () => {
    const options = { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication, mqtt_url: broker.url, log_level: 'debug' };
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: 'UTC' });
    const t0 = Date.now();
    const frames = Array.from({ length: 6 }, (_, i) => sim.frame(new Date(t0 + i * 10_000), 10));
    const states = () => recorder.messages.filter((m) => m.topic === 'powermeter/57000001/state').map((m) => (JSON.parse(m.payload) as { frame_counter: number }).frame_counter);

    const first = start(options);
    for (const f of frames.slice(0, 5)) await meter.send(f);
    await eventually(() => expect(states()).toContain(5), 15_000);
    // Killed between two saves of the state file (every 5 minutes): only the counter journal knows 1 to 5. Sent in a
    // burst, faster than a meter sends, they are journalled within a second (state-store.ts): killed once the counter
    // of the fifth is on disk (in the journal, or in the state file if a save came first), as the next start reads it.
    await eventually(() => expect(Object.values(new StateStore(join(dir, 'accounting.json')).load().state.counters).map((c) => c.counter)).toContain(5), 15_000);
    await first.kill('SIGKILL');

    const second = start(options);
    const before = states().length;
    for (const f of frames.slice(0, 5)) await meter.send(f);
    await eventually(() => expect(second.output().match(/replayed frame refused|more replayed frames/g)?.length ?? 0).toBeGreaterThan(0), 15_000);
    await meter.send(frames[5]!);
    await eventually(() => expect(states()).toContain(6), 15_000);
    expect(states().slice(before)).toEqual([6]);
    await second.kill('SIGTERM');
  }, 60_000);
});
