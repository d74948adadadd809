import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './support/addon.js';
import { freePort, Recorder, TestBroker } from './support/broker.js';
import { eventually } from './support/eventually.js';
import { answer, FakeSupervisor, mosquittoService, routes, selfInfo } from './support/fake-supervisor.js';
import { MeterServer } from './support/meter-server.js';
import { bytesOf, danish } from './support/vectors.js';

/** The s6 run script's command line, with the image's /app being this checkout. */
function runScriptCommand(): string[] {
  const run = readFileSync(join(root, 'rootfs/etc/s6-overlay/s6-rc.d/powermeter/run'), 'utf8');
  const line = /^exec (.*)$/m.exec(run)![1]!;
  return line.split(/\s+/).map((w) => w.replace(/^\/app\//, root));
}

const healthcheck = (file: string) => spawnSync(join(root, 'rootfs/usr/local/bin/powermeter-healthcheck'), { env: { ...process.env, POWERMETER_HEALTH_FILE: file } }).status;

/** The add-on's process as s6 starts it, with its options file, state folder and health file in `dir`. */
function startAddon(dir: string, options: object, supervisorUrl: string) {
  const file = join(dir, 'options.json');
  // As the Supervisor writes it: list values as strings, the optional options that were left empty absent.
  writeFileSync(file, JSON.stringify(options));
  const [cmd, ...args] = runScriptCommand();
  expect(cmd).toBe('node');
  const child = spawn(process.execPath, [...args, '--options', file], {
    env: { ...process.env, SUPERVISOR_TOKEN: 'test-token', POWERMETER_SUPERVISOR_URL: supervisorUrl, POWERMETER_HEALTH_FILE: join(dir, 'healthy'), POWERMETER_STATE_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => out };
}

describe('container-equivalent run: the s6 run command, /data/options.json, the Supervisor, Mosquitto', () => {
  let broker: TestBroker;
  let supervisor: FakeSupervisor;
  const keys = { encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication };

  beforeAll(async () => {
    broker = await TestBroker.start();
    supervisor = await FakeSupervisor.start(routes({ '/services/mqtt': answer(200, mosquittoService(broker.port)), '/addons/self/info': answer(200, selfInfo('a1b2c3d4_powermeter')) }));
  });

  afterAll(async () => {
    await supervisor?.close();
    await broker?.down();
  });

  it('starts from the options the Supervisor writes, finds the broker, publishes discovery, reports healthy, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
    const meter = await MeterServer.start();
    const recorder = await Recorder.start(broker.url);
    const addon = startAddon(dir, { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, baud_rate: '2400', parity: 'none', ...keys, discovery_prefix: 'homeassistant', base_topic: 'powermeter', log_level: 'info', data_timeout: 60 }, supervisor.url);
    await meter.send(bytesOf(danish));
    const config = await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_27581522/config');
    expect(Object.keys((JSON.parse(config.payload) as { components: object }).components)).toContain('active_energy_import');
    expect(supervisor.requests).toEqual(
      expect.arrayContaining([
        { url: '/services/mqtt', authorization: 'Bearer test-token' },
        { url: '/addons/self/info', authorization: 'Bearer test-token' },
      ]),
    );
    // The PowerMeter device links to the add-on's page; the meter device hangs under it.
    const bridge = JSON.parse((await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_bridge/config')).payload) as { device: Record<string, unknown> };
    expect(bridge.device.configuration_url).toBe('homeassistant://app/a1b2c3d4_powermeter');
    expect((JSON.parse(config.payload) as { device: Record<string, unknown> }).device.via_device).toBe('powermeter_bridge');
    await eventually(() => expect(healthcheck(join(dir, 'healthy'))).toBe(0));
    expect(healthcheck(join(dir, 'absent'))).not.toBe(0);

    addon.child.kill('SIGTERM');
    expect(await addon.exited).toBe(0);
    expect(existsSync(join(dir, 'accounting.json'))).toBe(true); // saved at the stop
    expect(addon.output()).not.toContain(danish.keys!.encryption!);
    expect(addon.output()).not.toContain('Ohsh2yei3ahR');
    await recorder.stop();
    await meter.close();
  });

  it('stays healthy with the TCP bridge down, says so, and takes the data when the bridge comes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
    const port = await freePort();
    const recorder = await Recorder.start(broker.url);
    const addon = startAddon(dir, { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: port, ...keys, data_timeout: 15 }, supervisor.url);
    await eventually(() => expect(addon.output()).toMatch(/WARNING source unavailable: ECONNREFUSED/));
    await eventually(() => expect(healthcheck(join(dir, 'healthy'))).toBe(0));
    const diagnostics = await recorder.next((m) => m.topic === 'powermeter/bridge/state' && m.payload.includes('"disconnected"'));
    expect(JSON.parse(diagnostics.payload)).toMatchObject({ source_state: 'disconnected', problem: 'OFF' }); // not before data_timeout
    // The bridge comes: the source redials by itself.
    const meter = await MeterServer.start(port);
    await meter.send(bytesOf(danish));
    await recorder.next((m) => m.topic === 'powermeter/27581522/state', 30_000);
    expect(addon.output()).toMatch(/INFO source connected again/);
    expect(healthcheck(join(dir, 'healthy'))).toBe(0);
    addon.child.kill('SIGTERM');
    expect(await addon.exited).toBe(0);
    await recorder.stop();
    await meter.close();
  });

  it('keeps a damaged state file aside, names both files in one line, and runs on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
    writeFileSync(join(dir, 'accounting.json'), '{"version":2,"savedAt":1,"meters":[{"totals"');
    const meter = await MeterServer.start();
    const recorder = await Recorder.start(broker.url);
    const addon = startAddon(dir, { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, ...keys }, supervisor.url);
    await meter.send(bytesOf(danish));
    await recorder.next((m) => m.topic === 'powermeter/27581522/state');
    const aside = readdirSync(dir).find((f) => f.startsWith('accounting.json.bad-'));
    expect(aside).toBeDefined();
    // Said at the start, written once the logger is loaded (a second after the start: service/logger.ts).
    await eventually(() => expect(addon.output()).toContain('ERROR'));
    expect(addon.output().split('\n').filter((l) => l.includes('ERROR'))).toEqual([expect.stringContaining(`the state file ${join(dir, 'accounting.json')} is damaged (the file is not whole JSON (cut short, or damaged)): it was kept as ${join(dir, aside!)}`)]);
    addon.child.kill('SIGTERM');
    expect(await addon.exited).toBe(0);
    await recorder.stop();
    await meter.close();
  });

  it('asks the Supervisor for the broker and for its own page at once: one round trip before the start, not two', async () => {
    // This Supervisor answers only once both questions are in: an add-on that asked one after the other would wait
    // for its first answer until it gave up, and never publish.
    const held: (() => void)[] = [];
    const both = routes({ '/services/mqtt': answer(200, mosquittoService(broker.port)), '/addons/self/info': answer(200, selfInfo('a1b2c3d4_powermeter')) });
    const slow = await FakeSupervisor.start((req, res) => {
      held.push(() => both(req, res));
      if (held.length === 2) for (const go of held) go();
    });
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
    const meter = await MeterServer.start();
    const recorder = await Recorder.start(broker.url);
    const addon = startAddon(dir, { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, ...keys, base_topic: 'together' }, slow.url);
    await meter.send(bytesOf(danish));
    await recorder.next((m) => m.topic === 'together/27581522/state');
    expect(slow.requests.map((r) => r.url).sort()).toEqual(['/addons/self/info', '/services/mqtt']);
    addon.child.kill('SIGTERM');
    expect(await addon.exited).toBe(0);
    await recorder.stop();
    await meter.close();
    await slow.close();
  });

  it('without a broker it says so in one line and exits non-zero', async () => {
    const refusing = await FakeSupervisor.start(answer(400, { result: 'error', message: 'Service not enabled' }));
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-addon-'));
    // The Supervisor answers from this process while the add-on's runs apart: both must be free to run.
    const addon = startAddon(dir, { source: 'tcp', tcp_host: '127.0.0.1' }, refusing.url);
    expect(await addon.exited).toBe(1);
    // The add-on's own page is asked for at the same time (see above); the broker is what it cannot start without.
    expect(refusing.requests).toEqual(expect.arrayContaining([{ url: '/services/mqtt', authorization: 'Bearer test-token' }]));
    expect(addon.output()).toMatch(/FATAL no MQTT broker: the Supervisor says the MQTT service is not enabled .*Install and start the Mosquitto broker add-on, or set mqtt_url/);
    await refusing.close();
  });
});
