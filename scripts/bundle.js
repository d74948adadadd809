// @ts-check
/**
 * `npm run build`'s last step for the service: the program users run, from tsc's output (dist/src, dist/addon) into
 * dist/app as a few modules instead of ~130. Node resolves, reads, compiles and links every ES module it loads;
 * under the add-on's --jitless that was 55–65 ms of a 335 ms cold start (issue #30; `npm run bench -- service`).
 *
 * - Only the project's own code is bundled: packages (pino, MQTT.js, serialport's native binding, node-cron, ajv's
 *   runtime) stay in node_modules, loaded by Node as before, so that their own files (a native binding, a worker)
 *   are where they expect.
 * - A module loaded with `import()` (the page, the price fetcher, decode-only parts, each command) stays a chunk of
 *   its own, loaded when used, as in dist/src.
 * - Every chunk lies in dist/app itself: modules that find files from their own place (base/version.ts: package.json
 *   two levels up; base/validators.ts: ./precompiled/) find them from there, the checks copied beside them.
 * - ASCII only (`charset: 'ascii'` escapes what strings hold; JSDoc comments, which hold the rest, are left out): a
 *   source with one character past ASCII is decoded the slow way and kept by V8 as two bytes a character, for as long as
 *   the program runs (lazy compilation reads it). Under the add-on's flags the chunks' decoding took 5.0 ms of a cold
 *   start as UTF-8, 1.9 as ASCII, and the source is 425 kB instead of ~560 kB of two-byte text (issue #30).
 *
 * Entries: dist/app/powermeter.js (bin/powermeter) and dist/app/addon.js (the s6 run script).
 */
import { cpSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { stdout } from 'node:process';
import { URL } from 'node:url';
import { build } from 'rolldown';

const root = new URL('../', import.meta.url);
const out = new URL('dist/app/', root);

rmSync(out, { recursive: true, force: true });
await build({
  input: { powermeter: new URL('dist/src/cli.js', root).pathname, addon: new URL('dist/addon/main.js', root).pathname },
  platform: 'node',
  // A bare specifier is a package or a Node built-in: left to Node.
  external: (id) => !id.startsWith('.') && !isAbsolute(id),
  output: {
    dir: out.pathname,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: false,
    charset: 'ascii',
    comments: { legal: true, annotation: true, jsdoc: false },
  },
  logLevel: 'warn',
});
cpSync(new URL('dist/src/base/precompiled/', root), new URL('precompiled/', out), { recursive: true });
stdout.write(`bundled ${out.pathname}\n`);
