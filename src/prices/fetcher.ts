import { createRequire } from 'node:module';
import { VERSION } from '../base/version.js';
import { parseDayAheadAnswer, parsePricelistAnswer, type Parsed, type SpotPrice, type TariffRecord } from './answers.js';
import { PriceCacheFile, type PriceCache } from './cache-file.js';
import { energinet, type ChargeOwner } from './charge-owners.data.js';
import { addDays, danishDate, danishMidnight, type DanishDate } from './danish-time.js';
import { describeHttpProblem, getText, type HttpOptions } from './http.js';
import { buildPriceTable, spotComplete, type PricePart, type PriceTable } from './price-model.js';
import { dayAheadPricesQuery, energinetChargesQuery, gridTariffQuery, type PriceQuery, type PriceSource } from './queries.js';
import { due, EVERY_QUARTER_HOUR } from './schedule.js';
import { checkPriceSettings, type PriceSettings } from './settings.js';

/**
 * The I/O edge of the prices: asks Energi Data Service on a schedule, keeps the last good answers (in memory and in
 * the cache file), and hands the core a `PriceTable` through `onTable` whenever it changes (new answers, or a new
 * Danish day). The core never waits on it and never sees an answer that failed its checks. No global state: every
 * bit of it lives in the instance.
 *
 * Failures are logged once per streak (the first failure warns, later ones are debug lines, a success after a streak
 * says so), and each retry is bounded (`HttpOptions.retryDelaysMs`); a source that keeps failing is asked again at the
 * next quarter-hour tick, never in a loop.
 */
export interface PriceLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** Said once when a source starts failing (and `recovered` once when it works again). */
export interface PriceProblem {
  readonly source: PriceSource | 'cache';
  readonly message: string;
}

export interface PriceFetcherOptions {
  /** Energi Data Service or a mirror: the shell passes `pricesBaseUrl(process.env.POWERMETER_PRICES_URL)`. */
  readonly baseUrl: string;
  /** Must pass `checkPriceSettings` (the shell reports option errors before it makes a fetcher). */
  readonly settings: PriceSettings;
  /** Where `prices.json` is kept (the add-on's state directory). */
  readonly cacheDirectory: string;
  readonly logger: PriceLogger;
  readonly onTable: (table: PriceTable) => void;
  readonly onProblem?: (problem: PriceProblem) => void;
  readonly onRecovered?: (source: PriceSource) => void;
  readonly now?: () => number;
  readonly http?: Partial<Omit<HttpOptions, 'signal'>>;
  /** Calls the job every quarter hour until the returned function is called: node-cron by default; tests drive `tick`. */
  readonly schedule?: (job: () => void) => () => void;
}

export const defaultHttpOptions: Omit<HttpOptions, 'signal'> = {
  timeoutMs: 30_000,
  // Three retries, 5, 15 and 45 s apart: a passing 5xx or timeout is ridden out within a minute, well inside a tick.
  retryDelaysMs: [5_000, 15_000, 45_000],
  maxRetryAfterMs: 120_000,
  // 500 price list records are about 400 KB; a DayAheadPrices answer for two days about 40 KB.
  maxBytes: 4 * 1024 * 1024,
  userAgent: `PowerMeter/${VERSION} (Home Assistant add-on)`,
};

const everyQuarterHour = (job: () => void): (() => void) => {
  // Without a time zone on purpose, as src/service/scheduler.ts: the ticks fall on quarter hours in every zone, and
  // what is due is decided from the Danish clock in schedule.ts. The service passes its own schedule instead
  // (service/scheduler.ts, without node-cron's check every second); node-cron is loaded here only when this default
  // is used, not with the module, which the service loads at every start (issue #30: 17–19 ms of its cold start).
  const cron = createRequire(import.meta.url)('node-cron') as typeof import('node-cron');
  const task = cron.schedule(EVERY_QUARTER_HOUR, job);
  return () => task.stop();
};

const partNames: Record<PricePart, string> = {
  spot: 'spot price',
  gridTariff: 'grid tariff',
  systemTariff: 'system tariff',
  transmissionTariff: 'transmission tariff',
  electricityTax: 'elafgift',
};

export class PriceFetcher {
  private readonly settings: PriceSettings;
  private readonly owner: ChargeOwner | null;
  private readonly file: PriceCacheFile;
  private readonly now: () => number;
  private readonly http: Omit<HttpOptions, 'signal'>;
  private readonly stopping = new AbortController();
  private cache: PriceCache;
  private readonly fetchedOn = new Map<PriceSource, DanishDate>();
  private readonly failing = new Map<PriceSource, string>();
  private running: Promise<void> | null = null;
  private cancelSchedule: (() => void) | null = null;
  private lastSignature = '';
  private lastMissing = '';
  private current: PriceTable | null = null;

