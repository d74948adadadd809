import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterHistory } from '../src/page/contract.js';
import { en } from '../web/i18n/en.data.js';
import { launchBrowser, openPage, startRig, type Rig } from './support/browser.js';
import { eventually } from './support/eventually.js';

/**
 * The page keeps itself live on every Home Assistant release (#21 item 5): through an ingress that holds the event
 * stream back it polls; when the service goes it says so at once, and catches up when it is back; it shows that it
 * is loading and that the key check is checking. And what it offers to copy (#21 item 3) and to keep (#28 item 7).
 */

/**
 * A proxy in the manner of an ingress that compressed text/event-stream (Home Assistant before core PR #160704): the
 * stream's headers pass, its events stay in a buffer that is never flushed; everything else passes unchanged.
 */
async function bufferingProxy(target: string): Promise<{ url: string; held: () => number; close: () => Promise<void> }> {
  let held = 0;
  const server: Server = createServer((req, res) => {
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if ((answer.headers['content-type'] ?? '').startsWith('text/event-stream')) answer.on('data', (chunk: Buffer) => (held += chunk.length));
      else answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy listens on no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    held: () => held,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A gate for a route: requests wait until it is opened. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, hold: async (route: Route) => (await opened, await route.continue()) };
}

const power = '[data-meter="57000001"] .now [data-key="active_power_import"]';

describe('a page that keeps itself live', () => {
  let browser: Browser;
  const rigs: Rig[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const r of rigs) await r.close();
  });
  const rig = async (...args: Parameters<typeof startRig>) => {
    const r = await startRig(...args);
    rigs.push(r);
    return r;
  };

  it('polls api/state when the event stream gives nothing (an ingress that buffers it), and says it updates every 5 s', async () => {
    const r = await rig();
    r.frame({ active_power_import: 1111 });
    const proxy = await bufferingProxy(r.url);
    try {
      const page = await openPage(browser, proxy.url, { live: false });
      expect(await page.locator(power).textContent()).toBe('1,111 W');
      await page.waitForSelector('body[data-liveness="polling"]', { timeout: 15_000 });
      expect(await page.locator('#liveness').textContent()).toBe('Updated every 5 s');
      expect(proxy.held()).toBeGreaterThan(0);
      r.frame({ active_power_import: 2222 });
      await eventually(async () => expect(await page.locator(power).textContent()).toBe('2,222 W'), 15_000);
      await page.close();
    } finally {
      await proxy.close();
    }
  });

  it('says at once that the service does not answer (no green pill left behind), and catches up when it is back', async () => {
    const first = await startRig();
    first.frame({ active_power_import: 1500 });
    const port = Number(new URL(first.url).port);
    const page = await openPage(browser, first.url);
    expect(await page.locator('#broker').getAttribute('class')).toBe('pill good');
    const stoppedAt = Date.now();
    await first.close();
    await page.waitForSelector('body[data-liveness="offline"]', { timeout: 5000 });
    const said = Date.now() - stoppedAt;
    console.log(`the page said the service was gone ${said} ms after it stopped`);
    expect(said).toBeLessThan(2000);
    expect(await page.locator('#liveness').textContent()).toBe(en.page.offline);
    expect(await page.locator('#broker').textContent()).toBe(en.page.brokerUnknown);
    expect(await page.locator('#broker').getAttribute('class')).toBe('pill');
    expect(await page.locator('#offline').textContent()).toMatch(/^PowerMeter does not answer\. The add-on is stopped or restarting\. What you see is from /);
    // The add-on again, on the same port: the page comes back by itself.
    const again = await rig({ page: { port } });
    again.frame({ active_power_import: 3333 });
    await page.waitForSelector('body[data-liveness="live"]', { timeout: 15_000 });
    expect(await page.locator('#offline').isVisible()).toBe(false);
    await eventually(async () => expect(await page.locator(power).textContent()).toBe('3,333 W'));
    await page.close();
  });

  it('shows that it is loading while api/state is pending, and that the key check is checking', async () => {
    const r = await rig();
    r.frame();
    const state = gate();
    const check = gate();
    const loading = await browser.newPage({ locale: 'en-GB' });
    await loading.route('**/api/state', state.hold);
    await loading.route('**/api/key-check', check.hold);
    await loading.goto(r.url);
    await loading.waitForSelector('#meters-loading');
    expect(await loading.locator('#meters-loading').textContent()).toBe(en.page.loading);
    expect(await loading.locator('#meters').getAttribute('aria-busy')).toBe('true');
    expect(await loading.locator('#liveness').textContent()).toBe(en.page.loading);
    state.open();
    await loading.waitForSelector('body[data-ready][data-liveness="live"]');
    expect(await loading.locator('#meters-loading').isVisible()).toBe(false);
    expect(await loading.locator('#meters').getAttribute('aria-busy')).toBeNull();
    await loading.click('#check-keys');
    const checking = loading.locator('#verdict [data-verdict="checking"]');
    expect(await checking.textContent()).toBe(en.keyCheck.checking);
    expect(await loading.locator('#verdict').getAttribute('aria-busy')).toBe('true');
    expect(await loading.locator('#check-keys').isDisabled()).toBe(true);
    check.open();
    await loading.locator('#verdict strong[data-verdict="key_missing"]').waitFor();
    expect(await loading.locator('#check-keys').isDisabled()).toBe(false);
    await loading.close();
  }, 60_000);

  it('lists the serial ports the container sees, by-id first, each with a copy button', async () => {
    const dev = mkdtempSync(join(tmpdir(), 'powermeter-dev-'));
    mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
    for (const name of ['ttyUSB0', 'ttyS0']) writeFileSync(join(dev, name), '');
    const byId = 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0';
    symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', byId));
    const r = await rig({ page: { devDirectory: dev } });
    const page = await openPage(browser, r.url);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const items = page.locator('#ports li');
    await eventually(async () => expect(await items.count()).toBe(3));
    expect(await items.locator('code').allTextContents()).toEqual([`/dev/serial/by-id/${byId}`, '/dev/ttyUSB0', '/dev/ttyS0']);
    expect(await items.first().textContent()).toContain('is /dev/ttyUSB0');
    await items.first().locator('button').click();
    await eventually(async () => expect(await items.first().locator('.copied').textContent()).toBe(en.ports.copied));
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(`/dev/serial/by-id/${byId}`);
    await page.close();
  });

  it('draws the hours and days the service kept at once, and again after a restart (the history from the state file)', async () => {
    const hour = 3_600_000;
    const start = Date.UTC(2026, 5, 15, 8, 20, 5);
    const from = Date.UTC(2026, 5, 15, 8) - 30 * hour;
    // What the service will hand over from its state file (the core's side of #28 item 7).
    const kept: MeterHistory = {
      hours: Array.from({ length: 30 }, (_, i) => ({ start: from + i * hour, import: 0.5 + (i % 5) / 10, export: 0, ...(i === 0 ? { partial: true } : {}) })),
      days: Array.from({ length: 10 }, (_, i) => ({ start: Date.UTC(2026, 5, 4, 22) + i * 24 * hour, import: 12 + i, export: 1 })),
    };
    const first = await startRig({ start, history: () => kept });
    first.frame();
    const port = Number(new URL(first.url).port);
    const page = await openPage(browser, first.url);
    const hours = page.locator('[data-meter="57000001"] [data-plot="hours"]');
    const days = page.locator('[data-meter="57000001"] [data-plot="days"]');
    // The kept periods and the open hour and day of the first frame after the start.
    expect([await hours.getAttribute('data-points'), await days.getAttribute('data-points')]).toEqual(['31', '11']);
    await first.close();
    await page.waitForSelector('body[data-liveness="offline"]');
    const again = await rig({ start: start + 60_000, history: () => kept, page: { port } });
    again.frame();
    await page.waitForSelector('body[data-liveness="live"]', { timeout: 15_000 });
    expect([await hours.getAttribute('data-points'), await days.getAttribute('data-points')]).toEqual(['31', '11']);
    expect(await hours.locator('.plot-summary').textContent()).toMatch(/^From 14 Jun, 04:00 to 15 Jun, 10:00: import [\d.]+ kWh/);
    await page.close();
  });
});
