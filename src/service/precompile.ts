import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { capacityStateCheck } from '../capacity/state.js';
import { stateCheck } from '../core/persisted.js';
import { PRECOMPILED, type Check } from '../base/validators.js';
import { optionsCheck } from './options.js';

/**
 * Writes each check the service makes at start (base/validators.ts says why) as ajv's standalone code
 * (https://ajv.js.org/standalone.html): the function ajv would compile, with the very options the program passes, as a
 * CommonJS module that needs only ajv's small runtime helpers.
 */
export function writeChecks(dir: URL = PRECOMPILED): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return [write(optionsCheck, dir), write(stateCheck, dir), write(capacityStateCheck, dir)];
}

function write<T>(check: Check<T>, dir: URL): string {
  const require = createRequire(import.meta.url);
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standalone = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  // ajv's optimising passes over the code (code.optimize, which the checks turn off where ajv compiles at start) cost
  // nothing here, and make the code the service loads and compiles at every start 5–8 % smaller.
  const ajv = new Ajv({ ...check.options, code: { ...check.options.code, source: true, optimize: true } });
  const file = new URL(`${check.name}.cjs`, dir);
  writeFileSync(file, `// Written by src/service/precompile.ts at build time from the check "${check.name}"; not edited by hand.\n${eager(standalone(ajv, ajv.compile(check.schema)))}`);
  return file.pathname;
}

/**
 * The check's one function written as a parenthesised expression, which V8 compiles with the module (its heuristic
 * for a function about to be called), where a declaration is pre-parsed with the module and parsed again at its first
 * call, as every start makes it: 7.5 against 10.5 ms for the options' check under the add-on's flags (issue #30). Code
 * of another shape than ajv's standalone module of one function is left as ajv wrote it.
 */
export function eager(code: string): string {
  const head = /^"use strict";module\.exports = (validate\d+);module\.exports\.default = \1;/.exec(code);
  const name = head?.[1];
  if (head === null || name === undefined) return code;
  const at = code.indexOf(`function ${name}(`);
  const body = code.slice(at).trimEnd();
  if (at < 0 || body.indexOf('function ', 1) >= 0 || !body.endsWith('}')) return code;
  return `"use strict";${code.slice(head[0].length, at)}const ${name} = (${body});module.exports = ${name};module.exports.default = ${name};\n`;
}

// `node dist/src/service/precompile.js` (npm run build)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of writeChecks()) console.log(`wrote ${file}`);
}
