import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervisorOptions } from '../addon/supervisor.js';
import { Dashboard } from '../src/page/dashboard.js';
import { withKeys } from '../src/page/save-keys.js';
import { allowedPeer, INGRESS_PEERS } from '../src/page/peers.js';
import { startPage } from '../src/page/server.js';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { launchBrowser } from './support/browser.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { FakeSupervisor, routes } from './support/fake-supervisor.js';
import { IngressProxy } from './support/ingress-proxy.js';
import { MeterServer } from './support/meter-server.js';
import { danishKeys } from './support/vectors.js';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const ek = hex(danishKeys.encryption);
const ak = hex(danishKeys.authentication);
const wrong = '00112233445566778899AABBCCDDEEFF';

/** Every form of a key that must never appear anywhere. */
const secrets = [ek, ak, ek.toLowerCase(), ak.toLowerCase()];
const expectNoKey = (text: string, where: string) => {
  for (const s of secrets) expect(text.includes(s), `a key in ${where}`).toBe(false);
};

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

function httpPost(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('who may connect to the page', () => {
  it('in the add-on: the Supervisor’s ingress proxy and loopback only', () => {
    for (const a of ['172.30.32.2', '::ffff:172.30.32.2', '127.0.0.1', '::ffff:127.0.0.1', '::1']) expect(allowedPeer(a, INGRESS_PEERS), a).toBe(true);
    for (const a of ['172.30.32.1', '172.30.33.5', '192.168.1.10', '::ffff:192.168.1.10', 'fe80::1', undefined]) expect(allowedPeer(a, INGRESS_PEERS), String(a)).toBe(false);
    expect(allowedPeer('192.168.1.10', 'any')).toBe(true);
  });

  it('refuses a connection from an address not allowed, before any request', async () => {
    const log = captureLogger();
    // Only the ingress proxy's address: this test's own connection, from 127.0.0.1, is not allowed.
    const page = await startPage({ host: '127.0.0.1', port: 0, allow: ['172.30.32.2'], dashboard: new Dashboard({ discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' }, []), logger: log.logger });
    try {
      await expect(httpGet(`${page.url}api/state`)).rejects.toThrow(/socket hang up|ECONNRESET/);
      await eventually(() => expect(log.lines.some((l) => l.includes('page: refused a connection from 127.0.0.1'))).toBe(true));
    } finally {
      await page.close();
    }
  });
});

describe('where checked keys are saved', () => {
  const keys = { encryption: danishKeys.encryption, authentication: danishKeys.authentication };
  const saved = { source: 'tcp', tcp_host: 'bridge', encryption_key: '', authentication_key: '', log_level: 'debug', more_meters: [{ source: 'tcp', tcp_host: 'annex', meter_profile: 'auto' }], meter_keys: [{ system_title: '4b414d4500000001', encryption_key: wrong }] };

  it('the first meter’s keys, and nothing else changes', () => {
    expect(withKeys(saved, { sourceIndex: 0, multiStream: false, systemTitle: null }, keys)).toEqual({ ...saved, encryption_key: ek, authentication_key: ak });
  });

  it('an item of more_meters', () => {
    const next = withKeys(saved, { sourceIndex: 1, multiStream: false, systemTitle: null }, keys);
    expect(next.more_meters).toEqual([{ source: 'tcp', tcp_host: 'annex', meter_profile: 'auto', encryption_key: ek, authentication_key: ak }]);
    expect(next.encryption_key).toBe('');
  });

  it('the meter’s entry of meter_keys for a source of many meters, added when missing', () => {
    const replaced = withKeys(saved, { sourceIndex: 0, multiStream: true, systemTitle: '4B414D4500000001' }, keys);
    expect(replaced.meter_keys).toEqual([{ system_title: '4B414D4500000001', encryption_key: ek, authentication_key: ak }]);
    const added = withKeys(saved, { sourceIndex: 0, multiStream: true, systemTitle: '4B414D4500000002' }, keys);
    expect(added.meter_keys).toHaveLength(2);
    expect(parseOptions({ ...added, more_meters: [] }).meterKeys.map((k) => k.systemTitle)).toEqual(['4B414D4500000001', '4B414D4500000002']);
  });
});

describe('the page, with the service reading a TCP bridge into Mosquitto', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let meterServer: MeterServer;
  let supervisor: FakeSupervisor;
  let app: Running;
  let url: string;
  let browser: Browser;
  const log = captureLogger();
  const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: 'UTC' });
  let clock = Date.UTC(2026, 5, 15, 10);
  const bodies: string[] = [];
  const savedOptions: Record<string, unknown>[] = [];
  let restarts = 0;
  const userOptions = { source: 'tcp', tcp_host: '127.0.0.1', tcp_port: 6638, encryption_key: ak, authentication_key: ek, log_level: 'info', meter_profile: 'auto', more_meters: [], meter_keys: [] };

  /** The next frame; the state it makes on MQTT. */
  const sendFrame = async (override = {}) => {
    const since = recorder.messages.length;
    clock += 10_000;
    await meterServer.send(sim.frame(new Date(clock), 10, override));
    return JSON.parse((await recorder.next((m) => m.topic === 'powermeter/57000001/state', 15_000, since)).payload) as Record<string, number>;
  };

  const open = async (address: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> => {
    const page = await browser.newPage({ colorScheme, viewport: { width: 1100, height: 900 } });
    page.on('response', (r) => {
      if (!(r.headers()['content-type'] ?? '').includes('event-stream')) void r.text().then((t) => bodies.push(t), () => undefined);
    });
    await page.goto(address);
    await page.waitForSelector('body[data-ready][data-liveness="live"]');
    return page;
  };

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    meterServer = await MeterServer.start();
    supervisor = await FakeSupervisor.start(
      routes({
        '/addons/self/info': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ result: 'ok', data: { slug: 'powermeter', options: userOptions } })),
        '/addons/self/options': (req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            savedOptions.push((JSON.parse(Buffer.concat(chunks).toString()) as { options: Record<string, unknown> }).options);
            res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ result: 'ok', data: {} }));
          });
        },
        '/addons/self/restart': (_req, res) => {
          restarts++;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ result: 'ok', data: {} }));
        },
      }),
    );
    // The keys entered the wrong way round, as users often do: the page is where they find out.
    const settings = parseOptions({ ...userOptions, tcp_port: meterServer.port, mqtt_url: broker.url });
    app = startApp(settings, { url: broker.url }, log.logger, {
      timeZone: 'UTC',
      now: () => clock,
      page: { host: '127.0.0.1', port: 0, allow: 'any', options: supervisorOptions({ token: 'test-token', baseUrl: supervisor.url }) },
    });
    const page = await app.page;
    if (!page) throw new Error('the page did not start');
    url = page.url;
    await recorder.next((m) => m.topic === 'powermeter/availability' && m.payload === 'online');
    await meterServer.connected();
    for (let i = 0; i < 3; i++) await sendFrame();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await supervisor?.close();
    await recorder?.stop();
    await meterServer?.close();
    await broker?.down();
  });

  it('shows the meter and the power of the last state published on MQTT, live; the power plot has points', async () => {
    const page = await open(url);
    const card = page.locator('[data-meter="57000001"]');
    await expect(card.locator('h2').textContent()).resolves.toContain('57000001');
    // A new frame while the page is open: its power arrives by the event stream.
    const state = await sendFrame({ active_power_import: 4321 });
    expect(state.active_power_import).toBe(4321);
    await eventually(async () => expect(await card.locator('.now [data-key="active_power_import"]').textContent()).toBe('4,321 W'));
    await eventually(async () => expect(Number(await card.locator('[data-plot="power"]').getAttribute('data-points'))).toBeGreaterThanOrEqual(4));
    expect(await card.locator('[data-plot="power"] canvas').count()).toBe(1);
    await expect(page.locator('[data-field="security"]').getAttribute('data-state')).resolves.toBe('keys_swapped');
    await expect(page.locator('[data-field="security"]').textContent()).resolves.toBe('Keys swapped');
    await page.close();
  });

  it('lists a corrupted frame in the frame log with its reason', async () => {
    const page = await open(url);
    const frame = sim.frame(new Date((clock += 10_000)), 10);
    frame[60]! ^= 0xff;
    await meterServer.send(frame);
    const row = page.locator('#frame-log tbody tr', { hasText: 'checksum' }).first();
    await eventually(async () => expect(await row.textContent()).toMatch(/checksum error.*failed its checksum \(FCS\)/), 15_000);
    await expect(page.locator('#frame-log tbody tr', { hasText: 'accepted' }).count()).resolves.toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it('the key check answers at once with the service’s verdicts and what goes where', async () => {
    const page = await open(url);
    const check = async (encryption: string, authentication: string) => {
      await page.fill('input[name="encryption_key"]', encryption);
      await page.fill('input[name="authentication_key"]', authentication);
      await page.click('button[type="submit"]');
      const verdict = page.locator('#verdict strong[data-verdict]');
      await verdict.waitFor();
      const word = await verdict.getAttribute('data-verdict');
      const text = (await page.locator('#verdict').textContent()) ?? '';
      await page.evaluate("document.getElementById('verdict').replaceChildren()");
      return { word, text };
    };
    expect(await check(ek, ak)).toMatchObject({ word: 'authenticated', text: expect.stringContaining('Keys right Both are right: the first is the encryption key (GPK60)') as string });
    expect(await check(ak, ek)).toMatchObject({ word: 'keys_swapped', text: expect.stringContaining('Keys swapped They go the other way round') as string });
    expect((await check(ek, wrong)).word).toBe('wrong_authentication_key');
    expect((await check(wrong, ak)).word).toBe('wrong_encryption_key');
    // Spaces and colons as the letter prints them are fine; a malformed key is named, never echoed.
    expect((await check(ek.match(/../g)!.join(':'), ak.match(/..../g)!.join(' '))).word).toBe('authenticated');
    const bad = await httpPost(`${url}api/key-check`, JSON.stringify({ encryption_key: `${ek}ZZ`, authentication_key: ak }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: expect.stringMatching(/^encryption_key: must be 32 hexadecimal digits/) as string });
    expectNoKey(bad.body, 'the 400 answer');
    await page.close();
  });

  it('saves a swapped pair the right way round into the add-on’s options, and restarts it', async () => {
    const page = await open(url);
    await page.fill('input[name="encryption_key"]', ak);
    await page.fill('input[name="authentication_key"]', ek);
    await page.click('button[type="submit"]');
    await page.locator('#verdict [data-verdict="keys_swapped"]').waitFor();
    await page.click('#save-keys');
    await page.locator('#verdict [data-verdict="saved"]').waitFor();
    // The keys, and what the user set: the defaults the Supervisor merged in (tcp_port, log_level, meter_profile) stay unset.
    expect(savedOptions).toEqual([{ source: 'tcp', tcp_host: '127.0.0.1', encryption_key: ek, authentication_key: ak, more_meters: [], meter_keys: [] }]);
    await eventually(() => expect(restarts).toBe(1));
    expect(await page.inputValue('input[name="encryption_key"]')).toBe('');
    // Keys that do not decode are never saved.
    const refused = await httpPost(`${url}api/save-keys`, JSON.stringify({ encryption_key: wrong, authentication_key: ak }));
    expect(refused.status).toBe(409);
    expect(savedOptions).toHaveLength(1);
    await page.close();
  });

  it('downloads the frames held as a capture that decode reads back to the same readings', async () => {
    const state = await sendFrame();
    const page = await open(url);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#capture')]);
    expect(download.suggestedFilename()).toMatch(/^powermeter-capture-.*\.hex$/);
    const path = join(mkdtempSync(join(tmpdir(), 'powermeter-page-')), 'capture.hex');
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^# PowerMeter capture/);
    expectNoKey(text, 'the capture');
    const { stdout } = await run(join(root, 'bin/powermeter'), ['decode', '--encryption-key', ek, '--authentication-key', ak, path]).catch((e: { stdout: string }) => e);
    const frames = stdout.trim().split('\n').map((l) => JSON.parse(l) as { meterId: string; readings: { key: string; value: number }[] });
    const lastFrame = frames.at(-1)!;
    expect(lastFrame.meterId).toBe('57000001');
    for (const key of ['active_energy_import', 'active_power_import', 'voltage_l1', 'current_l2']) expect(lastFrame.readings.find((r) => r.key === key)?.value, key).toBe(state[key]);
    await page.close();
  });

  it('works under an ingress path prefix, through a proxy, event stream included', async () => {
    const proxy = await IngressProxy.start(url);
    try {
      const page = await open(proxy.url);
      await expect(page.locator('[data-meter="57000001"] h2').textContent()).resolves.toContain('57000001');
      await sendFrame({ active_power_import: 1234 });
      await eventually(async () => expect(await page.locator('[data-meter="57000001"] .now [data-key="active_power_import"]').textContent()).toBe('1,234 W'));
      await page.close();
    } finally {
      await proxy.close();
    }
  });

  it('puts no key in any answer, log line or MQTT payload', async () => {
    for (const path of ['api/state', 'api/frames', 'api/capture', 'api/serial-ports', '', 'app.js', 'key-check.js']) bodies.push((await httpGet(`${url}${path}`)).body);
    expect(bodies.length).toBeGreaterThan(10);
    bodies.forEach((b, i) => expectNoKey(b, `HTTP answer ${i}`));
    log.lines.forEach((l) => expectNoKey(l, 'the log'));
    recorder.messages.forEach((m) => expectNoKey(m.payload, m.topic));
  });
});

