import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameView, PageState } from '../src/page/contract.js';
import { da } from '../web/i18n/da.data.js';
import { en } from '../web/i18n/en.data.js';
import { launchBrowser, openPage, startRig, type Rig } from './support/browser.js';
import { danishKeys } from './support/vectors.js';

/**
 * The page as a person meets it (issue #28), in Debian's Chromium: states in words, a phone that fits, plots that
 * say what they show, numbers per quantity, contrast, the page's language, and no serious accessibility violation.
 */

interface Violation {
  id: string;
  impact: string | null;
  nodes: string[];
}

/** axe-core's WCAG 2.2 A/AA and best-practice rules; only serious and critical findings fail a test. */
async function axe(page: Page): Promise<Violation[]> {
  const all = await page.evaluate<Violation[]>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Whether anything scrolls sideways: the page itself, or a box inside it (by its nearest id). */
const sideways = (page: Page) =>
  page.evaluate<{ page: number; boxes: string[] }>(`({
    page: document.documentElement.scrollWidth - window.innerWidth,
    boxes: [...document.querySelectorAll('.scroll, .card, figure')]
      .filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
      .map((e) => e.closest('[id], [data-plot], [data-meter]')?.getAttribute('id') ?? e.className),
  })`);

/** The contrast of each field's and button's boundary (its border or its fill) against what is behind it (WCAG 1.4.11: 3:1). */
const boundaries = (page: Page) =>
  page.evaluate<{ what: string; ratio: number }[]>(`(() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
      return Math.round(((x + 0.05) / (y + 0.05)) * 100) / 100;
    };
    const behind = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const c = getComputedStyle(p).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(c)) return c;
      }
      return getComputedStyle(document.body).backgroundColor;
    };
    return [...document.querySelectorAll('input, select, button')]
      .filter((e) => e.offsetParent !== null)
      .map((e) => {
        const s = getComputedStyle(e);
        return { what: e.id || e.className || e.tagName, ratio: Math.max(ratio(s.borderTopColor, behind(e)), ratio(s.backgroundColor, behind(e))) };
      });
  })()`);

/** Every disclosure open: the numbers under each plot, all readings. */
const openEveryTable = (page: Page) => page.evaluate<void>("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

describe('the page in Chromium (#28)', () => {
  let browser: Browser;
  const rigs: Rig[] = [];
  const rig = async (...args: Parameters<typeof startRig>) => {
    const r = await startRig(...args);
    rigs.push(r);
    return r;
  };
  /** A meter at work for 3 h 20 min: power, three closed hours, today. */
  let healthy: Rig;

  beforeAll(async () => {
    browser = await launchBrowser();
    healthy = await rig({ start: Date.UTC(2026, 5, 15, 7, 40, 5) });
    healthy.run(3 * 3_600_000 + 20 * 60_000);
  });
  afterAll(async () => {
    await browser?.close();
    for (const r of rigs) await r.close();
  });

  describe('states in words: the meter area says what the frames say', () => {
    const wrong = new Uint8Array(16).fill(0x42);

    it.each([
      ['a wrong authentication key', { encryption: danishKeys.encryption, authentication: wrong }, 'wrong_authentication_key', 'Wrong authentication key', /authentication key \(GPK61\)/],
      ['a wrong encryption key', { encryption: wrong, authentication: danishKeys.authentication }, 'wrong_encryption_key', 'Wrong encryption key', /encryption key \(GPK60\)/],
      ['no keys', {}, 'key_missing', 'Keys missing', /enter the encryption key \(GPK60\) and the authentication key \(GPK61\)/],
    ] as const)('%s: which key, in the meter area, the diagnostics and the frame log alike; data arrives', async (_what, keys, state, word, advice) => {
      const r = await rig({ keys });
      for (let i = 0; i < 5; i++) r.frame();
      const page = await openPage(browser, r.url);
      const notice = page.locator(`#meter-status [data-state="${state}"]`);
      expect(await notice.textContent()).toMatch(new RegExp(`^${word} .*`));
      expect(await notice.textContent()).toMatch(advice);
      expect(await page.locator('#meter-status').textContent()).not.toContain('Waiting');
      expect(await text(page, '[data-field="security"]')).toBe(word);
      // Frames come: data arrives, said positively, in green.
      expect(await text(page, '[data-field="problem"]')).toBe('arriving');
      expect(await page.locator('[data-field="problem"]').getAttribute('class')).toBe('good');
      const verdicts = await page.locator('#frame-log .verdict .word').allTextContents();
      expect(new Set(verdicts)).toEqual(new Set([word]));
      // One spelling: no raw state word in what the page itself says (the service's own details quote option names).
      for (const where of ['#meter-status', '#diag', '#frame-log .word']) expect(await page.locator(where).first().innerText(), where).not.toMatch(/\b[a-z]+_[a-z_]+\b|wrong-[a-z]+-key|key-missing/);
      await page.close();
    });

    it('bytes that form no frame: the baud rate and parity; nothing at all: the cable; before the first frame: waiting', async () => {
      const noise = await rig();
      for (let i = 0; i < 8; i++) noise.noise();
      const empty = await rig();
      const silent = await rig();
      silent.silence(70_000);
      const page = await openPage(browser, noise.url);
      expect(await text(page, '#meter-status [data-state="no_frames"]')).toMatch(/^Bytes but no frames .*baud rate and parity/);
      expect(await text(page, '[data-field="problem"]')).toBe('not arriving');
      await page.goto(silent.url);
      await page.waitForSelector('body[data-ready]');
      expect(await text(page, '#meter-status [data-state="no_data"]')).toMatch(/^No bytes from the meter Check the cable/);
      await page.goto(empty.url);
      await page.waitForSelector('body[data-ready]');
      expect(await text(page, '#meter-status')).toBe(en.meter.waiting);
      await page.close();
    });
  });

  /**
   * The widest picture a phone gets, as api/state and api/frames would say it: a meter with every per-phase reading at
   * its widest, a long name, two sources (the frame log's source column shown) and a long refusal.
   */
  function widest(at: number): { state: PageState; frames: FrameView[] } {
    const reading = (key: string, unit: string | null, value: number | string) => ({ key, name: key.replace(/_/g, ' '), unit, value });
    const phases = ['l1', 'l2', 'l3'].flatMap((p) => [reading(`voltage_${p}`, 'V', 239.9), reading(`current_${p}`, 'A', 63.25), reading(`active_power_import_${p}`, 'W', 14_999), reading(`active_power_export_${p}`, 'W', 11_111)]);
    const energy = ['import', 'export'].flatMap((d) => [reading(`active_energy_${d}`, 'kWh', 1_234_567.89), ...['hour', 'day', 'month'].map((p) => reading(`energy_${d}_${p}`, 'kWh', 1234.56))]);
    const hours = Array.from({ length: 48 }, (_, i) => ({ start: at - (48 - i) * 3_600_000, import: 12.34, export: 5.67 }));
    const frame = (source: number): FrameView => ({ at, source: String(source), sourceName: `mqtt powermeter/raw/${'bridge-in-the-garage-'.repeat(2)}${source}`, stream: '', size: 491, list: 'kamstrup-han-nve-list-1', meterId: null, systemTitle: null, verdict: 'not-protected', detail: 'refused: less protected than the keys (or this meter’s earlier frames) require: a forgery, or the meter’s security was changed' });
    return {
      state: {
        meters: [{ id: '1', name: 'Kamstrup OMNIPOWER 5706567000000001 (annex)', updatedAt: at, readings: [reading('active_power_import', 'W', 44_999), reading('active_power_export', 'W', 33_333), ...phases, ...energy], power: [[at / 1000 - 10, at / 1000], [44_999, 44_999], [0, 0]], history: { hours, days: [] } }],
        diagnostics: { security: 'keys_swapped', problem: 'OFF', source_state: 'disconnected', frames_decoded: 1_234_567, seconds_since_last_frame: 123_456, security_2: 'wrong_authentication_key', problem_2: 'ON', source_state_2: 'connecting' },
        sources: [0, 1].map((i) => ({ id: String(i), name: frame(i).sourceName, suffix: i === 0 ? '' : '_2' })),
        broker: { connected: false, detail: 'connection refused: not authorised (check mqtt_username and mqtt_password)' },
        systemTitles: ['4B414D4503660701', '4B414D4503660702'],
        canSaveKeys: true,
        framesKept: 100,
      },
      frames: [frame(0), frame(1)],
    };
  }

  describe('a phone (360 × 740)', () => {
    it.each(['light', 'dark'] as const)('%s: no view scrolls sideways; the frame log wraps by design and names its one source once', async (colorScheme) => {
      const wrongKeys = await rig({ keys: { encryption: danishKeys.encryption, authentication: new Uint8Array(16) } });
      for (let i = 0; i < 3; i++) wrongKeys.frame();
      for (const url of [healthy.url, wrongKeys.url]) {
        const page = await openPage(browser, url, { colorScheme, width: 360, height: 740, locale: 'da-DK' });
        await openEveryTable(page);
        expect(await sideways(page), url).toEqual({ page: 0, boxes: [] });
        const row = page.locator('#frame-log tbody tr').first();
        const [time, verdict] = await Promise.all([row.locator('.time').boundingBox(), row.locator('.verdict').boundingBox()]);
        // The verdict on a line of its own, as wide as the card.
        expect(verdict?.y ?? 0).toBeGreaterThan(time?.y ?? Infinity);
        expect(verdict?.width ?? 0).toBeGreaterThan(250);
        expect(await row.locator('.source').isVisible()).toBe(false);
        expect(await text(page, '#frames-from')).toBe('Alle fra tcp 192.168.1.50:6638.');
        await page.close();
      }
      // The widest a page gets, in German (the longest words).
      const { state, frames } = widest(healthy.now());
      const page = await openPage(browser, healthy.url, {
        colorScheme,
        width: 360,
        height: 740,
        locale: 'de-DE',
        prepare: async (p) => {
          await p.route('**/api/state', (route) => route.fulfill({ json: state }));
          await p.route('**/api/frames', (route) => route.fulfill({ json: frames }));
        },
      });
      await openEveryTable(page);
      expect(await sideways(page), 'the widest').toEqual({ page: 0, boxes: [] });
      expect(await page.locator('#frame-log tbody tr .source').first().isVisible()).toBe(true);
      await page.close();
    });
  });

  it('shows the meter selector only with two meters or more, and never empty', async () => {
    const empty = await rig();
    const two = await rig({ sources: 1 });
    two.frame({}, { meter: 0 });
    two.frame({}, { meter: 1 });
    for (const [url, shown] of [
      [empty.url, false],
      [healthy.url, false],
      [two.url, true],
    ] as const) {
      const page = await openPage(browser, url);
      expect(await page.locator('#system-title').isVisible(), url).toBe(shown);
      if (shown) expect(await page.locator('#system-title option').count()).toBe(2);
      await page.close();
    }
  });

  describe('plots', () => {
    it('in a Danish browser: Danish axes, an hourly range from the first bar, the open hour marked partial, values without hover, the numbers as a table', async () => {
      const page = await openPage(browser, healthy.url, { locale: 'da-DK' });
      const hours = page.locator('[data-meter="57000001"] [data-plot="hours"]');
      // 09:40 to 13:00 Copenhagen: 09 (partial, begun before the first frame), 10, 11, 12 closed, 13 open.
      expect(await hours.getAttribute('data-points')).toBe('5');
      expect(await hours.getAttribute('data-partial')).toBe('2');
      expect(await hours.getAttribute('data-range')).toBe('2026-06-15T07:00:00.000Z/2026-06-15T19:00:00.000Z');
      expect(await hours.getAttribute('data-x-ticks')).toMatch(/^(\d\d\.\d\d\|)+\d\d\.\d\d$/);
      expect(await page.locator('[data-meter="57000001"] [data-plot="power"]').getAttribute('data-x-ticks')).toMatch(/^(\d\d\.\d\d\|)+\d\d\.\d\d$/);
      expect(await page.locator('[data-meter="57000001"] [data-plot="days"]').getAttribute('data-x-ticks')).toMatch(/15\. jun\./);
      const summary = await text(page, '[data-meter="57000001"] [data-plot="hours"] .plot-summary');
      expect(summary).toMatch(/^Fra 15\. jun\.,? 09\.00 til 15\. jun\.,? 13\.00: forbrug \d+,\d\d kWh, produktion \d+,\d\d kWh i alt\. Største forbrug på én time: \d,\d\d kWh/);
      expect(summary).toContain(da.plots.partialNote);
      expect(await text(page, '[data-meter="57000001"] [data-plot="power"] .plot-summary')).toMatch(/^Seneste \(\d\d\.\d\d\.\d\d\): forbrug [\d.]+ W, produktion [\d.]+ W\.$/);
      await hours.locator('summary').click();
      // The table is filled on the details' toggle event, which comes after the click.
      await hours.locator('tbody tr').first().waitFor();
      const rows = await hours.locator('tbody tr').allInnerTexts();
      expect(rows).toHaveLength(5);
      expect(rows[0]).toMatch(/^15\. jun\.,? 13\.00 \(delvis\)\t\d+,\d\d kWh\t\d+,\d\d kWh$/);
      expect(rows[4]).toMatch(/\(delvis\)/);
      // The canvas is hidden from screen readers: the summary and the table say it.
      expect(await hours.locator('.plot-canvas').getAttribute('aria-hidden')).toBe('true');
      await page.close();
    });

    it('an empty plot says what will come instead of a blank canvas', async () => {
      // A meter whose list sends neither power nor energy yet (some send energy once an hour): as api/state would say it.
      const state: PageState = {
        meters: [{ id: '1', name: 'Meter 1', updatedAt: healthy.now(), readings: [{ key: 'voltage_l1', name: 'Voltage L1', unit: 'V', value: 230.1 }], power: [[], [], []], history: { hours: [], days: [] } }],
        diagnostics: { security: 'authenticated', problem: 'OFF', source_state: 'connected' },
        sources: [{ id: '0', name: 'tcp 192.168.1.50:6638', suffix: '' }],
        broker: { connected: true, detail: null },
        systemTitles: [],
        canSaveKeys: false,
        framesKept: 100,
      };
      const page = await openPage(browser, healthy.url, { prepare: async (p) => void (await p.route('**/api/state', (route) => route.fulfill({ json: state }))) });
      for (const [plot, hint] of [
        ['power', en.plots.noPower],
        ['hours', en.plots.noHours],
        ['days', en.plots.noDays],
      ] as const) {
        const figure = page.locator(`[data-meter="1"] [data-plot="${plot}"]`);
        expect(await figure.getAttribute('data-points'), plot).toBe('0');
        expect(await figure.locator('.plot-canvas').isVisible(), plot).toBe(false);
        expect(await figure.locator('.hint').textContent(), plot).toBe(hint);
        expect((await figure.boundingBox())?.height ?? Infinity, plot).toBeLessThan(100);
      }
      await page.close();
    });
  });

  it('formats numbers per quantity, durations in days and hours, the meter clock in the locale', async () => {
    const far = await rig();
    far.frame({}, { clockOffsetMs: -(629 * 86_400 + 13 * 3600 + 5 * 60) * 1000 });
    const page = await openPage(browser, healthy.url, { locale: 'da-DK' });
    const card = page.locator('[data-meter="57000001"]');
    for (const key of ['active_energy_import', 'active_energy_export', 'energy_import_hour', 'energy_export_day', 'energy_import_month']) expect(await text(page, `[data-meter="57000001"] .grid [data-key="${key}"]`), key).toMatch(/^[\d.]+,\d\d kWh$/);
    for (const phase of ['l1', 'l2', 'l3']) {
      expect(await card.locator(`.grid [data-key="voltage_${phase}"]`).textContent()).toMatch(/^\d{3},\d V$/);
      expect(await card.locator(`.grid [data-key="current_${phase}"]`).textContent()).toMatch(/^\d+,\d\d A$/);
    }
    expect(await text(page, '[data-clock="57000001"]')).toMatch(/^15\. jun\. 2026,? \d\d\.\d\d\.\d\d$/);
    expect(await text(page, '[data-drift="57000001"]')).toBe('til tiden');
    await page.goto(far.url);
    await page.waitForSelector('body[data-ready]');
    expect(await text(page, '[data-drift="57000001"]')).toBe('629 dage 13 t. bagud');
    expect(await text(page, '[data-field="seconds_since_last_frame"]')).toMatch(/^\d+ sek\.$/);
    await page.close();
  });

  it('contrast: text by axe, fields’ and buttons’ boundaries at least 3:1, in both themes; key fields can be shown', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await openPage(browser, healthy.url, { colorScheme });
      const found = await boundaries(page);
      expect(found.length).toBeGreaterThanOrEqual(5);
      for (const b of found) expect(b.ratio, `${colorScheme} ${b.what}`).toBeGreaterThanOrEqual(3);
      console.log(`boundaries, ${colorScheme}: ${found.map((b) => `${b.what} ${b.ratio}:1`).join(', ')}`);
      await page.close();
    }
    const page = await openPage(browser, healthy.url);
    const field = page.locator('#encryption-key');
    const toggle = page.locator('button[aria-controls="encryption-key"]');
    await field.fill('00112233445566778899AABBCCDDEEFF');
    expect(await field.getAttribute('type')).toBe('password');
    await toggle.click();
    expect([await field.getAttribute('type'), await toggle.textContent()]).toEqual(['text', 'Hide']);
    await toggle.click();
    expect([await field.getAttribute('type'), await toggle.textContent()]).toEqual(['password', 'Show']);
    await page.close();
  });

  it.each([
    ['da-DK', 'da', 'Telegramlog', 'Nøgletjek', 'Diagnostik'],
    ['de-AT', 'de', 'Telegrammprotokoll', 'Schlüsselprüfung', 'Diagnose'],
    ['nn-NO', 'nb', 'Rammelogg', 'Nøkkelsjekk', 'Diagnostikk'],
    ['sv-SE', 'sv', 'Ramlogg', 'Nyckelkontroll', 'Diagnostik'],
    ['en-GB', 'en', 'Frame log', 'Key check', 'Diagnostics'],
    ['fr-FR', 'en', 'Frame log', 'Key check', 'Diagnostics'],
  ])('a %s browser gets the page in <html lang="%s">', async (locale, lang, frames, keyCheck, diagnostics) => {
    const page = await openPage(browser, healthy.url, { locale });
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect([await text(page, '#frames-heading'), await text(page, '#key-check-heading'), await text(page, '#diagnostics-heading')]).toEqual([frames, keyCheck, diagnostics]);
    await page.close();
  });

  describe('axe-core finds no serious or critical violation', () => {
    it.each(['light', 'dark'] as const)('%s: a meter at work, wrong keys with a key check answered, a phone, the service gone', async (colorScheme) => {
      const dev = mkdtempSync(join(tmpdir(), 'powermeter-dev-'));
      mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
      writeFileSync(join(dev, 'ttyUSB0'), '');
      symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'));
      const wrongKeys = await rig({ keys: {}, page: { devDirectory: dev } });
      for (let i = 0; i < 3; i++) wrongKeys.frame();
      const gone = await startRig();
      gone.frame();
      const views: [string, Rig, { width?: number; height?: number; act?: (page: Page) => Promise<void> }][] = [
        ['a meter at work, every table open', healthy, { act: openEveryTable }],
        [
          'wrong keys, a key check answered',
          wrongKeys,
          {
            act: async (page) => {
              await page.fill('#encryption-key', Buffer.from(danishKeys.encryption).toString('hex'));
              await page.click('button[aria-controls="encryption-key"]');
              await page.click('#check-keys');
              await page.locator('#verdict strong[data-verdict]').waitFor();
            },
          },
        ],
        ['a phone', healthy, { width: 360, height: 740 }],
        [
          'the service gone',
          gone,
          {
            act: async (page) => {
              await gone.close();
              await page.waitForSelector('body[data-liveness="offline"]');
            },
          },
        ],
      ];
      for (const [view, r, o] of views) {
        const page = await openPage(browser, r.url, { colorScheme, axe: true, width: o.width, height: o.height });
        await o.act?.(page);
        expect(await axe(page), `${colorScheme}, ${view}`).toEqual([]);
        await page.close();
      }
    });
  });
});
