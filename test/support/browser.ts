import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ServiceCore } from '../../src/core/core.js';
import type { CoreOptions } from '../../src/core/core-options.js';
import type { Effect, Event, SourceSpec } from '../../src/core/events.js';
import { emptyState, type PersistedState } from '../../src/core/persisted.js';
import type { Keys } from '../../src/dlms/cipher.js';
import { Dashboard } from '../../src/page/dashboard.js';
import type { HistorySource } from '../../src/page/energy-history.js';
import { startPage, type PageOptions, type PageServer } from '../../src/page/server.js';
import { SimulatedMeter } from '../../src/simulator/meter.js';
import type { MeterValues } from '../../src/simulator/kamstrup.js';
import { captureLogger } from './capture-logger.js';
import { danishKeys } from './vectors.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or POWERMETER_CHROMIUM. */
export const chromiumPath = process.env.POWERMETER_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;

/** A real headless Chromium driven by playwright-core: what a person looks at is tested where a person looks. */
export async function launchBrowser(): Promise<Browser> {
  if (chromiumPath === null) throw new Error('Chromium is not installed: apt-get install chromium (or set POWERMETER_CHROMIUM)');
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

export interface RigOptions {
  /** The keys the service is configured with (the meter always encrypts with danishKeys). */
  readonly keys?: Keys;
  /** When the rig's clock starts (ms); the hours and days of the plots follow it. */
  readonly start?: number;
  readonly timeZone?: string;
  /** The page's history: the core's own (as the service wires it, src/service/app.ts), or one of the test's. */
  readonly history?: HistorySource | 'core';
  /** The state the core starts from (what a restart reads back from the state file). */
  readonly state?: PersistedState;
  readonly prices?: CoreOptions['prices'];
  /** The meters on the line: a restart of the service (a new rig) goes on with the same ones, as a real meter does. */
  readonly meters?: readonly SimulatedMeter[];
  readonly page?: Partial<Omit<PageOptions, 'dashboard' | 'logger'>>;
  /** More sources beside the first (each named and keyed like it). */
  readonly sources?: number;
}

/**
 * The page over the real service core, without a broker or a line: the rig steps the core with a simulated meter's
 * frames at a clock of its own (10 s a frame), and hands every effect to the dashboard and the page, as the
 * service's shell does (src/service/app.ts `perform`).
 */
export async function startRig(o: RigOptions = {}) {
  let clock = o.start ?? Date.UTC(2026, 5, 15, 10, 0, 5);
  const timeZone = o.timeZone ?? 'Europe/Copenhagen';
  const log = captureLogger('info');
  const specs: SourceSpec[] = Array.from({ length: 1 + (o.sources ?? 0) }, (_, i) => ({
    id: String(i),
    name: `tcp 192.168.1.${50 + i}:6638`,
    redial: true,
    remoteLine: true,
    keys: o.keys ?? danishKeys,
    baudRate: 2400,
    parity: 'none',
    profile: 'auto',
  }));
  const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
  const core = new ServiceCore({ sources: specs, dataTimeoutMs: 60_000, topics, origin: { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' }, timeZone, state: o.state ?? emptyState(), persist: false, frameLog: true, prices: o.prices ?? null });
  const dashboard = new Dashboard(topics, specs.map((s, i) => ({ id: s.id, name: s.name, suffix: i === 0 ? '' : `_${i + 1}` })), { history: o.history === 'core' ? core.history : o.history });
  const server: PageServer = await startPage({ host: '127.0.0.1', port: 0, allow: 'any', dashboard, logger: log.logger, now: () => clock, ...o.page });
  const meters = o.meters ?? specs.map((_, i) => new SimulatedMeter(57_000_001 + i, danishKeys, { timeZone }));
  const perform = (effects: readonly Effect[]) => {
    for (const effect of effects) {
      const event = dashboard.observe(effect, clock);
      if (event) server.send(event);
    }
  };
  perform(core.step({ kind: 'start', at: clock }));
  perform(core.step({ kind: 'broker', state: 'connected', at: clock }));
  server.send(dashboard.broker(true, null));
  for (const s of specs) perform(core.step({ kind: 'source', source: s.id, state: 'connected', at: clock }));

  const rig = {
    url: server.url,
    server,
    dashboard,
    core,
    log,
    now: () => clock,
    meters,
    /** Any event, at the rig's clock, its effects handed on as the shell does. */
    step: (event: Event) => perform(core.step(event)),
    /**
     * The next frame of a meter, 10 s after the last; `raw` changes its bytes on the way (a corruption), `clockOffsetMs`
     * sets the meter's clock off the host's.
     */
    frame(override: MeterValues = {}, o: { meter?: number; raw?: (frame: Buffer) => Buffer; clockOffsetMs?: number } = {}) {
      clock += 10_000;
      const meter = o.meter ?? 0;
      const sim = meters[meter];
      if (!sim) throw new Error(`no meter ${meter}`);
      const frame = sim.frame(new Date(clock + (o.clockOffsetMs ?? 0)), 10, override);
      perform(core.step({ kind: 'bytes', source: String(meter), chunk: o.raw ? o.raw(frame) : frame, at: clock }));
    },
    /** Bytes that form no frame (a wrong baud rate), at the meter's pace, and the tick the shell's timer would give. */
    noise(meter = 0) {
      clock += 10_000;
      perform(core.step({ kind: 'bytes', source: String(meter), chunk: Buffer.alloc(300, 0x55), at: clock }));
      perform(core.step({ kind: 'tick', at: clock }));
    },
    /** Time passes without frames: a tick every 10 s, as the shell's timer would wake the core. */
    silence(ms: number) {
      for (let left = ms; left > 0; left -= 10_000) {
        clock += Math.min(10_000, left);
        perform(core.step({ kind: 'tick', at: clock }));
      }
    },
    /** Frames for `ms`, with the hour events of the shell's clock at each full hour. */
    run(ms: number, override: MeterValues = {}) {
      const end = clock + ms;
      while (clock + 10_000 <= end) {
        const before = Math.floor(clock / 3_600_000);
        rig.frame(override);
        if (Math.floor(clock / 3_600_000) !== before) perform(core.step({ kind: 'hour', at: clock }));
      }
    },
    close: () => server.close(),
  };
  return rig;
}

export type Rig = Awaited<ReturnType<typeof startRig>>;

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Opens the page and waits until it shows the service's picture (and, unless told otherwise, hears it live). */
export async function openPage(browser: Browser, url: string, o: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; locale?: string; live?: boolean; axe?: boolean; prepare?: (page: Page) => Promise<void> } = {}): Promise<Page> {
  // In the rig's time zone, as a browser in the household of the meter would be.
  const page = await browser.newPage({ colorScheme: o.colorScheme ?? 'light', viewport: { width: o.width ?? 1100, height: o.height ?? 900 }, locale: o.locale ?? 'en-GB', timezoneId: 'Europe/Copenhagen' });
  // axe-core as an init script: the browser runs it before the page's own, outside the page's Content-Security-Policy.
  if (o.axe) await page.addInitScript({ path: axePath });
  await o.prepare?.(page);
  await page.goto(url);
  await page.waitForSelector(o.live === false ? 'body[data-ready]' : 'body[data-ready][data-liveness="live"]');
  return page;
}