  constructor(private readonly options: PriceFetcherOptions) {
    const checked = checkPriceSettings(options.settings);
    if (!checked.ok) throw new RangeError(checked.errors.map((e) => e.message).join('; '));
    this.settings = checked.settings;
    this.owner = checked.owner;
    this.file = new PriceCacheFile(options.cacheDirectory);
    this.now = options.now ?? Date.now;
    this.http = { ...defaultHttpOptions, ...options.http };
    this.cache = { version: 1, savedAt: 0, spot: null, grid: null, energinet: null };
  }

  /** The last table handed out, if any. */
  get table(): PriceTable | null {
    return this.current;
  }

  /** Loads the cache (and hands out its prices at once), asks for everything, then wakes every quarter hour. */
  async start(): Promise<void> {
    const now = this.now();
    const { cache, problem } = this.file.load(now);
    if (problem) {
      const message =
        problem.kind === 'damaged'
          ? `the price cache ${problem.path} is damaged (${problem.problem}); ${problem.aside ? `it was moved to ${problem.aside} and ` : ''}prices are fetched afresh`
          : `the price cache ${problem.path} cannot be read (${problem.problem}); prices are fetched afresh`;
      this.options.logger.warn(message);
      this.options.onProblem?.({ source: 'cache', message });
    }
    this.cache = {
      ...cache,
      // Answers for another area or company are of no use under these settings.
      spot: cache.spot?.area === this.settings.area ? cache.spot : null,
      grid: this.owner && cache.grid?.owner === this.owner.id && cache.grid.gln === this.owner.gln ? cache.grid : null,
    };
    // The cached prices go out at once, before any question: a restart without network keeps today's prices.
    if (this.cache.spot) this.publish(now, false);
    await this.run(true);
    if (!this.stopping.signal.aborted) this.cancelSchedule = (this.options.schedule ?? everyQuarterHour)(() => void this.tick());
  }

  /** One scheduled wake-up: fetches what is due and hands out the table if it changed (a new day changes it). */
  tick(): Promise<void> {
    return this.run(false);
  }

  /** Stops the schedule and aborts what is under way. */
  stop(): void {
    this.cancelSchedule?.();
    this.cancelSchedule = null;
    this.stopping.abort();
  }

