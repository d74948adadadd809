import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder, TestBroker } from './support/broker.js';
import { MeterServer } from './support/meter-server.js';
import { bytesOf, danish } from './support/vectors.js';

const bin = new URL('../bin/powermeter', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'powermeter-run-'));

let runs = 0;
function start(options: object): { exit: Promise<number | null>; output: () => string; kill: (s: NodeJS.Signals) => void } {
  const file = join(dir, `options-${++runs}.json`);
  writeFileSync(file, JSON.stringify(options));
  const child = spawn(bin, ['run', '--options', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))), output: () => out, kill: (s) => child.kill(s) };
}

describe('powermeter run', () => {
  let broker: TestBroker;
  let meter: MeterServer;

  beforeAll(async () => {
    broker = await TestBroker.start();
    meter = await MeterServer.start();
  });

  afterAll(async () => {
    await meter?.close();
    await broker?.down();
  });

  it('refuses to start on a bad option, with one line per problem', async () => {
    const run = start({ source: 'tcp', baud_rate: 12 });
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/refusing to start, invalid options:\n {2}- baud_rate: must be one of/);
    expect(run.output()).toMatch(/ {2}- tcp_host: is required/);
  });

  it('runs against a bridge and a broker, and on SIGTERM publishes offline and exits 0', async () => {
    const recorder = await Recorder.start(broker.url);
    const run = start({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, mqtt_url: broker.url, encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication });
    await meter.send(bytesOf(danish));
    await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_27581522/config');
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'online');
    const since = recorder.messages.length;
    run.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'offline', 5000, since);
    expect(run.output()).toMatch(/SIGTERM received; stopping/);
    await recorder.stop();
  });
});
