import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { priceAttributes, priceState } from '../src/ha/prices.js';
import { PriceCacheFile } from '../src/prices/cache-file.js';
import { danishInstant } from '../src/prices/danish-time.js';
import { PriceFetcher, type PriceFetcherOptions, type PriceLogger, type PriceProblem } from '../src/prices/fetcher.js';
import type { PriceTable } from '../src/prices/price-model.js';
import type { PriceSettings } from '../src/prices/settings.js';
import { captureLogger } from './support/capture-logger.js';
import { root } from './support/addon.js';

const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/prices', name), 'utf8');
const at = (danishLocal: string): number => danishInstant(danishLocal)!;
const bad = JSON.parse(fixture('bad-answers.json')) as Record<string, Reply>;

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/** Energi Data Service on loopback: answers by dataset and filter, and keeps every query it was sent. */
class FakeEnergiDataService {
  readonly requests: URL[] = [];
  spot: () => Reply | 'hang' = () => ok('dayahead-dk1-2025-11-05.json');
  grid: () => Reply | 'hang' = () => ok('pricelist-radius-built.json');
  energinet: () => Reply | 'hang' = () => ok('pricelist-energinet-built.json');
  private server: Server | null = null;
  baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      this.requests.push(url);
      const filter = url.searchParams.get('filter') ?? '';
      const reply = url.pathname.endsWith('/DayAheadPrices') ? this.spot() : filter.includes('5790000432752') ? this.energinet() : this.grid();
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  count(dataset: 'DayAheadPrices' | 'grid' | 'energinet'): number {
    return this.requests.filter((u) => (dataset === 'DayAheadPrices' ? u.pathname.endsWith('/DayAheadPrices') : u.pathname.endsWith('/DatahubPricelist') && (dataset === 'energinet') === (u.searchParams.get('filter') ?? '').includes('5790000432752'))).length;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const ok = (name: string): Reply => ({ status: 200, body: fixture(name) });

function recordingLogger(): PriceLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return { lines, info: (message) => lines.push({ level: 'info', message }), warn: (message) => lines.push({ level: 'warn', message }), debug: (message) => lines.push({ level: 'debug', message }) };
}

const settings: PriceSettings = { area: 'DK1', gridCompany: 'radius', supplierMarkup: 0.1, vatPercent: 25, exportMarkup: 0 };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setUp(startAt: string, options: Partial<PriceFetcherOptions> = {}, eds?: FakeEnergiDataService) {
  const server = eds ?? (await new FakeEnergiDataService().start());
  cleanup.push(() => server.close());
  const dir = options.cacheDirectory ?? mkdtempSync(join(tmpdir(), 'powermeter-prices-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = { now: at(startAt) };
  const logger = recordingLogger();
  const tables: PriceTable[] = [];
  const problems: PriceProblem[] = [];
  const fetcher = new PriceFetcher({
    baseUrl: server.baseUrl,
    settings,
    cacheDirectory: dir,
    logger,
    onTable: (t) => tables.push(t),
    onProblem: (p) => problems.push(p),
    now: () => clock.now,
    http: { timeoutMs: 2_000, retryDelaysMs: [1, 1, 1], maxRetryAfterMs: 5 },
    schedule: () => () => undefined,
    ...options,
  });
  cleanup.push(() => fetcher.stop());
  return { server, dir, clock, logger, tables, problems, fetcher };
}

const warnings = (logger: ReturnType<typeof recordingLogger>) => logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);

describe('fetching prices from a local Energi Data Service', () => {
  it('asks the three queries at start and gives a table whose current price equals the hand computation (DK1, Radius)', async () => {
    const { server, tables, fetcher, logger } = await setUp('2025-11-05T17:35');
    await fetcher.start();
    expect(server.requests).toHaveLength(3);
    const [spot, grid, en] = server.requests;
    expect(spot!.pathname).toBe('/dataset/DayAheadPrices');
    expect(Object.fromEntries(spot!.searchParams)).toEqual({ start: '2025-11-04T22:00', end: '2025-11-07', filter: '{"PriceArea":["DK1"]}', sort: 'TimeUTC asc', columns: 'TimeUTC,TimeDK,PriceArea,DayAheadPriceDKK', limit: '400' });
    expect(grid!.pathname).toBe('/dataset/DatahubPricelist');
    expect(JSON.parse(grid!.searchParams.get('filter')!)).toEqual({ GLN_Number: ['5790000705689'], ChargeType: ['D03'], ChargeTypeCode: ['DT_C_01'] });
    expect([grid!.searchParams.get('sort'), grid!.searchParams.get('limit')]).toEqual(['ValidFrom desc', '500']);
    expect(JSON.parse(en!.searchParams.get('filter')!)).toEqual({ GLN_Number: ['5790000432752'], ChargeType: ['D03'], Note: ['Systemtarif', 'Transmissions nettarif', 'Elafgift'] });
    expect(warnings(logger)).toEqual([]);

    const table = tables.at(-1)!;
    expect(fetcher.table).toBe(table);
    expect(table.today.quarters).toHaveLength(96);
    expect(table.tomorrow).toBeNull();
    // (0.981391977 + 0.9174 + 0.051 + 0.074 + 0.72 + 0.1) × 1.25 = 3.55473997125 (see prices-model.test.ts)
    expect(priceState(table, at('2025-11-05T17:35')).price).toBe(3.55474);
    expect(priceAttributes(table).today).toHaveLength(96);
  });

  it('asks for tomorrow from 13:15 every quarter hour until it arrives, and no more', async () => {
    const { server, fetcher, clock, tables, logger } = await setUp('2025-11-05T12:00');
    await fetcher.start();
    expect(server.count('DayAheadPrices')).toBe(1);
    clock.now = at('2025-11-05T13:00');
    await fetcher.tick();
    expect(server.requests).toHaveLength(3);

    server.spot = () => ok('dayahead-empty.json'); // not published yet: a valid answer that replaces nothing
    clock.now = at('2025-11-05T13:15');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(2);
    expect(tables.at(-1)!.tomorrow).toBeNull();
    expect(tables.at(-1)!.today.quarters.every((q) => q.total !== null)).toBe(true);

    server.spot = () => ok('dayahead-dk1-2025-11-05-and-06.json');
    clock.now = at('2025-11-05T13:30');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(3);
    expect(tables.at(-1)!.tomorrow!.quarters).toHaveLength(96);
    expect(logger.lines).toContainEqual({ level: 'info', message: 'Spot prices for 2025-11-06 (DK1) have arrived' });

    clock.now = at('2025-11-05T13:45');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(3);
    // Tariffs once a day, from 00:15; at midnight the table turns over to the new day without a question.
    clock.now = at('2025-11-06T00:00');
    const before = tables.length;
    await fetcher.tick();
    expect(tables.length).toBe(before + 1);
    expect(tables.at(-1)!.today.date).toBe('2025-11-06');
    expect(server.count('grid')).toBe(1);
    clock.now = at('2025-11-06T00:15');
    await fetcher.tick();
    expect([server.count('grid'), server.count('energinet')]).toEqual([2, 2]);
    expect(warnings(logger)).toEqual([]);
  });

  it('keeps today\'s prices across a restart without network, says so once per source, and the price is the same', async () => {
    const first = await setUp('2025-11-05T17:35');
    await first.fetcher.start();
    const before = priceState(first.tables.at(-1)!, first.clock.now);
    first.fetcher.stop();
    const port = new URL(first.server.baseUrl).port;
    await first.server.close();

    const { logger: pinoLogger, lines } = captureLogger('debug');
    const logger: PriceLogger = pinoLogger; // pino's logger is what the shell will pass
    const tables: PriceTable[] = [];
    const problems: PriceProblem[] = [];
    const restarted = new PriceFetcher({
      baseUrl: `http://127.0.0.1:${port}`,
      settings,
      cacheDirectory: first.dir,
      logger,
      onTable: (t) => tables.push(t),
      onProblem: (p) => problems.push(p),
      now: () => at('2025-11-05T17:50'),
      http: { timeoutMs: 2_000, retryDelaysMs: [1], maxRetryAfterMs: 5 },
      schedule: () => () => undefined,
    });
    cleanup.push(() => restarted.stop());
    await restarted.start();
    expect(tables).toHaveLength(1); // from the cache, before the failed questions
    expect(tables[0]!.today.quarters.filter((q) => q.total !== null)).toHaveLength(96);
    expect(priceState(tables[0]!, at('2025-11-05T17:35')).price).toBe(before.price);
    expect(problems.map((p) => p.source)).toEqual(['spot', 'grid', 'energinet']);
    expect(problems[0]!.message).toMatch(/DayAheadPrices\): the service could not be reached \(ECONNREFUSED\) after 2 attempts; keeping the prices fetched 2025-11-05T16:35:00.000Z/);
    await restarted.tick(); // today is whole, tomorrow not due before 13:15 … but it is 17:50: asked again, failing quietly
    expect(problems).toHaveLength(3);
    expect(lines.filter((l) => / WARNING /.test(l))).toHaveLength(3);
    expect(lines.filter((l) => / DEBUG Energi Data Service/.test(l)).length).toBeGreaterThan(0);
  });

  it('rides out a 429 within its retries, honouring Retry-After up to the bound', async () => {
    const { server, fetcher, logger } = await setUp('2025-11-05T12:00');
    let calls = 0;
    server.spot = () => (++calls === 1 ? bad.status429! : ok('dayahead-dk1-2025-11-05.json'));
    await fetcher.start();
    expect(server.count('DayAheadPrices')).toBe(2);
    expect(warnings(logger)).toEqual([]);
  });

  it('keeps the last good prices through a 429 or 500 streak, said once, and says when the service answers again', async () => {
    const { server, fetcher, clock, tables, logger, problems } = await setUp('2025-11-05T12:00');
    await fetcher.start();
    const good = tables.at(-1)!;
    server.spot = () => bad.status500!;
    clock.now = at('2025-11-05T13:15');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(1 + 4); // one attempt and three bounded retries
    server.spot = () => bad.status429!;
    clock.now = at('2025-11-05T13:30');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(1 + 4 + 4);
    expect(warnings(logger)).toEqual([expect.stringMatching(/^Energi Data Service \(DayAheadPrices\): the service answered HTTP 500 after 4 attempts; keeping the prices fetched /)]);
    expect(logger.lines.filter((l) => l.level === 'debug' && /HTTP 429/.test(l.message))).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(fetcher.table).toBe(good);
    expect(tables.at(-1)).toBe(good);

    server.spot = () => ok('dayahead-dk1-2025-11-05.json');
    clock.now = at('2025-11-05T13:45');
    await fetcher.tick();
    expect(logger.lines).toContainEqual({ level: 'info', message: 'Energi Data Service (spot) answers again' });
  });

  it('does not retry a 400: the question itself is wrong', async () => {
    const { server, fetcher, logger } = await setUp('2025-11-05T12:00');
    server.grid = () => bad.status400!;
    await fetcher.start();
    expect(server.count('grid')).toBe(1);
    expect(fetcher.table!.today.missing).toEqual(['gridTariff']);
    // What went wrong, and what it means for the prices: each said once.
    expect(warnings(logger)).toEqual([
      expect.stringMatching(/grid tariff\): the service answered HTTP 400 after 1 attempt; no earlier prices to keep$/),
      'Prices for 2025-11-05 lack the grid tariff for some quarter hours: those quarters have no total price',
    ]);
  });

  it('gives up on a slow server after the timeout, and keeps the last good prices', async () => {
    const { server, fetcher, clock, logger, tables } = await setUp('2025-11-05T12:00', { http: { timeoutMs: 150, retryDelaysMs: [1], maxRetryAfterMs: 5 } });
    await fetcher.start();
    const good = tables.at(-1)!;
    server.spot = () => 'hang';
    clock.now = at('2025-11-05T13:15');
    await fetcher.tick();
    expect(server.count('DayAheadPrices')).toBe(1 + 2);
    expect(warnings(logger)).toEqual([expect.stringMatching(/DayAheadPrices\): no answer within 150 ms after 2 attempts; keeping the prices fetched/)]);
    expect(fetcher.table).toBe(good);
  });

