import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyPeriods, type RegisterPeriods } from '../../src/accounting/accounting.js';
import { instantOf } from '../../src/accounting/time-zone.js';
import { bookCost, DAYS, emptyHistory, historyView, HOURS, recordClosed, restoreHistory, type HistoryBar, type HistoryState } from '../../src/core/history.js';
import { emptyState, MAX_METERS, MAX_STATE_BYTES, parseState, type PersistedMeter, type PersistedState } from '../../src/core/persisted.js';
import { danishInstant } from '../../src/prices/danish-time.js';
import { quarterAt } from '../../src/prices/lookup.js';
import { StateStore } from '../../src/service/state-store.js';
import { SimulatedMeter } from '../../src/simulator/meter.js';
import { harness, tz, type HarnessOptions } from '../support/core.js';
import { radiusTable } from '../support/prices.js';
import { danishKeys } from '../support/vectors.js';

const HOUR = 3_600_000;
const local = (year: number, month: number, day: number, hour = 0, minute = 0) => instantOf({ year, month, day, hour, minute, second: 0 }, tz);

/** A meter's periods as they stand after a period closed: `previous` of one kind set for import and export. */
function closed(kind: 'hour' | 'day', start: number, end: number, imp: number | null, exp: number | null, gap = { imp: false, exp: false }): Record<string, RegisterPeriods> {
  const register = (value: number | null, g: boolean): RegisterPeriods => ({ ...emptyPeriods(), previous: { hour: null, day: null, month: null, [kind]: { start, end, value, gap: g } } });
  return { active_energy_import: register(imp, gap.imp), active_energy_export: register(exp, gap.exp) };
}
const hourAt = (start: number, imp: number | null, exp: number | null, gap?: { imp: boolean; exp: boolean }) => closed('hour', start, start + HOUR, imp, exp, gap);

