import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostTimeZone, zoneName } from '../accounting/time-zone.js';
import type { PriceFetcher } from '../prices/fetcher.js';
import { ServiceCore } from '../core/core.js';
import type { Effect, Event, SourceId, SourceSpec } from '../core/events.js';
import { emptyState } from '../core/persisted.js';
import { CaptureRecorder } from './capture-recorder.js';
import { sourceSuffix } from '../ha/bridge.js';
import { availabilityTopic } from '../ha/discovery.js';
import { Dashboard, type PageEvent } from '../page/dashboard.js';
import type { PageServer } from '../page/server.js';
import type { Logger } from '../base/log.js';
import { Publisher, type BrokerOptions } from '../mqtt/publisher.js';
import type { Backoff } from '../base/backoff.js';
import type { Source } from '../source/source.js';
import { origin } from '../base/version.js';
import { openPage, openPageLater, type PageSettings } from './open-page.js';
import type { Settings } from './options.js';
import { everyFullHour, everyQuarterHour } from './scheduler.js';
import { sourceFor, specOf } from './source-specs.js';
import { log, startNotices } from './start-notices.js';
import { StateStore } from './state-store.js';

export const DEFAULT_CAPTURE_DIR = '/share/powermeter';

/** Bytes decoded per turn of the event loop: 16 Danish frames. A backlog is taken a slice at a time. */
const SLICE_BYTES = 8192;

export interface Running {
  readonly core: ServiceCore;
  readonly publisher: Publisher;
  /** The page, once it listens; null without one, or when it could not listen (said in the log). */
  readonly page: Promise<PageServer | null>;
  stop(): Promise<void>;
}


export interface AppOptions {
  /** Replaces the configured source (the demo's replay). */
  readonly source?: Source;
  /** Replace the sources of `more_meters`, in order (the demo's P1 meter). */
  readonly moreSources?: readonly Source[];
  /** Where the state is kept across restarts; null or absent keeps it in memory. */
  readonly statePath?: string | null;
  /** Where capture_minutes writes its file; the add-on maps Home Assistant's /share. */
  readonly captureDir?: string;
  /** Defaults to the zone of the process: the Supervisor sets TZ to Home Assistant's time zone. */
  readonly timeZone?: string;
  readonly birthDelayMs?: number;
  /** The broker's reconnection back-off (tests make it short). */
  readonly brokerBackoff?: Backoff;
  readonly now?: () => number;
  /** Where the PowerMeter device's page links to (the add-on in Home Assistant). */
  readonly configurationUrl?: string | null;
  /** Serve the page; absent: no page. */
  readonly page?: PageSettings;
  /**
   * Open the page this long after the start (`run`: a second), so that its modules and node:http are not loaded on the
   * way to the first state (issue #30); absent or 0: at once.
   */
  readonly pageAfterMs?: number;
}

/**
 * The shell around the service core: it turns the sources, the timers, the broker and the state file into events,
 * and the core's effects into publishes, log lines, saved files and redials. Everything that decides is in the core.
 */
