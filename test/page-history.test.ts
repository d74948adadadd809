import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseState, type PersistedState } from '../src/core/persisted.js';
import { danishInstant } from '../src/prices/danish-time.js';
import { en } from '../web/i18n/en.data.js';
import { launchBrowser, openPage, startRig, type Rig, type RigOptions } from './support/browser.js';
import { radiusTable } from './support/prices.js';

/**
 * The hourly and daily plots after a restart (#28 item 7): the service keeps its history in the state file
 * (src/core/history.ts) and the page draws it from there, the cost per hour and per day too with prices on (#26).
 */

/** What the service saved, read back as the next start reads its state file. */
function savedState(r: Rig): PersistedState {
  const parsed = parseState(JSON.stringify(r.core.snapshot(r.now())));
  if (parsed.kind !== 'ok') throw new Error(`the saved state does not read back: ${JSON.stringify(parsed)}`);
  return parsed.state;
}

/** axe-core's WCAG 2.2 A/AA and best-practice rules, serious and critical findings only (as test/page-design.test.ts). */
const axe = (page: Page) =>
  page.evaluate<{ id: string; impact: string | null }[]>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
    .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact })))`);

const points = async (page: Page, plot: string) => page.locator(`[data-meter="57000001"] [data-plot="${plot}"]`).getAttribute('data-points');
/** The rows of a plot's table of numbers, newest first. */
async function rows(page: Page, plot: string): Promise<string[]> {
  const figure = page.locator(`[data-meter="57000001"] [data-plot="${plot}"]`);
  await figure.locator('summary').click();
  // The table is filled on the details' toggle event, which comes after the click.
  await figure.locator('tbody tr').first().waitFor();
  return page.evaluate<string[]>(`[...document.querySelectorAll('[data-meter="57000001"] [data-plot="${plot}"] tbody tr')].map((tr) => [...tr.children].map((cell) => cell.textContent).join('\\t'))`);
}
const summary = async (page: Page, plot: string) => ((await page.locator(`[data-meter="57000001"] [data-plot="${plot}"] .plot-summary`).textContent()) ?? '').trim();

describe('the energy history on the page, across a restart of the service', () => {
  let browser: Browser;
  const rigs: Rig[] = [];
  const rig = async (o: RigOptions) => {
    const r = await startRig(o);
    rigs.push(r);
    return r;
  };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const r of rigs) await r.close();
  });

  it('the hours and days drawn before a restart are drawn after it, from the state file; the page alone would have lost them', async () => {
    // 21:40 Copenhagen summer time to 02:40: 21 (begun before the first frame) to 01 closed, 02 open; 15 June closed.
    const start = Date.UTC(2026, 5, 15, 19, 40, 5);
    const first = await rig({ start, history: 'core' });
    first.run(5 * 3_600_000);
    const page = await openPage(browser, first.url);
    expect([await points(page, 'hours'), await points(page, 'days')]).toEqual(['6', '2']);
    expect(await summary(page, 'hours')).toMatch(/^From 15 Jun, 21:00 to 16 Jun, 02:00: import [\d.]+ kWh/);
    const [hoursBefore, daysBefore] = [await rows(page, 'hours'), await rows(page, 'days')];
    // Without prices there is no cost to draw.
    expect(await page.locator('[data-plot="cost-hours"]').isVisible()).toBe(false);

    const port = Number(new URL(first.url).port);
    const state = savedState(first);
    await first.close();
    await page.waitForSelector('body[data-liveness="offline"]');
    const again = await rig({ start: first.now() + 60_000, state, history: 'core', meters: first.meters, page: { port } });
    again.frame();
    await page.waitForSelector('body[data-liveness="live"]', { timeout: 15_000 });
    await page.reload();
    await page.waitForSelector('body[data-ready][data-liveness="live"]');
    expect([await points(page, 'hours'), await points(page, 'days')]).toEqual(['6', '2']);
    expect(await summary(page, 'hours')).toMatch(/^From 15 Jun, 21:00 to 16 Jun, 02:00: import [\d.]+ kWh/);
    // The closed hours and day as they were, to the watt-hour; the open ones go on.
    const [hoursAfter, daysAfter] = [await rows(page, 'hours'), await rows(page, 'days')];
    expect(hoursAfter.slice(1)).toEqual(hoursBefore.slice(1));
    expect(hoursAfter[5]).toMatch(/^15 Jun, 21:00 \(partial\)\t\d\.\d\d kWh/);
    expect(daysAfter.slice(1)).toEqual(daysBefore.slice(1));
    await again.close();

    // The same restart with the history the page keeps by itself (in memory): only what the periods keep is left, the
    // last closed hour and day (Home Assistant's "last hour" and "yesterday"), and the open ones.
    const alone = await rig({ start: again.now() + 60_000, state, meters: first.meters, page: { port } });
    alone.frame();
    await page.reload();
    await page.waitForSelector('body[data-ready][data-liveness="live"]');
    expect([await points(page, 'hours'), await points(page, 'days')]).toEqual(['2', '2']);
    await page.close();
  });

  it('with prices on: the cost of each hour and day as plots, kept across a restart; readable in both themes and on a phone', async () => {
    // 5 November 2025, 21:40 Copenhagen to 01:40, with the recorded DK1 prices and Radius's tariffs of both days.
    const start = danishInstant('2025-11-05T21:40:05')!;
    const options: RigOptions = { start, history: 'core', prices: { area: 'DK1' } };
    const prices = radiusTable(start, 'dayahead-dk1-2025-11-05-and-06.json');
    const first = await rig(options);
    first.step({ kind: 'prices', table: prices, at: start });
    first.run(4 * 3_600_000);
    const kept = first.core.history('57000001')!;
    const costs = kept.hours.map((b) => b.cost ?? NaN);
    expect(costs).toHaveLength(4);
    expect(costs.every((c) => c > 0)).toBe(true);

    const page = await openPage(browser, first.url);
    expect(await page.locator('[data-plot="cost-hours"]').isVisible()).toBe(true);
    // The four closed hours (the open one's cost is not known yet); 5 November and today so far (`cost_today`).
    expect([await points(page, 'cost-hours'), await points(page, 'cost-days')]).toEqual(['4', '2']);
    const total = costs.reduce((a, b) => a + b, 0).toFixed(2);
    expect(await summary(page, 'cost-hours')).toMatch(new RegExp(`^From 5 Nov, 21:00 to 6 Nov, 00:00: ${total.replace('.', '\\.')} DKK in all\\. Most expensive hour: \\d+\\.\\d\\d DKK \\(5 Nov, \\d\\d:00\\)\\. ${en.plots.partialNote.replace(/[.()]/g, '\\$&')}$`));
    const table = await rows(page, 'cost-hours');
    expect(table).toHaveLength(5);
    expect(table[0]).toBe('6 Nov, 01:00 (partial)\t–'); // the open hour: its cost comes when it closes
    expect(table[1]).toBe(`6 Nov, 00:00\t${costs[3]!.toFixed(2)} DKK`);

    const port = Number(new URL(first.url).port);
    const state = savedState(first);
    await first.close();
    await page.waitForSelector('body[data-liveness="offline"]');
    const again = await rig({ ...options, start: first.now() + 60_000, state, meters: first.meters, page: { port } });
    again.step({ kind: 'prices', table: prices, at: again.now() });
    again.frame();
    await page.reload();
    await page.waitForSelector('body[data-ready][data-liveness="live"]');
    expect([await points(page, 'cost-hours'), await points(page, 'cost-days')]).toEqual(['4', '2']);
    expect(again.core.history('57000001')).toEqual(kept);
    await page.close();

    for (const colorScheme of ['light', 'dark'] as const) {
      const themed = await openPage(browser, again.url, { colorScheme, axe: true });
      await themed.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
      expect(await axe(themed), colorScheme).toEqual([]);
      await themed.close();
    }
    const phone = await openPage(browser, again.url, { width: 360, height: 740, locale: 'da-DK' });
    await phone.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
    expect(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBe(0);
    expect(await summary(phone, 'cost-days')).toMatch(/^Fra 5\. nov\.? til 6\. nov\.?: \d+,\d\d DKK i alt\. Dyreste dag: \d+,\d\d DKK/);
    await phone.close();
  });
});
