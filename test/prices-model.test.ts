import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDayAheadAnswer, parsePricelistAnswer, type SpotPrice, type TariffRecord } from '../src/prices/answers.js';
import { chargeOwnerById, chargeOwners, energinet } from '../src/prices/charge-owners.data.js';
import { addDays, danishDate, danishInstant, danishIso, danishMidnight, danishOffsetMinutes, danishWallTime, quarterStarts } from '../src/prices/danish-time.js';
import { dayStats, nextQuarter, quarterAt } from '../src/prices/lookup.js';
import { buildPriceDay, buildPriceTable, spotComplete, type PriceInputs } from '../src/prices/price-model.js';
import { dayAheadPricesQuery, energinetChargesQuery, gridTariffQuery, pricesBaseUrl } from '../src/prices/queries.js';
import { due } from '../src/prices/schedule.js';
import { checkPriceSettings, type PriceSettings } from '../src/prices/settings.js';
import { tariffAt } from '../src/prices/tariffs.js';
import { root } from './support/addon.js';

const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/prices', name), 'utf8');
const at = (danishLocal: string): number => danishInstant(danishLocal)!;

function spot(name: string, area: 'DK1' | 'DK2' = 'DK1'): SpotPrice[] {
  const parsed = parseDayAheadAnswer(fixture(name), area);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

function pricelist(name: string, expect: Parameters<typeof parsePricelistAnswer>[1]): TariffRecord[] {
  const parsed = parsePricelistAnswer(fixture(name), expect);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

const radius = chargeOwnerById('radius')!;
const radiusRecords = () => pricelist('pricelist-radius-built.json', { gln: radius.gln, codes: radius.chargeTypeCodes });
const energinetRecords = () => pricelist('pricelist-energinet-built.json', { gln: energinet.gln, notes: Object.values(energinet.notes) });
const settings: PriceSettings = { area: 'DK1', gridCompany: 'radius', supplierMarkup: 0.1, vatPercent: 25, exportMarkup: -0.02 };

describe('Danish time, without Intl', () => {
  it('agrees with the tz database on Europe/Copenhagen for instants across 2020–2035', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2035, 0, 1) / 60_000 }), (minutes) => {
        const t = minutes * 60_000;
        const p = Object.fromEntries(intl.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
        expect(danishWallTime(t).text).toBe(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('switches at 01:00 UTC on the last Sundays of March and October', () => {
    expect(danishOffsetMinutes(Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
    expect(danishOffsetMinutes(Date.UTC(2026, 2, 29, 1, 0))).toBe(120);
    expect(danishOffsetMinutes(Date.UTC(2025, 9, 26, 0, 59))).toBe(120);
    expect(danishOffsetMinutes(Date.UTC(2025, 9, 26, 1, 0))).toBe(60);
  });

  it('has 96 quarter hours a day, 92 on 2026-03-29 and 100 on 2025-10-26', () => {
    expect(quarterStarts('2025-11-05')).toHaveLength(96);
    expect(quarterStarts('2026-03-29')).toHaveLength(92);
    expect(quarterStarts('2025-10-26')).toHaveLength(100);
    expect(quarterStarts('2025-10-26')[0]).toBe(Date.UTC(2025, 9, 25, 22));
    expect(danishMidnight('2026-03-30')).toBe(Date.UTC(2026, 2, 29, 22));
  });

  it('reads the repeated autumn hour as its first instant and the missing spring hour as the later reading', () => {
    expect(danishInstant('2025-10-26T02:30:00')).toBe(Date.UTC(2025, 9, 26, 0, 30));
    expect(danishInstant('2026-03-29T02:30:00')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(danishInstant('2026-03-29T02:30:00Z')).toBeNull();
    expect(danishIso(Date.UTC(2026, 0, 14, 23))).toBe('2026-01-15T00:00:00+01:00');
    expect(danishIso(Date.UTC(2026, 5, 14, 22))).toBe('2026-06-15T00:00:00+02:00');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(danishDate(Date.UTC(2025, 11, 31, 23))).toBe('2026-01-01');
  });
});

describe('the charge owners as data', () => {
  it('holds at least the issue\'s companies, each with a GLN, codes, D03 and provenance; ids are unique', () => {
    for (const id of ['radius', 'cerius', 'n1', 'trefor_el_net', 'trefor_el_net_ost', 'rah_net', 'konstant', 'dinel']) expect(chargeOwnerById(id), id).not.toBeNull();
    expect(new Set(chargeOwners.map((o) => o.id)).size).toBe(chargeOwners.length);
    for (const o of chargeOwners) {
      expect(o.gln, o.id).toMatch(/^579\d{10}$/);
      expect(o.chargeTypeCodes.length, o.id).toBeGreaterThan(0);
      expect(o.chargeType).toBe('D03');
      expect(o.provenance).toMatch(/MTrab\/energidataservice/);
    }
    expect(chargeOwnerById('radius')).toMatchObject({ gln: '5790000705689', chargeTypeCodes: ['DT_C_01'] });
    expect(chargeOwnerById('n1')).toMatchObject({ gln: '5790001089030', chargeTypeCodes: ['CD', 'CD R'] });
    expect(energinet.gln).toBe('5790000432752');
  });

  it('says an unknown area or company with the valid choices', () => {
    const bad = checkPriceSettings({ ...settings, area: 'SE3' as 'DK1', gridCompany: 'radiuss' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.message).join('\n')).toMatch(/"SE3" is not one of DK1, DK2[\s\S]*"radiuss" is not known; choose one of: none, radius, cerius, n1/);
    expect(checkPriceSettings({ ...settings, gridCompany: null })).toMatchObject({ ok: true, owner: null });
  });
});

describe('queries', () => {
  it('asks DayAheadPrices for both Danish days, keyed and sorted on TimeUTC, with a limit above two days of quarters', () => {
    const u = new URL(dayAheadPricesQuery(pricesBaseUrl('http://127.0.0.1:1/eds/'), 'DK2', '2026-03-29').url);
    expect(u.pathname).toBe('/eds/dataset/DayAheadPrices');
    expect(Object.fromEntries(u.searchParams)).toEqual({ start: '2026-03-28T22:00', end: '2026-03-31', filter: '{"PriceArea":["DK2"]}', sort: 'TimeUTC asc', columns: 'TimeUTC,TimeDK,PriceArea,DayAheadPriceDKK', limit: '400' });
    expect(u.search).toContain('sort=TimeUTC%20asc');
    expect(pricesBaseUrl(undefined)).toBe('https://api.energidataservice.dk');
    expect(pricesBaseUrl('  ')).toBe('https://api.energidataservice.dk');
  });

  it('asks DatahubPricelist by GLN, codes and D03, and Energinet\'s charges by note, newest first', () => {
    const grid = new URL(gridTariffQuery('http://x', chargeOwnerById('n1')!).url).searchParams;
    expect(JSON.parse(grid.get('filter')!)).toEqual({ GLN_Number: ['5790001089030'], ChargeType: ['D03'], ChargeTypeCode: ['CD', 'CD R'] });
    expect([grid.get('sort'), grid.get('limit')]).toEqual(['ValidFrom desc', '500']);
    const en = new URL(energinetChargesQuery('http://x').url).searchParams;
    expect(JSON.parse(en.get('filter')!)).toEqual({ GLN_Number: ['5790000432752'], ChargeType: ['D03'], Note: ['Systemtarif', 'Transmissions nettarif', 'Elafgift'] });
  });
});

describe('answers are checked before use', () => {
  it('reads the recorded edsclient answer: TimeUTC is UTC, the price DKK/MWh', () => {
    expect(parseDayAheadAnswer(fixture('dayahead-edsclient-dk2.json'), 'DK2')).toEqual({ ok: true, value: [{ start: Date.UTC(2025, 8, 27, 21), dkkPerMWh: 740.951258 }] });
  });

  it('reads openHAB\'s recorded price lists, with and without every column', () => {
    const n1 = pricelist('pricelist-n1-openhab.json', { gln: '5790001089030', codes: ['CD', 'CD R'] });
    expect(n1).toHaveLength(20);
    expect(n1[0]).toMatchObject({ code: 'CD', note: null, validFrom: '2023-04-01T00:00:00', validTo: null });
    const tax = pricelist('pricelist-elafgift-openhab.json', { gln: energinet.gln, notes: ['Elafgift'] });
    // Price2…Price24 are null in the data: read as Price1.
    expect(tax[0]).toEqual({ code: 'EA-001', note: 'Elafgift', validFrom: '2023-07-01T00:00:00', validTo: null, prices: Array<number>(24).fill(0.697) });
  });

  it('refuses what is not the expected answer, saying why', () => {
    const bad = JSON.parse(fixture('bad-answers.json')) as Record<string, { body: string }>;
    expect(parseDayAheadAnswer(bad.malformed!.body, 'DK1')).toMatchObject({ ok: false, problem: expect.stringMatching(/^the answer is not JSON/) as unknown });
    expect(parseDayAheadAnswer(bad.wrongShape!.body, 'DK1')).toMatchObject({ ok: false, problem: expect.stringMatching(/not of the expected shape: \/records\/0\/DayAheadPriceDKK must be number,null/) as unknown });
    expect(parseDayAheadAnswer(fixture('dayahead-edsclient-dk2.json'), 'DK1')).toMatchObject({ ok: false, problem: 'the answer holds prices for DK2, not DK1' });
    expect(parseDayAheadAnswer(fixture('pricelist-n1-openhab.json'), 'DK1')).toMatchObject({ ok: false });
    const row = (t: string) => ({ TimeUTC: t, PriceArea: 'DK1', DayAheadPriceDKK: 1 });
    expect(parseDayAheadAnswer(JSON.stringify({ records: [row('2025-11-05T10:05:00')] }), 'DK1')).toMatchObject({ ok: false, problem: expect.stringMatching(/does not start a quarter hour/) as unknown });
    expect(parseDayAheadAnswer(JSON.stringify({ records: [row('2025-11-05T10:00:00'), row('2025-11-05T10:00:00')] }), 'DK1')).toMatchObject({ ok: false, problem: expect.stringMatching(/comes twice/) as unknown });
    expect(parsePricelistAnswer(fixture('pricelist-n1-openhab.json'), { gln: '5790001089030', codes: ['CD'] })).toMatchObject({ ok: false, problem: expect.stringMatching(/"CD R", which was not asked for/) as unknown });
    expect(parsePricelistAnswer(fixture('pricelist-elafgift-openhab.json'), { gln: radius.gln })).toMatchObject({ ok: false, problem: 'the answer holds charges of GLN 5790000432752, not 5790000705689' });
    expect(parsePricelistAnswer(fixture('dayahead-edsclient-dk2.json'), { gln: radius.gln })).toMatchObject({ ok: false });
  });
});

describe('tariffs: validity and records valid the same day', () => {
  const n1 = () => pricelist('pricelist-n1-openhab.json', { gln: '5790001089030', codes: ['CD', 'CD R'] });
  const tariff = (records: TariffRecord[], instant: number) => {
    const w = danishWallTime(instant);
    return tariffAt(records, w.text, w.hour);
  };

  it('adds a tariff and its discount, as openHAB\'s tests state for N1', () => {
    expect(tariff(n1(), Date.UTC(2022, 10, 30, 15))).toBeCloseTo(0.387517, 9);
    expect(tariff(n1(), Date.UTC(2022, 10, 30, 16))).toBeCloseTo(0.973404, 9);
    // December 2022: the discount cancels the tariff; from 2023-01-01 the open-ended records apply.
    expect(tariff(n1(), Date.UTC(2022, 11, 31, 16))).toBeCloseTo(0, 9);
    expect(tariff(n1(), Date.UTC(2022, 11, 31, 23))).toBeCloseTo(0.432225, 9);
    expect(tariff(n1(), Date.UTC(2023, 0, 23, 16))).toBeCloseTo(1.05619, 9);
    // From 2023-04-01 the open-ended CD record has no peak.
    expect(tariff(n1(), Date.UTC(2025, 10, 5, 16))).toBeCloseTo(0.432225, 9);
  });

  it('uses neither an expired nor a future record, and the newest of one code where two cover', () => {
    const r = radiusRecords();
    expect(tariff(r, at('2025-12-31T17:00'))).toBe(0.9174); // the record that expires at 2026-01-01
    expect(tariff(r, at('2026-01-15T17:00'))).toBe(0.9393); // open-ended from 2026-01-01; the April one is still future
    expect(tariff(r, at('2026-03-31T23:00'))).toBe(0.3612);
    expect(tariff(r, at('2026-04-02T17:00'))).toBe(0.3556); // both open-ended records cover: the newer wins
    expect(tariff(r, at('2025-09-30T12:00'))).toBeNull(); // before any record: no price, not a guess
  });
});

describe('the price of each quarter hour', () => {
  const inputs = (spotFile: string, area: 'DK1' | 'DK2' = 'DK1'): PriceInputs => ({ spot: spot(spotFile, area), grid: radiusRecords(), energinet: energinetRecords() });

  it('equals a hand computation for 17:30–17:45 on 2025-11-05 (DK1, Radius)', () => {
    const day = buildPriceDay('2025-11-05', inputs('dayahead-dk1-2025-11-05.json'), settings);
    expect(day.quarters).toHaveLength(96);
    expect(day.missing).toEqual([]);
    const q = day.quarters[70]!;
    expect(q.start).toBe(Date.UTC(2025, 10, 5, 16, 30));
    // spot 981.391977 DKK/MWh (openHAB's recorded 0.981391977 DKK/kWh at 16:30Z) → 0.981391977
    // Radius 17:00–18:00 (Price18) 0.9174, system 0.051, transmission 0.074, elafgift 2025 0.72, markup 0.1
    // (0.981391977 + 0.9174 + 0.051 + 0.074 + 0.72 + 0.1) × 1.25 = 2.843791977 × 1.25 = 3.55473997125
    expect(q).toMatchObject({ spot: 0.981391977, gridTariff: 0.9174, systemTariff: 0.051, transmissionTariff: 0.074, electricityTax: 0.72 });
    expect(q.total).toBeCloseTo(3.55473997125, 10);
    expect(q.export).toBeCloseTo(0.981391977 - 0.02, 10);
  });

  it('has 92 quarters on the spring day, without a 02:00 hour', () => {
    const day = buildPriceDay('2026-03-29', inputs('dayahead-dk1-2026-03-29-spring.json'), settings);
    expect(day.quarters).toHaveLength(92);
    expect(day.missing).toEqual([]);
    expect(danishWallTime(day.quarters[8]!.start).text).toBe('2026-03-29T03:00:00');
    expect(day.quarters[8]!.gridTariff).toBe(0.1204);
  });

  it('has 100 quarters on the autumn day, both 02:00 hours at Price3 and each with its own spot price', () => {
    const day = buildPriceDay('2025-10-26', inputs('dayahead-dk1-2025-10-26-autumn.json'), settings);
    expect(day.quarters).toHaveLength(100);
    expect(day.missing).toEqual([]);
    const first = day.quarters[8]!;
    const second = day.quarters[12]!;
    expect(second.start - first.start).toBe(3_600_000);
    expect([danishWallTime(first.start).text, danishWallTime(second.start).text]).toEqual(['2025-10-26T02:00:00', '2025-10-26T02:00:00']);
    expect([first.gridTariff, second.gridTariff]).toEqual([0.1176, 0.1176]);
    expect(second.spot! - first.spot!).not.toBe(0);
  });

  it('takes negative spot prices as they are', () => {
    const s: PriceSettings = { ...settings, area: 'DK2', gridCompany: null, supplierMarkup: 0, exportMarkup: 0 };
    const day = buildPriceDay('2026-05-10', inputs('dayahead-dk2-2026-05-10-negative.json', 'DK2'), s);
    const noon = day.quarters[48]!;
    expect(noon.spot).toBeLessThan(0);
    expect(noon.gridTariff).toBe(0); // no grid company: no grid tariff in the total
    expect(noon.total).toBeCloseTo((noon.spot! + 0.072 + 0.043 + 0.008) * 1.25, 12);
    expect(noon.export).toBe(noon.spot);
    expect(dayStats(day)!.min).toBeLessThan(0);
  });

  it('reads elafgift from the data across the 2025→2026 change', () => {
    const i: PriceInputs = { spot: [], grid: radiusRecords(), energinet: energinetRecords() };
    const last = buildPriceDay('2025-12-31', i, settings).quarters.at(-1)!;
    const first = buildPriceDay('2026-01-01', i, settings).quarters[0]!;
    expect([last.electricityTax, first.electricityTax]).toEqual([0.72, 0.008]);
    expect([last.systemTariff, first.systemTariff]).toEqual([0.051, 0.072]);
    expect([last.total, first.total]).toEqual([null, null]); // no spot price: no total, never a guess
  });

  it('marks what is missing instead of guessing', () => {
    const day = buildPriceDay('2025-11-05', { spot: spot('dayahead-dk1-2025-11-05.json'), grid: null, energinet: null }, settings);
    expect(day.missing).toEqual(['gridTariff', 'systemTariff', 'transmissionTariff', 'electricityTax']);
    expect(day.quarters.every((q) => q.total === null && q.export !== null)).toBe(true);
  });

  it('builds today and tomorrow; tomorrow is null until published', () => {
    const now = at('2025-11-05T12:00');
    const before = buildPriceTable(now, inputs('dayahead-dk1-2025-11-05.json'), settings);
    expect(before.tomorrow).toBeNull();
    expect(spotComplete(spot('dayahead-dk1-2025-11-05.json'), '2025-11-05')).toBe(true);
    const after = buildPriceTable(now, inputs('dayahead-dk1-2025-11-05-and-06.json'), settings);
    expect(after.tomorrow?.quarters).toHaveLength(96);
    expect(after.tomorrow!.quarters[0]!.spot! - after.today.quarters[0]!.spot!).toBeCloseTo(0.05, 9);
    expect(quarterAt(after, at('2025-11-05T23:50'))!.start).toBe(at('2025-11-05T23:45'));
    expect(nextQuarter(after, at('2025-11-05T23:50'))!.start).toBe(at('2025-11-06T00:00'));
    expect(quarterAt(after, at('2025-11-07T00:00'))).toBeNull();
  });
});

describe('the schedule, on the Danish clock', () => {
  const base = { spotToday: true, spotTomorrow: false, tariffsFetchedOn: '2025-11-05' };
  it('asks for tomorrow from 13:15, and for tariffs once a day from 00:15', () => {
    expect(due({ ...base, now: at('2025-11-05T13:00') })).toEqual({ spot: false, tariffs: false });
    expect(due({ ...base, now: at('2025-11-05T13:15') })).toEqual({ spot: true, tariffs: false });
    expect(due({ ...base, spotTomorrow: true, now: at('2025-11-05T13:30') })).toEqual({ spot: false, tariffs: false });
    expect(due({ ...base, spotToday: false, now: at('2025-11-05T08:00') }).spot).toBe(true);
    expect(due({ ...base, now: at('2025-11-06T00:00') }).tariffs).toBe(false);
    expect(due({ ...base, now: at('2025-11-06T00:15') }).tariffs).toBe(true);
    expect(due({ ...base, tariffsFetchedOn: null, now: at('2025-11-06T00:00') }).tariffs).toBe(true);
  });
});

describe('layers', () => {
  it('the price layer imports nothing above it, and only the fetcher, its HTTP and its cache file touch I/O', () => {
    const dir = join(root, 'src/prices');
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8');
      const modules = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      const file = relative(root, join(dir, name));
      expect(modules.filter((m) => /\/(core|service|ha|mqtt|page|commands|source|accounting)\//.test(m)), file).toEqual([]);
      if (!['fetcher.ts', 'http.ts', 'cache-file.ts'].includes(name)) {
        expect(modules.filter((m) => /^node:|^node-cron$/.test(m)), file).toEqual([]);
        expect(text, file).not.toMatch(/\b(setTimeout|setInterval|Date\.now|new Date\(\)|fetch\()/);
      }
    }
  });
});