describe('the page of the demo', () => {
  let demo: ChildProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    demo = spawn(join(root, 'bin/powermeter'), ['demo', '--interval', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      demo.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      demo.once('exit', () => reject(new Error(`the demo ended: ${out}`)));
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    demo?.kill('SIGTERM');
  });

  it('shows the simulated meter live, on a free loopback port', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ colorScheme, viewport: { width: 1100, height: 900 } });
      await page.goto(url);
      await page.waitForSelector('body[data-ready][data-liveness="live"]');
      const card = page.locator('[data-meter="57000001"]');
      await eventually(async () => expect(Number(await card.locator('[data-plot="power"]').getAttribute('data-points'))).toBeGreaterThanOrEqual(3), 20_000);
      expect(await card.locator('.now [data-key="active_power_import"]').textContent()).toMatch(/^[\d,]+ W$/);
      // The screenshots in docs/ are this test's: `POWERMETER_SCREENSHOTS=1 npx vitest run test/page.test.ts`.
      if (process.env.POWERMETER_SCREENSHOTS) {
        mkdirSync(join(root, 'docs'), { recursive: true });
        await page.screenshot({ path: join(root, `docs/page-${colorScheme}.png`), fullPage: true });
      }
      await page.close();
    }
  });

  it("shows the P1 port's gas meter after its electricity meter, with its total in m³ and the time it took it", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('body[data-ready][data-liveness="live"]');
    const gas = page.locator('[data-meter="G0044007382246019"]');
    await eventually(async () => expect(await gas.count()).toBe(1), 20_000);
    expect(await gas.getAttribute('data-sub-meter-of')).toBe('E0044007382246019');
    expect(await gas.locator('[data-key="gas"]').textContent()).toMatch(/^[\d,.]+ m³$/);
    expect(await gas.locator('[data-key="captured_at"]').textContent()).not.toMatch(/T\d\d:/);
    // After the card of the meter it is read through.
    const order = await Promise.all((await page.locator('section.meter').all()).map((c) => c.getAttribute('data-meter')));
    expect(order.indexOf('G0044007382246019')).toBeGreaterThan(order.indexOf('E0044007382246019'));
    await page.close();
  });
});
