import { createRequire } from 'node:module';
import type { Ajv, JSONSchemaType, Options, ValidateFunction } from 'ajv';

/**
 * A JSON check the program makes at start (the options, the state file, the capacity state): its name, its schema and
 * ajv's options. `npm run build` has ajv write each one out as code (src/service/precompile.ts); the program loads that
 * instead of loading ajv and compiling the schema. Measured under the add-on's flags on the options: 5 ms to load the
 * written-out check, against 42 ms to load ajv and 31–36 ms to compile (issue #30: the service's first state 408 → 335
 * ms); a bare process held 41.9 MB with it against 45–49 MB with ajv (the service after a minute: no measurable
 * change). Where it has not been written (the tests run the sources), ajv compiles the schema as before: the same
 * check (test/precompiled.test.ts holds the two to the same answers).
 */
export interface Check<T> {
  /** The file's name in PRECOMPILED: letters, digits and dashes. */
  readonly name: string;
  readonly schema: JSONSchemaType<T>;
  readonly options: Options;
}

/** Where the build writes the checks: beside this module in dist/ (dist/src/base/precompiled/NAME.cjs); absent in src/. */
export const PRECOMPILED = new URL('./precompiled/', import.meta.url);

const require = createRequire(import.meta.url);

/**
 * The check as the build wrote it, or null where it did not, or where what it wrote does not load (a damaged install):
 * then ajv compiles the same check, slower but the same.
 */
export function precompiled<T>(check: Check<T>, dir: URL = PRECOMPILED): ValidateFunction<T> | null {
  try {
    // The file ajv's standalone code generator wrote for this very schema (module.exports = the validate function).
    const loaded: unknown = require(new URL(`${check.name}.cjs`, dir).pathname);
    return typeof loaded === 'function' ? (loaded as ValidateFunction<T>) : null;
  } catch {
    return null;
  }
}

/**
 * An ajv instance, ajv loaded here when first asked for. It is CommonJS: loaded with require, a call stays synchronous
 * and Node does not lex ajv's source for export names as an ES module's `import` makes it (issue #30).
 */
export function newAjv(options: Options = {}): Ajv {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(options);
}

/** The check compiled by ajv now. */
export function compiled<T>(check: Check<T>): ValidateFunction<T> {
  return newAjv(check.options).compile(check.schema);
}

/**
 * The check's function, as the build wrote it where it did, compiled otherwise; made once, when first asked for (a
 * first start has no state file to check).
 */
export function validator<T>(check: Check<T>): () => ValidateFunction<T> {
  let made: ValidateFunction<T> | null = null;
  return () => (made ??= precompiled(check) ?? compiled(check));
}
