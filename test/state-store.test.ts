import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyState, MAX_METERS, MAX_STATE_BYTES, parseState, type PersistedState } from '../src/core/persisted.js';
import { JOURNAL_GAP_MS, StateStore } from '../src/service/state-store.js';
import { eventually } from './support/eventually.js';

const NOW = Date.UTC(2026, 11, 1, 14, 5, 9);

function folder(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-store-'));
  return { dir, path: join(dir, 'accounting.json') };
}

/** A state with one meter, one total and one counter. */
function sample(value = 100, savedAt = 1): PersistedState {
  return {
    version: 3,
    savedAt,
    meters: {
      '57000001': {
        totals: { active_energy_import: { obis: '1-1:1.8.0.255', quantity: 'energy', value, at: NOW, clock: NOW - 2000 } },
        periods: {
          active_energy_import: {
            lastInterval: 10_000,
            current: { hour: { start: NOW - 60_000, startValue: value - 1, gap: false }, day: null, month: null },
            previous: { hour: { start: NOW - 3_660_000, end: NOW - 60_000, value: 1.2, gap: true }, day: null, month: null },
          },
        },
      },
    },
    counters: { '4B414D450365C041': { counter: 7, keys: '5e3d59e5da1bad4b' } },
  };
}

describe('state file', () => {
  it('reads back what it wrote', () => {
    const { path } = folder();
    new StateStore(path).save(sample());
    expect(new StateStore(path).load(NOW)).toEqual({ state: sample(), problems: [] });
  });

  it('a crash between writing and renaming loses nothing', () => {
    const { path } = folder();
    new StateStore(path).save(sample(100, 1));
    const crashing = new StateStore(path, {
      beforeRename: () => {
        throw new Error('power lost');
      },
    });
    expect(() => crashing.save(sample(101, 2))).toThrow('power lost');
    expect(new StateStore(path).load(NOW).state.meters['57000001']!.totals.active_energy_import!.value).toBe(101);
  });

  it('a torn temporary file is ignored in favour of the last whole state, and said nowhere: it is the crash case', () => {
    const { dir, path } = folder();
    new StateStore(path).save(sample(100));
    writeFileSync(`${path}.tmp`, '{"version":2,"savedAt":9,"met');
    expect(new StateStore(path).load(NOW)).toMatchObject({ problems: [], state: { meters: { '57000001': { totals: { active_energy_import: { value: 100 } } } } } });
    expect(new StateStore(join(dir, 'absent.json')).load(NOW)).toEqual({ state: emptyState(), problems: [] });
  });

  it.each([
    ['truncated', (s: string) => s.slice(0, s.length / 2), /not whole JSON/],
    ['empty', () => '', /empty/],
    ['garbage', () => '\u0000\u0001 not json', /not whole JSON/],
    ['meters as an array', (s: string) => s.replace(/"meters":\{/, '"meters":[{').replace(/\},"counters"/, '}],"counters"'), /meters must be object/],
    ['a total that is text', (s: string) => s.replace('"value":100', '"value":"100"'), /value must be number/],
    ['a period without its start', (s: string) => s.replace('"start":', '"begin":'), /must have required property 'start'/],
  ])('a %s file is moved aside and named with its problem, never silently replaced', (_name, damage, problem) => {
    const { dir, path } = folder();
    const whole = JSON.stringify(sample());
    writeFileSync(path, damage(whole));
    const damaged = readFileSync(path);
    const store = new StateStore(path);
    const loaded = store.load(NOW);
    const aside = `${path}.bad-20261201T140509Z`;
    expect(loaded.state).toEqual(emptyState());
    expect(loaded.problems).toEqual([{ kind: 'bad', path, aside, problem: expect.stringMatching(problem) as string }]);
    expect(readFileSync(aside)).toEqual(damaged); // kept, byte for byte
    store.save(emptyState());
    expect(readdirSync(dir).sort()).toEqual(['accounting.json', 'accounting.json.bad-20261201T140509Z']);
  });

  it('a file of a newer version is never overwritten', () => {
    const { path } = folder();
    const newer = JSON.stringify({ ...sample(), version: 4, somethingNew: true });
    writeFileSync(path, newer);
    const store = new StateStore(path);
    expect(store.load(NOW).problems).toEqual([{ kind: 'newer', path, version: 4 }]);
    expect(store.readOnly).toBe(true);
    store.save(sample());
    expect(readFileSync(path, 'utf8')).toBe(newer);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('a hostile file cannot cost memory: too many meters is invalid', () => {
    const meters = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [String(i), { totals: {}, periods: {} }]));
    expect(parseState(JSON.stringify({ ...emptyState(), meters }))).toMatchObject({ kind: 'invalid' });
  });

  it('a hostile file cannot cost memory: more meters than the service keeps is invalid (the one constant)', () => {
    const meters = Object.fromEntries(Array.from({ length: MAX_METERS + 1 }, (_, i) => [String(i), { totals: {}, periods: {} }]));
    expect(parseState(JSON.stringify({ ...emptyState(), meters }))).toMatchObject({ kind: 'invalid' });
    const enough = Object.fromEntries(Array.from({ length: MAX_METERS }, (_, i) => [String(i), { totals: {}, periods: {} }]));
    expect(parseState(JSON.stringify({ ...emptyState(), meters: enough }))).toMatchObject({ kind: 'ok' });
  });

  it('a state file that never ends (a link to /dev/zero) is not read whole: it is moved aside as damaged', () => {
    const { dir, path } = folder();
    symlinkSync('/dev/zero', path);
    const store = new StateStore(path);
    const before = process.memoryUsage().rss;
    const loaded = store.load(NOW);
    expect(process.memoryUsage().rss - before).toBeLessThan(16 * 1024 * 1024);
    expect(loaded.state).toEqual(emptyState());
    expect(loaded.problems).toEqual([{ kind: 'bad', path, aside: `${path}.bad-20261201T140509Z`, problem: 'it is not a regular file (a link to a device?)' }]);
    store.save(sample());
    expect(readdirSync(dir).sort()).toEqual(['accounting.json', 'accounting.json.bad-20261201T140509Z']);
  });

  it('a state file larger than the bound is moved aside, not read', () => {
    const { path } = folder();
    writeFileSync(path, Buffer.alloc(MAX_STATE_BYTES + 1, 0x20));
    expect(new StateStore(path).load(NOW).problems).toEqual([expect.objectContaining({ kind: 'bad', problem: expect.stringMatching(new RegExp(`more than the ${MAX_STATE_BYTES} a state file may be`)) as string })]);
  });

  it('journals each moved counter at once at a meter\'s pace: after a kill (no save) the next start knows it; a save empties the journal', () => {
    const { path } = folder();
    let clock = 0;
    const store = new StateStore(path, { now: () => clock });
    store.save(sample());
    store.counter('4B414D4503669D52', 41, 'abcd');
    clock += JOURNAL_GAP_MS;
    store.counter('4B414D4503669D52', 42, 'abcd');
    clock += 10_000;
    store.counter('4B414D4501A4DC52', 7, 'ef01');
    // The process is killed here: no save, no close.
    const after = new StateStore(path).load(NOW);
    expect(after.state.counters).toEqual({ ...sample().counters, '4B414D4503669D52': { counter: 42, keys: 'abcd' }, '4B414D4501A4DC52': { counter: 7, keys: 'ef01' } });
    // A torn last line (the kill came mid-write) is ignored.
    writeFileSync(`${path}.counters`, '4B414D4503669D52 43 abcd\n4B414D4503669D52 4', { flag: 'a' });
    expect(new StateStore(path).load(NOW).state.counters['4B414D4503669D52']).toEqual({ counter: 43, keys: 'abcd' });
    store.save(after.state);
    expect(readFileSync(`${path}.counters`, 'utf8')).toBe('');
    store.close();
  });

  it('journals counters that move faster than the gap once per gap, the last of each system title, and what is left at close', async () => {
    const { path } = folder();
    const clock = { t: 0 };
    const store = new StateStore(path, { now: () => clock.t });
    const journal = () => readFileSync(`${path}.counters`, 'utf8');
    store.counter('4B414D4503669D52', 1, 'abcd');
    expect(journal()).toBe('4B414D4503669D52 1 abcd\n');
    clock.t = 100;
    store.counter('4B414D4503669D52', 2, 'abcd');
    store.counter('4B414D4501A4DC52', 7, 'ef01');
    store.counter('4B414D4503669D52', 3, 'abcd');
    expect(journal()).toBe('4B414D4503669D52 1 abcd\n');
    // The gap's timer writes them (the real one, 900 ms on): the last of each title, in one write.
    await eventually(() => expect(journal()).toBe('4B414D4503669D52 1 abcd\n4B414D4503669D52 3 abcd\n4B414D4501A4DC52 7 ef01\n'), 5000);
    expect(new StateStore(path).load(NOW).state.counters).toEqual({ '4B414D4503669D52': { counter: 3, keys: 'abcd' }, '4B414D4501A4DC52': { counter: 7, keys: 'ef01' } });
    clock.t = 200;
    store.counter('4B414D4503669D52', 4, 'abcd');
    store.close();
    expect(journal()).toMatch(/4B414D4503669D52 4 abcd\n$/);
    // A save holds what was not yet written: the journal is emptied, and nothing is written after it.
    const again = new StateStore(path, { now: () => clock.t });
    again.counter('4B414D4503669D52', 5, 'abcd');
    again.counter('4B414D4503669D52', 6, 'abcd');
    again.save({ ...sample(), counters: { '4B414D4503669D52': { counter: 6, keys: 'abcd' } } });
    again.close();
    expect(journal()).toBe('');
    expect(new StateStore(path).load(NOW).state.counters['4B414D4503669D52']).toEqual({ counter: 6, keys: 'abcd' });
  });

  it('a journal the disk refuses: a write at once throws, a deferred one is said to journalFailed, the counter is kept for the next, and close does not throw', async () => {
    const { path } = folder();
    symlinkSync('/dev/full', `${path}.counters`);
    const failures: unknown[] = [];
    const clock = { t: 0 };
    const store = new StateStore(path, { now: () => clock.t, journalFailed: (e) => failures.push(e) });
    expect(() => store.counter('4B414D4503669D52', 1, 'abcd')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    store.counter('4B414D4503669D52', 2, 'abcd');
    await eventually(() => expect(failures).toEqual([expect.objectContaining({ code: 'ENOSPC' })]), 5000);
    expect(() => store.close()).not.toThrow(); // a stop goes on: its save holds the counters
  });

  it('writes the counters not yet written when the process exits, an uncaught error too', () => {
    const { path } = folder();
    const store = new URL('../dist/src/service/state-store.js', import.meta.url).href;
    for (const [how, code] of [['process.exit(0)', 0], ['setTimeout(() => { throw new Error("boom"); }, 0)', 1]] as const) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const { StateStore } = await import(${JSON.stringify(store)}); const s = new StateStore(${JSON.stringify(path)}); s.counter('4B414D4503669D52', 1, 'abcd'); s.counter('4B414D4503669D52', 2, 'abcd'); ${how};`], { encoding: 'utf8' });
      expect(child.status, child.stderr).toBe(code);
      expect(new StateStore(path).load(NOW).state.counters['4B414D4503669D52']).toEqual({ counter: 2, keys: 'abcd' });
      rmSync(`${path}.counters`);
    }
  });
});