describe('a meter\'s energy history: each hour and day as it closes', () => {
  it('copies each closed hour and day once, a gap in either register as partial; a period nothing is known of adds no bar', () => {
    const h = emptyHistory();
    const t0 = local(2026, 6, 15, 10);
    expect(recordClosed(h, hourAt(t0, 1.234, 0.5))).toBe(true);
    expect(recordClosed(h, hourAt(t0, 1.234, 0.5))).toBe(false);
    // Export without its hour (a list that sends it less often): its last closed hour is an older one.
    const periods = hourAt(t0 + HOUR, 0.75, null, { imp: true, exp: false });
    periods.active_energy_export!.previous.hour = { start: t0, end: t0 + HOUR, value: 0.5, gap: false };
    expect(recordClosed(h, periods)).toBe(true);
    // Silent across a boundary: the accounting's unknown period (value null).
    expect(recordClosed(h, hourAt(t0 + 3 * HOUR, null, null, { imp: true, exp: true }))).toBe(false);
    expect(h.hours).toEqual<HistoryBar[]>([
      { start: t0, import: 1.234, export: 0.5 },
      { start: t0 + HOUR, import: 0.75, export: null, partial: true },
    ]);
    const day = local(2026, 6, 14);
    expect(recordClosed(h, closed('day', day, local(2026, 6, 15), 20.5, 3.25, { imp: false, exp: true }))).toBe(true);
    expect(h.days).toEqual([{ start: day, import: 20.5, export: 3.25, partial: true }]);
    expect(recordClosed(emptyHistory(), {})).toBe(false);
  });

  it('keeps the last 48 hours and 31 days (a 25-hour and a 23-hour day among them), and nothing from before a long silence', () => {
    const h = emptyHistory();
    const t0 = local(2026, 10, 20);
    for (let i = 0; i < 60; i++) recordClosed(h, hourAt(t0 + i * HOUR, i, 0));
    expect(h.hours).toHaveLength(HOURS);
    expect(h.hours.map((b) => b.import)).toEqual(Array.from({ length: HOURS }, (_, i) => i + 12));
    // 40 days across the autumn change (2026-10-25 has 25 hours), then 40 across the spring one (2027-03-28, 23 hours).
    for (const [year, month, day] of [
      [2026, 10, 1],
      [2027, 3, 5],
    ] as const) {
      const d = emptyHistory();
      for (let i = 0; i < 40; i++) recordClosed(d, closed('day', local(year, month, day + i), local(year, month, day + i + 1), i, null));
      expect(d.days).toHaveLength(DAYS);
      expect(d.days[0]!.start).toBe(local(year, month, day + 9));
      expect(d.days.map((b) => b.import)).toEqual(Array.from({ length: DAYS }, (_, i) => i + 9));
    }
    // Three days without a frame: the hours before it are older than the last 48 hours.
    recordClosed(h, hourAt(t0 + 60 * HOUR + 72 * HOUR, 5, 0));
    expect(h.hours).toEqual([{ start: t0 + 132 * HOUR, import: 5, export: 0 }]);
  });

  it('adds each quarter\'s cost to its hour and its local day; a quarter with energy and no price leaves its periods\' cost unknown', () => {
    const h = emptyHistory();
    const eleven = local(2026, 11, 5, 23);
    // 23:00–00:00: 0.5, 0.25, 0.125 and 0.0625 DKK; then 00:00 of the next day, without a price.
    [0.5, 0.25, 0.125, 0.0625].forEach((dkk, i) => bookCost(h, eleven + i * 900_000, dkk, tz));
    bookCost(h, eleven + HOUR, null, tz);
    bookCost(h, eleven + HOUR + 900_000, 1, tz);
    expect(h.cost).toEqual({
      hours: [
        { start: eleven, dkk: 0.9375 },
        { start: eleven + HOUR, dkk: null },
      ],
      days: [
        { start: local(2026, 11, 5), dkk: 0.9375 },
        { start: local(2026, 11, 6), dkk: null },
      ],
    });
    recordClosed(h, hourAt(eleven, 2, 0));
    recordClosed(h, hourAt(eleven + HOUR, 2, 0));
    recordClosed(h, hourAt(eleven + 2 * HOUR, 2, 0)); // no quarter of it booked yet
    recordClosed(h, closed('day', local(2026, 11, 5), local(2026, 11, 6), 30, 0));
    expect(historyView(h, true)).toEqual({
      hours: [
        { start: eleven, import: 2, export: 0, cost: 0.9375 },
        { start: eleven + HOUR, import: 2, export: 0, cost: null },
        { start: eleven + 2 * HOUR, import: 2, export: 0, cost: null },
      ],
      days: [{ start: local(2026, 11, 5), import: 30, export: 0, cost: 0.9375 }],
    });
    // Without prices the bars carry no cost at all; the view is a copy either way.
    const plain = historyView(h, false);
    expect(plain.hours.every((b) => !('cost' in b))).toBe(true);
    expect(plain.hours[0]).not.toBe(h.hours[0]);
    // A quarter older than the sums kept (a clock set back) is dropped, not booked into another hour.
    bookCost(h, eleven - 10 * HOUR, 100, tz);
    expect(h.cost?.hours.map((c) => c.start)).toEqual([eleven, eleven + HOUR]);
  });

  it('bounds the cost sums like the bars (the open hour and day beside them), and drops those older than the oldest bar', () => {
    const h = emptyHistory();
    const t0 = local(2026, 6, 1);
    for (let i = 0; i < 60 * 4; i++) bookCost(h, t0 + i * 900_000, 0.01, tz);
    expect(h.cost?.hours).toHaveLength(HOURS + 1);
    expect(h.cost?.hours.every((c) => Math.abs((c.dkk ?? 0) - 0.04) < 1e-9)).toBe(true);
    recordClosed(h, hourAt(t0 + 58 * HOUR, 1, 0));
    expect(h.cost?.hours.map((c) => c.start)).toEqual([t0 + 58 * HOUR, t0 + 59 * HOUR]);
  });

  it('restores a saved history in order, one bar per start, within its bounds, whatever wrote it', () => {
    const t0 = local(2026, 6, 15, 10);
    const saved: HistoryState = {
      hours: [
        { start: t0 + HOUR, import: 2, export: 0 },
        { start: t0, import: 1, export: 0 },
        { start: t0 + HOUR, import: 3, export: 0 },
      ],
      days: [],
      cost: { hours: [{ start: t0 - 100 * HOUR, dkk: 1 }, { start: t0, dkk: 2 }], days: [] },
    };
    expect(restoreHistory(saved)).toEqual({
      hours: [
        { start: t0, import: 1, export: 0 },
        { start: t0 + HOUR, import: 2, export: 0 },
      ],
      days: [],
      cost: { hours: [{ start: t0, dkk: 2 }], days: [] },
    });
    expect(restoreHistory(undefined)).toEqual(emptyHistory());
  });
});