  it('never takes a malformed or wrongly shaped answer over good prices', async () => {
    const { server, fetcher, clock, logger, tables } = await setUp('2025-11-05T12:00');
    await fetcher.start();
    const good = tables.at(-1)!;
    for (const [i, reply] of [bad.malformed!, bad.wrongShape!, ok('dayahead-edsclient-dk2.json')].entries()) {
      server.spot = () => reply;
      clock.now = at('2025-11-05T13:15') + i * 15 * 60_000;
      await fetcher.tick();
      expect(fetcher.table).toBe(good);
      server.spot = () => ok('dayahead-dk1-2025-11-05.json');
      clock.now += 60_000;
      await fetcher.tick(); // a good answer ends the streak, so the next problem is said again
    }
    expect(warnings(logger)).toEqual([
      expect.stringMatching(/DayAheadPrices\): the answer is not JSON \(/),
      expect.stringMatching(/DayAheadPrices\): the DayAheadPrices answer is not of the expected shape: \/records\/0\/DayAheadPriceDKK must be number,null; keeping/),
      expect.stringMatching(/DayAheadPrices\): the answer holds prices for DK2, not DK1; keeping/),
    ]);
    expect(tables.at(-1)!.today.quarters.map((q) => q.total)).toEqual(good.today.quarters.map((q) => q.total));
  });

  it('says when the company\'s codes find no tariff, instead of replacing the tariff with nothing', async () => {
    const { server, fetcher, clock, logger, tables } = await setUp('2025-11-05T12:00');
    await fetcher.start();
    server.grid = () => ({ status: 200, body: JSON.stringify({ total: 0, dataset: 'DatahubPricelist', records: [] }) });
    clock.now = at('2025-11-06T00:15');
    await fetcher.tick();
    expect(warnings(logger)[0]).toMatch(/DatahubPricelist has no tariff of Radius Elnet A\/S \(GLN 5790000705689, ChargeTypeCode DT_C_01\): the company may have changed its codes; keeping the prices fetched/);
    expect(tables.at(-1)!.today.quarters[0]!.gridTariff).toBe(0.1176); // the tariff held, on the new day
    expect(tables.at(-1)!.today.missing).toEqual(['spot']); // this server never publishes 2025-11-06
    expect(warnings(logger)[1]).toBe('Prices for 2025-11-06 lack the spot price for some quarter hours: those quarters have no total price');
  });

  it('moves a damaged cache aside, says so, and fetches afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-prices-'));
    writeFileSync(join(dir, 'prices.json'), '{"version":1,"savedAt":');
    const { fetcher, logger, problems } = await setUp('2025-11-05T12:00', { cacheDirectory: dir });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await fetcher.start();
    expect(problems[0]).toMatchObject({ source: 'cache' });
    expect(warnings(logger)[0]).toMatch(/^the price cache .*prices\.json is damaged \(it is not JSON .*\); it was moved to .*prices\.json\.bad-20251105T110000Z and prices are fetched afresh$/);
    expect(readdirSync(dir).sort()).toEqual(['prices.json', 'prices.json.bad-20251105T110000Z']);
    expect(fetcher.table!.today.quarters[0]!.total).not.toBeNull();
  });

  it('reads the cache file with a size bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-prices-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = new PriceCacheFile(dir, 'prices.json', 100);
    writeFileSync(file.path, JSON.stringify({ version: 1, savedAt: 0, spot: null, grid: null, energinet: null, padding: 'x'.repeat(200) }));
    expect(file.load(0).problem).toMatchObject({ kind: 'damaged', problem: 'it is larger than 100 bytes' });
    expect(existsSync(file.path)).toBe(false);
    expect(new PriceCacheFile(dir).load(0)).toEqual({ cache: { version: 1, savedAt: 0, spot: null, grid: null, energinet: null }, problem: null });
  });

  it('uses no cached answer of another area or grid company', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-prices-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const dk2 = [{ start: at('2025-11-05T00:00'), dkkPerMWh: 1 }];
    const cerius = { owner: 'cerius', gln: '5790000705184', codes: ['30TR_C_ET'], fetchedAt: 1, records: [{ code: '30TR_C_ET', note: null, validFrom: '2025-01-01T00:00:00', validTo: null, prices: Array<number>(24).fill(9) }] };
    new PriceCacheFile(dir).save({ version: 1, savedAt: 1, spot: { area: 'DK2', fetchedAt: 1, prices: dk2 }, grid: cerius, energinet: null });
    const { server, fetcher, tables } = await setUp('2025-11-05T12:00', { cacheDirectory: dir });
    server.spot = () => 'hang';
    server.grid = () => bad.status500!;
    const started = fetcher.start();
    await expect.poll(() => server.count('DayAheadPrices')).toBe(1);
    expect(tables).toEqual([]); // nothing handed out from a cache of DK2 and Cerius
    fetcher.stop();
    await started;
  });

  it('stops at once, even while a question hangs', async () => {
    const { server, fetcher, clock, logger } = await setUp('2025-11-05T12:00', { http: { timeoutMs: 60_000, retryDelaysMs: [60_000], maxRetryAfterMs: 5 } });
    await fetcher.start();
    server.spot = () => 'hang';
    clock.now = at('2025-11-05T13:15');
    const tick = fetcher.tick();
    for (let i = 0; i < 100 && server.count('DayAheadPrices') < 2; i++) await new Promise((r) => setImmediate(r));
    fetcher.stop();
    await tick;
    expect(warnings(logger)).toEqual([]);
  });

  it('refuses settings the data does not know', () => {
    expect(() => new PriceFetcher({ baseUrl: 'http://127.0.0.1:9', settings: { ...settings, gridCompany: 'nope' }, cacheDirectory: tmpdir(), logger: recordingLogger(), onTable: () => undefined })).toThrow(/grid company "nope" is not known; choose one of: none, radius/);
  });
});
