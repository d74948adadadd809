import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './support/addon.js';
import { Recorder, TestBroker } from './support/broker.js';
import { answer, FakeSupervisor, mosquittoService } from './support/fake-supervisor.js';
import { eventually } from './support/eventually.js';
import { MeterServer } from './support/meter-server.js';
import { bytesOf, danish } from './support/vectors.js';

/** The s6 run script's command line, with the image's /app being this checkout. */
function runScriptCommand(): string[] {
  const run = readFileSync(join(root, 'rootfs/etc/s6-overlay/s6-rc.d/powermeter/run'), 'utf8');
  const line = /^exec (.*)$/m.exec(run)![1]!;
  return line.split(/\s+/).map((w) => w.replace(/^\/app\//, root));
}

describe('container-equivalent run: the s6 run command, /data/options.json, the Supervisor, Mosquitto', () => {
  let broker: TestBroker;
  let meter: MeterServer;
  let supervisor: FakeSupervisor;
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
  const health = join(dir, 'healthy');

  beforeAll(async () => {
    broker = await TestBroker.start();
    meter = await MeterServer.start();
    supervisor = await FakeSupervisor.start(answer(200, mosquittoService(broker.port)));
  });

  afterAll(async () => {
    await supervisor?.close();
    await meter?.close();
    await broker?.down();
  });

  it('starts from the options the Supervisor writes, finds the broker, publishes discovery, reports healthy, stops on SIGTERM', async () => {
    const options = join(dir, 'options.json');
    // As the Supervisor writes it: list values as strings, the optional options that were left empty absent.
    writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, baud_rate: '2400', parity: 'none', encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication, discovery_prefix: 'homeassistant', base_topic: 'powermeter', log_level: 'info', data_timeout: 60 }));
    const recorder = await Recorder.start(broker.url);
    const [cmd, ...args] = runScriptCommand();
    expect(cmd).toBe('node');
    const child = spawn(process.execPath, [...args, '--options', options], {
      env: { ...process.env, SUPERVISOR_TOKEN: 'test-token', POWERMETER_SUPERVISOR_URL: supervisor.url, POWERMETER_HEALTH_FILE: health },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    await meter.send(bytesOf(danish));
    const config = await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_27581522/config');
    expect(Object.keys((JSON.parse(config.payload) as { components: object }).components)).toContain('active_energy_import');
    expect(supervisor.requests.at(-1)).toEqual({ url: '/services/mqtt', authorization: 'Bearer test-token' });

    await eventually(() => expect(existsSync(health)).toBe(true));
    const check = spawnSync(join(root, 'rootfs/usr/local/bin/powermeter-healthcheck'), { env: { ...process.env, POWERMETER_HEALTH_FILE: health } });
    expect(check.status).toBe(0);
    const missing = spawnSync(join(root, 'rootfs/usr/local/bin/powermeter-healthcheck'), { env: { ...process.env, POWERMETER_HEALTH_FILE: join(dir, 'absent') } });
    expect(missing.status).not.toBe(0);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).not.toContain(danish.keys!.encryption!);
    expect(out).not.toContain('Ohsh2yei3ahR');
    await recorder.stop();
  });

  it('without a broker it says so in one line and exits non-zero', () => {
    supervisor.handler = answer(400, { result: 'error', message: 'Service not enabled' });
    const options = join(dir, 'options-2.json');
    writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1' }));
    const [, ...args] = runScriptCommand();
    const r = spawnSync(process.execPath, [...args, '--options', options], { env: { ...process.env, SUPERVISOR_TOKEN: 't', POWERMETER_SUPERVISOR_URL: supervisor.url }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FATAL no MQTT broker: .*Install and start the Mosquitto broker add-on, or set mqtt_url/);
  });
});