/** A meter heard every 5 minutes (the periods need no more to see each boundary), with the shell's hour event. */
function run(h: ReturnType<typeof harness>, sim: SimulatedMeter, until: number, registers: Map<number, number>): void {
  // On the 5-minute grid: after a restart too, so that a frame falls on each boundary.
  for (let next = (Math.floor(h.at() / 300_000) + 1) * 300_000; next <= until; next += 300_000) {
    const seconds = (next - h.at()) / 1000;
    h.set(next);
    h.bytes(sim.frame(new Date(h.at()), seconds));
    registers.set(h.at(), h.last('powermeter/57000001/state')!.active_energy_import as number);
    if (h.at() % HOUR === 0) h.hour();
  }
}

/** The service restarted from what it saved, through the state file's text (as the shell reads it back). */
function restart(h: ReturnType<typeof harness>, o: HarnessOptions = {}) {
  const saved = h.core.snapshot(h.at());
  const parsed = parseState(JSON.stringify(saved));
  if (parsed.kind !== 'ok') throw new Error(`the saved state does not read back: ${JSON.stringify(parsed)}`);
  return harness({ ...o, state: parsed.state, start: h.at() + 60_000 });
}

describe('the history in the service, across a restart', () => {
  it('keeps the last 48 closed hours and the closed days of a meter heard for 52 hours; a new service from the saved state has them all', () => {
    const start = local(2026, 6, 14, 8);
    const h = harness({ start });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    const registers = new Map<number, number>();
    h.bytes(sim.frame(new Date(start), 0));
    registers.set(start, h.last('powermeter/57000001/state')!.active_energy_import as number);
    run(h, sim, start + 52 * HOUR, registers);
    const history = h.core.history('57000001')!;
    expect(history.hours).toHaveLength(HOURS);
    expect(history.hours.map((b) => b.start)).toEqual(Array.from({ length: HOURS }, (_, i) => start + (4 + i) * HOUR));
    // Each hour's energy is the register's difference across it (a frame falls on each boundary), as "last hour" said.
    for (const b of history.hours) expect(b.import).toBeCloseTo(registers.get(b.start + HOUR)! - registers.get(b.start)!, 6);
    expect(history.hours.some((b) => b.partial)).toBe(false);
    // 14 June (begun before the first frame: partial) and 15 June; the days' energy adds up to the hours'.
    expect(history.days.map((b) => [b.start, b.partial ?? false])).toEqual([
      [local(2026, 6, 14), true],
      [local(2026, 6, 15), false],
    ]);
    expect(history.days[1]!.import).toBeCloseTo(registers.get(local(2026, 6, 16))! - registers.get(local(2026, 6, 15))!, 6);
    expect(history.hours.every((b) => !('cost' in b))).toBe(true);
    expect(h.core.history('someone else')).toBeNull();

    const again = restart(h);
    expect(again.core.history('57000001')).toEqual(history);
    // It goes on from there, and stays bounded.
    run(again, sim, again.at() + 2 * HOUR, registers);
    const later = again.core.history('57000001')!;
    expect(later.hours).toHaveLength(HOURS);
    expect(later.hours.at(-1)!.start).toBe(start + 53 * HOUR);
    // The service was down for a minute, less than the meter's gap: the hour across the restart is whole.
    expect(later.hours.at(-2)!.start).toBe(start + 52 * HOUR);
    expect(later.hours.at(-2)!.partial).toBeUndefined();
    expect(later.hours.at(-2)!.import).toBeCloseTo(registers.get(start + 53 * HOUR)! - registers.get(start + 52 * HOUR)!, 6);
  });

  it('with prices on: the cost of each hour and day, each quarter\'s energy at its price (DK1, Radius, 5–6 November 2025), across a restart', () => {
    const start = danishInstant('2025-11-05T21:00:00')!;
    const table = radiusTable(start, 'dayahead-dk1-2025-11-05-and-06.json');
    const o: HarnessOptions = { prices: { area: 'DK1' } };
    const h = harness({ ...o, start });
    h.step({ kind: 'prices', table, at: start });
    const sim = new SimulatedMeter(57_000_001, danishKeys, { timeZone: tz });
    const registers = new Map<number, number>();
    h.bytes(sim.frame(new Date(start), 0));
    registers.set(start, h.last('powermeter/57000001/state')!.active_energy_import as number);
    run(h, sim, danishInstant('2025-11-06T01:00:00')!, registers);
    const costOf = (from: number, to: number) => {
      let sum = 0;
      for (let q = from; q < to; q += 900_000) sum += (registers.get(q + 900_000)! - registers.get(q)!) * quarterAt(table, q)!.total!;
      return sum;
    };
    const history = h.core.history('57000001')!;
    expect(history.hours.map((b) => new Date(b.start).toISOString())).toEqual(['2025-11-05T20:00:00.000Z', '2025-11-05T21:00:00.000Z', '2025-11-05T22:00:00.000Z', '2025-11-05T23:00:00.000Z']);
    for (const b of history.hours) {
      expect(b.cost).toBeGreaterThan(0.5);
      expect(b.cost).toBeCloseTo(costOf(b.start, b.start + HOUR), 3);
    }
    // 5 November, from 21:00 (partial): its cost is its hours'.
    expect(history.days).toHaveLength(1);
    expect(history.days[0]).toMatchObject({ start: danishInstant('2025-11-05T00:00:00'), partial: true });
    expect(history.days[0]!.cost).toBeCloseTo(costOf(start, danishInstant('2025-11-06T00:00:00')!), 3);

    const again = restart(h, o);
    expect(again.core.history('57000001')).toEqual(history);
    // Prices turned off: the bars carry no cost.
    expect(restart(h).core.history('57000001')!.hours.every((b) => !('cost' in b))).toBe(true);
  });
});

