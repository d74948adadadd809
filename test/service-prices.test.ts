import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { danishInstant } from '../src/prices/danish-time.js';
import { quarterAt } from '../src/prices/lookup.js';
import { root } from './support/addon.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { radiusTable } from './support/prices.js';

const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/prices', name), 'utf8');
const run = promisify(execFile);

/** Energi Data Service on loopback, answering with the recorded answers of test/fixtures/prices (their README). */
async function fakeEnergiDataService(): Promise<{ url: string; requests: URL[]; server: Server }> {
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const filter = url.searchParams.get('filter') ?? '';
    const body = url.pathname.endsWith('/DayAheadPrices') ? fixture('dayahead-dk1-2025-11-05.json') : filter.includes('5790000432752') ? fixture('pricelist-energinet-built.json') : fixture('pricelist-radius-built.json');
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('prices in the service: a local Energi Data Service, a real broker', () => {
  let broker: TestBroker;
  let recorder: Recorder;
  let eds: Awaited<ReturnType<typeof fakeEnergiDataService>>;
  const now = danishInstant('2025-11-05T17:05:00')!;
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-prices-'));
  const options = { source: 'mqtt', mqtt_source_topic: 'han/raw', price_area: 'DK1', grid_company: 'radius', supplier_markup: 0.1, export_markup: -0.02 };
  let app: Running | null = null;

  beforeAll(async () => {
    broker = await TestBroker.start();
    recorder = await Recorder.start(broker.url);
    eds = await fakeEnergiDataService();
    process.env.POWERMETER_PRICES_URL = eds.url;
  });

  afterAll(async () => {
    delete process.env.POWERMETER_PRICES_URL;
    await app?.stop();
    await recorder?.stop();
    await broker?.down();
    await new Promise<void>((resolve) => eds?.server.close(() => resolve()));
  });

  it('publishes the price of this quarter hour, as computed by hand from the same answers, with 96 quarters today', async () => {
    app = startApp(parseOptions({ ...options, mqtt_url: broker.url }), { url: broker.url }, captureLogger('info').logger, { now: () => now, statePath: join(dir, 'accounting.json'), timeZone: 'Europe/Copenhagen' });
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/price_dk1/state')).payload) as { price: number };
    // (spot/1000 + Radius 17–18 + system + transmission + elafgift + markup) × 1.25, for 17:00–17:15 on 2025-11-05
    expect(state.price).toBeCloseTo(quarterAt(radiusTable(now), now)!.total!, 5);
    const attributes = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/price_dk1/attributes')).payload) as { today: number[] };
    expect(attributes.today).toHaveLength(96);
    const config = JSON.parse((await recorder.next((m) => m.topic === 'homeassistant/device/powermeter_price_dk1/config')).payload) as { components: { price: Record<string, unknown> } };
    expect(config.components.price).toMatchObject({ unit_of_measurement: 'DKK/kWh', state_class: 'measurement' });
    expect(eds.requests.map((u) => u.pathname).sort()).toEqual(['/dataset/DatahubPricelist', '/dataset/DatahubPricelist', '/dataset/DayAheadPrices']);
    await app.stop();
    app = null;
  });

  it('keeps today\'s prices across a restart with Energi Data Service gone', async () => {
    await new Promise<void>((resolve) => eds.server.close(() => resolve()));
    eds.server.closeAllConnections();
    const since = recorder.messages.length;
    app = startApp(parseOptions({ ...options, mqtt_url: broker.url }), { url: broker.url }, captureLogger('info').logger, { now: () => now + 60_000, statePath: join(dir, 'accounting.json'), timeZone: 'Europe/Copenhagen' });
    const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/price_dk1/state', 10_000, since)).payload) as { price: number };
    expect(state.price).toBeCloseTo(quarterAt(radiusTable(now), now)!.total!, 5);
  });

  it('fetches under the add-on\'s own Node flags (no JIT, no WebAssembly): node:http, never fetch', async () => {
    const server = await fakeEnergiDataService();
    const code = `
      import { PriceFetcher } from '${join(root, 'dist/src/prices/fetcher.js')}';
      const f = new PriceFetcher({ baseUrl: '${server.url}', settings: { area: 'DK1', gridCompany: 'radius', supplierMarkup: 0, vatPercent: 25, exportMarkup: 0 },
        cacheDirectory: '${mkdtempSync(join(tmpdir(), 'powermeter-jitless-'))}', logger: { info() {}, warn() {}, debug() {} },
        onTable: (t) => { console.log('quarters', t.today.quarters.length); f.stop(); }, now: () => ${now}, schedule: () => () => {} });
      await f.start();`;
    const { stdout } = await run(process.execPath, ['--jitless', '--no-expose-wasm', '--input-type=module', '-e', code]);
    await new Promise<void>((resolve) => server.server.close(() => resolve()));
    expect(stdout).toContain('quarters 96');
  });
});