  private run(force: boolean): Promise<void> {
    // A tick while the previous one is still retrying joins it rather than asking twice.
    this.running ??= this.fetchDue(force).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async fetchDue(force: boolean): Promise<void> {
    const now = this.now();
    const today = danishDate(now);
    const sources: PriceSource[] = this.owner ? ['grid', 'energinet'] : ['energinet'];
    const spot = this.cache.spot?.prices ?? [];
    const oldest = sources.map((s) => this.fetchedOn.get(s) ?? null).reduce((a, b) => (a === null || b === null ? null : a < b ? a : b));
    const d = force ? { spot: true, tariffs: true } : due({ now, spotToday: spotComplete(spot, today), spotTomorrow: spotComplete(spot, addDays(today, 1)), tariffsFetchedOn: oldest });
    let changed = false;
    if (d.spot) changed = (await this.fetchSpot(today)) || changed;
    if (d.tariffs) {
      for (const source of sources) if (force || this.fetchedOn.get(source) !== today) changed = (await this.fetchTariffs(source, today)) || changed;
    }
    if (this.stopping.signal.aborted) return;
    if (changed) this.save(now);
    this.publish(now, true);
  }

  private async ask<T>(query: PriceQuery, parse: (text: string) => Parsed<T>): Promise<T | null> {
    const outcome = await getText(query.url, { ...this.http, signal: this.stopping.signal });
    if (!outcome.ok) {
      if (outcome.problem.kind !== 'stopped') this.fail(query.source, `${describeHttpProblem(outcome.problem)} after ${outcome.attempts} attempt${outcome.attempts > 1 ? 's' : ''}`);
      return null;
    }
    const parsed = parse(outcome.text);
    if (!parsed.ok) {
      this.fail(query.source, parsed.problem);
      return null;
    }
    return parsed.value;
  }

  private async fetchSpot(today: DanishDate): Promise<boolean> {
    const fresh = await this.ask(dayAheadPricesQuery(this.options.baseUrl, this.settings.area, today), (text) => parseDayAheadAnswer(text, this.settings.area));
    if (fresh === null) return false;
    this.succeed('spot');
    const tomorrow = addDays(today, 1);
    const hadTomorrow = spotComplete(this.cache.spot?.prices ?? [], tomorrow);
    const merged = new Map<number, SpotPrice>((this.cache.spot?.prices ?? []).map((p) => [p.start, p]));
    // A price the service has not converted to DKK yet never replaces one held.
    for (const p of fresh) if (p.dkkPerMWh !== null || !merged.has(p.start)) merged.set(p.start, p);
    // Yesterday is kept: the quarter that closes at midnight is priced after it.
    const keepFrom = danishMidnight(addDays(today, -1));
    const prices = [...merged.values()].filter((p) => p.start >= keepFrom).sort((a, b) => a.start - b.start);
    this.cache = { ...this.cache, spot: { area: this.settings.area, fetchedAt: this.now(), prices } };
    if (!hadTomorrow && spotComplete(prices, tomorrow)) this.options.logger.info(`Spot prices for ${tomorrow} (${this.settings.area}) have arrived`);
    else if (!spotComplete(prices, tomorrow)) this.options.logger.debug(`Spot prices for ${tomorrow} (${this.settings.area}) are not published yet`);
    return true;
  }

  private async fetchTariffs(source: PriceSource, today: DanishDate): Promise<boolean> {
    const owner = this.owner;
    if (source === 'grid' && owner) {
      const records = await this.ask(gridTariffQuery(this.options.baseUrl, owner), (text) => parsePricelistAnswer(text, { gln: owner.gln, codes: owner.chargeTypeCodes }));
      if (records === null) return false;
      if (records.length === 0) {
        this.fail(source, `DatahubPricelist has no tariff of ${owner.name} (GLN ${owner.gln}, ChargeTypeCode ${owner.chargeTypeCodes.join(', ')}): the company may have changed its codes`);
        return false;
      }
      this.cache = { ...this.cache, grid: { owner: owner.id, gln: owner.gln, codes: [...owner.chargeTypeCodes], fetchedAt: this.now(), records } };
    } else if (source === 'energinet') {
      const notes = Object.values(energinet.notes);
      const records = await this.ask(energinetChargesQuery(this.options.baseUrl), (text) => parsePricelistAnswer(text, { gln: energinet.gln, notes }));
      if (records === null) return false;
      const lacking = notes.filter((n) => !records.some((r: TariffRecord) => r.note === n));
      if (lacking.length > 0) {
        this.fail(source, `DatahubPricelist has no record of Energinet's ${lacking.join(', ')}`);
        return false;
      }
      this.cache = { ...this.cache, energinet: { fetchedAt: this.now(), records } };
    } else return false;
    this.succeed(source);
    this.fetchedOn.set(source, today);
    return true;
  }

  private fail(source: PriceSource, problem: string): void {
    const held = source === 'spot' ? this.cache.spot : source === 'grid' ? this.cache.grid : this.cache.energinet;
    const keeping = held ? `keeping the prices fetched ${new Date(held.fetchedAt).toISOString()}` : 'no earlier prices to keep';
    const message = `Energi Data Service (${source === 'spot' ? 'DayAheadPrices' : source === 'grid' ? 'grid tariff' : "Energinet's charges"}): ${problem}; ${keeping}`;
    if (this.failing.has(source)) {
      this.options.logger.debug(message);
      return;
    }
    this.failing.set(source, message);
    this.options.logger.warn(message);
    this.options.onProblem?.({ source, message });
  }

  private succeed(source: PriceSource): void {
    if (!this.failing.delete(source)) return;
    this.options.logger.info(`Energi Data Service (${source}) answers again`);
    this.options.onRecovered?.(source);
  }

  private save(now: number): void {
    try {
      this.cache = { ...this.cache, savedAt: now };
      this.file.save(this.cache);
    } catch (error) {
      this.options.logger.warn(`the price cache ${this.file.path} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); prices are kept in memory`);
    }
  }

  /** Hands out the table if it changed; `judge` says a day's missing parts (not before the first answers). */
  private publish(now: number, judge: boolean): void {
    const table = buildPriceTable(now, { spot: this.cache.spot?.prices ?? [], grid: this.cache.grid?.records ?? null, energinet: this.cache.energinet?.records ?? null }, this.settings);
    const missing = table.today.missing.length > 0 ? `${table.today.date}: ${table.today.missing.map((p) => partNames[p]).join(', ')}` : '';
    if (judge && missing !== this.lastMissing) {
      if (missing) this.options.logger.warn(`Prices for ${table.today.date} lack the ${table.today.missing.map((p) => partNames[p]).join(', ')} for some quarter hours: those quarters have no total price`);
      else if (this.lastMissing) this.options.logger.info(`Prices for ${table.today.date} are complete`);
      this.lastMissing = missing;
    }
    const signature = JSON.stringify({ ...table, builtAt: 0 });
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.current = table;
    this.options.onTable(table);
  }
}