describe('the history in the state file', () => {
  const t0 = local(2026, 6, 15, 10);
  const bars = (n: number, from = t0): HistoryBar[] => Array.from({ length: n }, (_, i) => ({ start: from + i * HOUR, import: 1, export: 0 }));
  const withHistory = (history: unknown): string => JSON.stringify({ ...emptyState(), meters: { m: { totals: {}, periods: {}, history } } });

  it('reads back what the service writes, and reads a file without a history (written before it was kept)', () => {
    const history: HistoryState = { hours: bars(HOURS), days: [{ start: local(2026, 6, 14), import: 20, export: 1, partial: true }], cost: { hours: [{ start: t0, dkk: 1.5 }], days: [{ start: local(2026, 6, 14), dkk: null }] } };
    expect(parseState(withHistory(history))).toEqual({ kind: 'ok', state: { ...emptyState(), meters: { m: { totals: {}, periods: {}, history } } } });
    expect(parseState(JSON.stringify({ ...emptyState(), meters: { m: { totals: {}, periods: {} } } })).kind).toBe('ok');
  });

  it.each([
    ['49 hours', { hours: bars(HOURS + 1), days: [] }, /history\/hours must NOT have more than 48 items/],
    ['32 days', { hours: [], days: bars(DAYS + 1) }, /history\/days must NOT have more than 31 items/],
    ['an energy as text', { hours: [{ start: t0, import: '1', export: 0 }], days: [] }, /history\/hours\/0\/import/],
    ['an energy beyond any meter', { hours: [{ start: t0, import: 1e13, export: 0 }], days: [] }, /history\/hours\/0\/import/],
    ['a negative start', { hours: [{ start: -1, import: 1, export: 0 }], days: [] }, /history\/hours\/0\/start/],
    ['partial: false (never written)', { hours: [{ start: t0, import: 1, export: 0, partial: false }], days: [] }, /history\/hours\/0\/partial/],
    ['a field of its own', { hours: [{ start: t0, import: 1, export: 0, note: 'x' }], days: [] }, /additional properties/],
    ['no days', { hours: [] }, /must have required property 'days'/],
    ['too many cost sums', { hours: [], days: [], cost: { hours: Array.from({ length: HOURS + 2 }, (_, i) => ({ start: t0 + i * HOUR, dkk: 1 })), days: [] } }, /history\/cost\/hours must NOT have more than 49 items/],
  ])('refuses a damaged history like any damaged state: %s', (_what, history, problem) => {
    expect(parseState(withHistory(history))).toEqual({ kind: 'invalid', problem: expect.stringMatching(problem) as string });
  });

  it('a state file with a damaged history is moved aside and named with its problem', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'powermeter-history-')), 'accounting.json');
    const text = withHistory({ hours: bars(HOURS + 1), days: [] });
    writeFileSync(path, text);
    const loaded = new StateStore(path).load(Date.UTC(2026, 5, 15, 12));
    expect(loaded.state).toEqual(emptyState());
    expect(loaded.problems).toEqual([{ kind: 'bad', path, aside: `${path}.bad-20260615T120000Z`, problem: expect.stringMatching(/history\/hours/) as string }]);
    expect(readFileSync(`${path}.bad-20260615T120000Z`, 'utf8')).toBe(text);
  });

  it('the most meters the service keeps, each with a full history and its cost, fit in the file the service reads', () => {
    const full = (n: number, width: number): HistoryBar[] => Array.from({ length: n }, (_, i) => ({ start: 1_781_510_400_000 + i * width, import: 1234.567, export: 123.456, partial: true }));
    const sums = (n: number, width: number) => Array.from({ length: n }, (_, i) => ({ start: 1_781_510_400_000 + i * width, dkk: 12345.6789 }));
    const period = { start: 1_781_510_400_000, end: 1_781_514_000_000, value: 1234.567, gap: true };
    const periods: RegisterPeriods = { lastInterval: 10_000, current: { hour: { start: 1, startValue: 123456.78, gap: true }, day: { start: 1, startValue: 123456.78, gap: true }, month: { start: 1, startValue: 123456.78, gap: true } }, previous: { hour: period, day: period, month: period } };
    const meter: PersistedMeter = {
      totals: { active_energy_import: { obis: '1-0:1.8.0.255', quantity: 'energy', value: 123456.78, at: 1_781_510_400_000, clock: 1_781_510_400_000 } },
      periods: { active_energy_import: periods, active_energy_export: periods },
      history: { hours: full(HOURS, HOUR), days: full(DAYS, 24 * HOUR), cost: { hours: sums(HOURS + 1, HOUR), days: sums(DAYS + 1, 24 * HOUR) } },
    };
    const state: PersistedState = { ...emptyState(), meters: Object.fromEntries(Array.from({ length: MAX_METERS }, (_, i) => [`57000${String(i).padStart(11, '0')}`, meter])) };
    const bytes = Buffer.byteLength(JSON.stringify(state));
    console.log(`${MAX_METERS} meters with full histories: ${(bytes / 1024 / 1024).toFixed(1)} MB of ${MAX_STATE_BYTES / 1024 / 1024} MB`);
    expect(bytes).toBeLessThan(MAX_STATE_BYTES);
    expect(parseState(JSON.stringify(state)).kind).toBe('ok');
  });
});