export function startApp(settings: Settings, broker: BrokerOptions, logger: Logger, options: AppOptions = {}): Running {
  const topics = { discoveryPrefix: settings.discoveryPrefix, baseTopic: settings.baseTopic, partition: settings.partition };
  const timeZone = options.timeZone ?? hostTimeZone();
  const now = options.now ?? Date.now;
  // A deferred journal write that fails is said like a failed save: the counter is in memory, and in the state file at
  // the next save that works.
  const journalFailed = (e: unknown) => dispatch({ kind: 'saved', error: `${store?.journal ?? ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, at: now() });
  const store = options.statePath ? new StateStore(options.statePath, { journalFailed }) : null;
  const loaded = store?.load(now()) ?? { state: emptyState(), problems: [] };

  let core: ServiceCore | null = null;
  const queue: Event[] = [];
  const dispatch = (event: Event): void => {
    if (!core) {
      queue.push(event); // before the core exists (a source that reports at once)
      return;
    }
    const effects = core.step(event);
    // Indexed, not for-of: under --jitless each step of an array iterator allocates its result (issue #30).
    for (let i = 0; i < effects.length; i++) perform(effects[i]!);
    arm();
  };

  // One timer, armed for when the core next needs time to pass (a timeout, the diagnostics' cadence, a save): no
  // periodic wake-up when nothing is due.
  let timer: NodeJS.Timeout | null = null;
  let armedFor = Infinity;
  let stopped = false;
  const arm = (): void => {
    const wake = core?.wakeAt ?? Infinity;
    if (stopped || wake >= armedFor) return;
    if (timer) clearTimeout(timer);
    armedFor = wake;
    timer = setTimeout(
      () => {
        timer = null;
        armedFor = Infinity;
        dispatch({ kind: 'tick', at: now() });
      },
      Math.min(Math.max(0, wake - now()), 2 ** 31 - 1),
    );
    timer.unref();
  };

  // The page sees what Home Assistant sees: the same messages, as the core makes them (made once the sources are).
  let dashboard: Dashboard | null = null;
  let pageServer: PageServer | null = null;
  const toPage = (event: PageEvent | null) => {
    if (event) pageServer?.send(event);
  };

  const publisher = new Publisher({
    broker,
    availabilityTopic: availabilityTopic(topics),
    // Home Assistant's birth topic is its own setting, `homeassistant/status` by default, and not derived from the
    // discovery prefix (homeassistant/components/mqtt/const.py DEFAULT_BIRTH_WILL_TOPIC): listen on both.
    statusTopics: [...new Set(['homeassistant/status', `${settings.discoveryPrefix}/status`])],
    birthDelayMs: options.birthDelayMs,
    backoff: options.brokerBackoff,
    onBroker: (e) => {
      toPage(dashboard?.broker(e.state === 'connected', e.state === 'connected' ? null : e.detail) ?? null);
      dispatch(e.state === 'connected' ? { kind: 'broker', state: 'connected', at: now() } : { kind: 'broker', state: e.state, detail: e.detail, at: now() });
    },
    onHomeAssistantOnline: () => dispatch({ kind: 'ha-online', at: now() }),
  });

  const sources = new Map<SourceId, Source>();
  const specs: SourceSpec[] = settings.sources.map((meter, i) => {
    const id = String(i);
    const source = (i === 0 ? options.source : options.moreSources?.[i - 1]) ?? sourceFor(meter, publisher, settings.partition);
    sources.set(id, source);
    return specOf(id, meter, source);
  });

  core = new ServiceCore({
    sources: specs,
    dataTimeoutMs: settings.dataTimeoutMs,
    topics,
    origin,
    timeZone,
    state: loaded.state,
    persist: store !== null && !store.readOnly,
    startNotices: startNotices(loaded.problems, timeZone),
    configurationUrl: options.configurationUrl ?? null,
    meterKeys: settings.meterKeys,
    frameLog: options.page !== undefined,
    prices: settings.prices === null ? null : { area: settings.prices.area },
    capacity: settings.capacity,
    publishIntervalMs: settings.publishIntervalMs,
  });
  // The page's hourly and daily plots from the core's history, which the state file keeps across restarts.
  if (options.page) dashboard = new Dashboard(topics, specs.map((spec, i) => ({ id: spec.id, name: spec.name, suffix: sourceSuffix(i) })), { history: core.history });

  function perform(effect: Effect): void {
    if (dashboard) toPage(dashboard.observe(effect, now()));
    switch (effect.kind) {
      case 'frame':
        break;
      case 'publish':
        publisher.publish(effect.topic, effect.payload === null ? '' : JSON.stringify(effect.payload), effect.retain);
        break;
      case 'availability':
        publisher.availability(effect.topic, effect.online);
        break;
      case 'notice':
        log(logger, effect.notice);
        break;
      case 'persist': {
        let error: string | null = null;
        try {
          store?.save(effect.state);
        } catch (e) {
          error = `${store?.path ?? ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        }
        dispatch({ kind: 'saved', error, at: now() });
        break;
      }
      case 'counter':
        if (!store || store.readOnly) break;
        try {
          store.counter(effect.systemTitle, effect.counter, effect.keys);
        } catch (e) {
          journalFailed(e);
        }
        break;
      case 'redial':
        sources.get(effect.source)?.redial?.(effect.reason);
        break;
    }
  }

  // A backlog (a bridge that buffered while Wi-Fi was away, a replayed capture) is decoded a slice at a time, so that
  // MQTT and the timers keep running; a meter's frame (0.5 kB every 10 s) is decoded at once.
  const pending: { source: SourceId; stream: string | undefined; chunk: Buffer }[] = [];
  let draining = false;
  const drain = (): void => {
    draining = true;
    let budget = SLICE_BYTES;
    try {
      while (budget > 0 && pending.length > 0) {
        const first = pending[0]!;
        const piece = first.chunk.length <= budget ? first.chunk : first.chunk.subarray(0, budget);
        if (piece === first.chunk) pending.shift();
        else first.chunk = first.chunk.subarray(budget);
        budget -= piece.length;
        dispatch({ kind: 'bytes', source: first.source, stream: first.stream, chunk: piece, at: now() });
      }
    } finally {
      // After an unexpected error too, so that the next chunk is not left waiting behind a drain that never ends.
      if (pending.length > 0) setImmediate(drain);
      else draining = false;
    }
  };

  const capture = settings.captureMinutes > 0 ? new CaptureRecorder(options.captureDir ?? DEFAULT_CAPTURE_DIR, settings.captureMinutes, logger) : null;
  logger.info({ source: specs.map((s) => s.name).join(', '), timeZone: zoneName(timeZone) }, 'starting');
  for (const e of queue.splice(0)) dispatch(e);
  dispatch({ kind: 'start', at: now() });
  publisher.start();
  for (const [id, source] of sources) {
    source.start({
      data: (chunk, stream) => {
        // A capture holds one meter's bytes as they came: those of the first meter's source.
        if (id === '0') capture?.write(chunk);
        pending.push({ source: id, stream, chunk });
        if (!draining) drain();
        // The chunk is the source's read buffer, valid during this call only (SourceEvents.data): what waits is copied.
        if (pending.length > 0) for (const p of pending) if (p.chunk.buffer === chunk.buffer) p.chunk = Buffer.from(p.chunk);
        // A backlog still queued counts as a frame under way: the source then rests between its reads.
        return pending.length > 0 || core.awaiting(id, stream);
      },
      state: (state, detail) => dispatch({ kind: 'source', source: id, state, detail, at: now() }),
      notice: (text, stream) => dispatch({ kind: 'source-notice', source: id, stream, text, at: now() }),
    });
  }
  const stopHourly = everyFullHour(() => dispatch({ kind: 'hour', at: now() }));

  // The one thing the add-on fetches from the internet, and only with a price area set; it works on without it. Its
  // modules are loaded only then: not on the way to the first state (issue #30, cold start).
  let prices: PriceFetcher | null = null;
  let stopping = false;
  const priceSettings = settings.prices;
  if (priceSettings !== null) {
    void Promise.all([import('../prices/fetcher.js'), import('../prices/queries.js')]).then(
      ([{ PriceFetcher }, { pricesBaseUrl }]) => {
        if (stopping) return;
        prices = new PriceFetcher({
          baseUrl: pricesBaseUrl(process.env.POWERMETER_PRICES_URL),
          settings: priceSettings,
          cacheDirectory: options.statePath ? dirname(options.statePath) : join(tmpdir(), 'powermeter'),
          logger: { info: (m) => logger.info(`prices: ${m}`), warn: (m) => logger.warn(`prices: ${m}`), debug: (m) => logger.debug(`prices: ${m}`) },
          onTable: (table) => dispatch({ kind: 'prices', table, at: now() }),
          now,
          // node-cron without its check every second (issue #30)
          schedule: everyQuarterHour,
        });
        void prices.start();
      },
      (error: unknown) => logger.error(`prices: cannot load the price fetcher (${(error as Error).message}); the service goes on without prices`),
    );
  }

  const pageSettings = options.page;
  const board = dashboard;
  const { page, cancel: cancelPage } = board && pageSettings ? openPageLater(options.pageAfterMs, () => openPage(pageSettings, board, specs, logger, now)) : { page: Promise.resolve(null), cancel: () => undefined };
  void page.then((server) => (pageServer = server));

  return {
    core,
    publisher,
    page,
    async stop() {
      stopHourly();
      stopping = true;
      // A fetcher still loading is not made (`stopping`); one made is stopped.
      prices?.stop();
      cancelPage();
      await (await page)?.close();
      await Promise.all([...sources.values()].map((s) => s.stop()));
      // What is still queued is decoded now: a backlog is data the meter sent, and its energy counts.
      while (pending.length > 0) drain();
      capture?.stop();
      dispatch({ kind: 'stop', at: now() });
      stopped = true;
      if (timer) clearTimeout(timer);
      store?.close();
      await publisher.stop();
    },
  };
}


