import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { instantOf } from '../src/accounting/time-zone.js';
import { compiled, precompiled, type Check } from '../src/base/validators.js';
import { CapacityMachine } from '../src/capacity/machine.js';
import { presets } from '../src/capacity/rule.js';
import { capacityStateCheck } from '../src/capacity/state.js';
import { emptyState, stateCheck } from '../src/core/persisted.js';
import { defaults, optionsCheck } from '../src/service/options.js';
import { eager } from '../src/service/precompile.js';
import './support/random.js'; // fast-check takes the file's seed from here

/**
 * The checks the build writes out (src/service/precompile.ts, run by `npm run build` and by the tests' global set-up)
 * are what the shipped service runs; the sources compile them with ajv. Both must give the same answers: valid or
 * not, the same errors in the same order, and the same coercions (the options' "2400" → 2400).
 */
const require = createRequire(import.meta.url);
const built = <T>(check: Check<T>): ValidateFunction<T> => require(new URL(`../dist/src/base/precompiled/${check.name}.cjs`, import.meta.url).pathname) as ValidateFunction<T>;

function answer(validate: ValidateFunction<unknown>, doc: unknown): { valid: boolean; doc: unknown; errors: unknown } {
  const copy: unknown = structuredClone(doc);
  const valid = validate(copy);
  return { valid, doc: copy, errors: (validate.errors ?? []).map((e) => ({ path: e.instancePath, keyword: e.keyword, params: e.params, message: e.message })) };
}

/** A document with one value somewhere in it replaced by another JSON value. */
function mutated(doc: unknown, picks: readonly number[], value: unknown): unknown {
  const copy: unknown = structuredClone(doc);
  let at: unknown = copy;
  for (const pick of picks) {
    if (typeof at !== 'object' || at === null) break;
    const keys = Object.keys(at);
    if (keys.length === 0) break;
    const key = keys[pick % keys.length]!;
    const next: unknown = (at as Record<string, unknown>)[key];
    if (typeof next !== 'object' || next === null || pick % 3 === 0) {
      (at as Record<string, unknown>)[key] = value;
      return copy;
    }
    at = next;
  }
  return copy;
}

function capacityState(): unknown {
  const tz = 'Europe/Brussels';
  const at = (d: number, h: number) => instantOf({ year: 2026, month: 3, day: d, hour: h, minute: 0, second: 0 }, tz);
  const m = new CapacityMachine({ rule: presets['be-flanders'].rule, steps: null, timeZone: tz, minGapMs: 60_000 });
  let kWh = 1000;
  for (let t = at(1, 0); t <= at(1, 6); t += 10_000) m.observe(t, Math.round((kWh += 1.2 / 360) * 1000) / 1000);
  return JSON.parse(JSON.stringify(m.snapshot())) as unknown;
}

/** The written-out check and ajv's compiled one agree on `docs` (some valid, some not) and on damaged copies of them. */
function agree<T>(check: Check<T>, docs: readonly unknown[]): void {
  const written = built(check);
  const fresh = compiled(check);
  expect(typeof written).toBe('function');
  for (const doc of docs) expect(answer(written, doc)).toEqual(answer(fresh, doc));
  expect(docs.some((d) => answer(fresh, d).valid)).toBe(true);
  expect(docs.some((d) => !answer(fresh, d).valid)).toBe(true);
  fc.assert(
    fc.property(fc.constantFrom(...docs), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (doc, picks, value) => {
      const bad = mutated(doc, picks, value);
      expect(answer(written, bad)).toEqual(answer(fresh, bad));
    }),
    { numRuns: 200 },
  );
}

describe('the checks the build writes out: the same answers as ajv compiling the schema, on real and damaged documents', () => {
  it('the sources have none beside them, and compile (the tests run the sources)', () => {
    expect(precompiled(optionsCheck)).toBeNull();
  });

  it('one that does not load (a damaged install) is compiled instead, not a crash at start', () => {
    const dir = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'powermeter-checks-'))}/`);
    writeFileSync(new URL('options.cjs', dir), 'module.exports = function (');
    expect(precompiled(optionsCheck, dir)).toBeNull();
    writeFileSync(new URL('state.cjs', dir), 'module.exports = 42;');
    expect(precompiled(stateCheck, dir)).toBeNull();
    writeFileSync(new URL('capacity-state.cjs', dir), 'module.exports = function validate() { return true; };');
    expect(typeof precompiled(capacityStateCheck, dir)).toBe('function');
  });

  it('options, with the coercion the Supervisor needs', () => {
    agree(optionsCheck, [{ ...defaults }, { ...defaults, baud_rate: '2400', tcp_port: '6638' }, { ...defaults, source: 'carrier-pigeon', encryption_key: 5 }, {}]);
  });

  it('the state file', () => {
    const meter = { totals: { active_energy_import: { obis: '1-1:1.8.0.255', quantity: 'energy', value: 1, at: 5, clock: null } }, periods: {} };
    agree(stateCheck, [emptyState(), { ...emptyState(), meters: { '57000001': meter }, counters: { '4B414D4501A4DC52': { counter: 7, keys: 'k' } } }, { version: 3 }]);
  });

  it('the capacity state', () => {
    agree(capacityStateCheck, [capacityState(), { version: 1 }]);
  });
});

describe('the written checks are compiled with their module, not parsed twice (eager)', () => {
  it('each built check is its one function as a parenthesised expression, exported at the end', () => {
    for (const check of [optionsCheck, stateCheck, capacityStateCheck]) {
      const text = readFileSync(new URL(`../dist/src/base/precompiled/${check.name}.cjs`, import.meta.url), 'utf8');
      expect(text).toMatch(/;const (validate\d+) = \(function \1\(/);
      expect(text).toMatch(/\}\);module\.exports = (validate\d+);module\.exports\.default = \1;\n$/);
    }
  });

  it('code of another shape is left as ajv wrote it', () => {
    const two = '"use strict";module.exports = validate0;module.exports.default = validate0;function validate0(data){return validate1(data);}function validate1(){return true;}';
    expect(eager(two)).toBe(two);
    expect(eager('module.exports = 1;')).toBe('module.exports = 1;');
    const one = '"use strict";module.exports = validate0;module.exports.default = validate0;const schema0 = {};function validate0(data){return true;}';
    expect(eager(one)).toBe('"use strict";const schema0 = {};const validate0 = (function validate0(data){return true;});module.exports = validate0;module.exports.default = validate0;\n');
  });
});
