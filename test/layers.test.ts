import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/addon.js';

/** Every import of every source file, as `file → imported module`; or those `pattern` finds (the module its first group that matched). */
function imports(dir: string, pattern = /^import[^'"]*['"]([^'"]+)['"]/gm): { file: string; module: string }[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
  return walk(join(root, dir)).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(pattern)].map((m) => ({ file: relative(root, f), module: m.slice(1).find((g) => g !== undefined)! })));
}

/**
 * The folders of src/, each with the folders it may import: the pipeline from bytes to Home Assistant, one way
 * (README.md, Layout). A folder not listed here fails the test until it is placed.
 */
const allowed: Record<string, readonly string[]> = {
  base: [],
  framing: ['base'],
  dlms: ['base'],
  obis: ['base', 'dlms'],
  accounting: ['base'],
  dsmr: ['base', 'dlms', 'obis', 'accounting'],
  decode: ['base', 'framing', 'dlms', 'dsmr', 'obis'],
  capacity: ['base', 'accounting'],
  prices: ['base'],
  source: ['base'],
  mqtt: ['base'],
  simulator: ['base', 'framing', 'dlms', 'obis', 'accounting'],
  ha: ['base', 'obis', 'accounting', 'capacity', 'prices', 'source'],
  core: ['base', 'dlms', 'decode', 'obis', 'accounting', 'capacity', 'prices', 'source', 'ha'],
  page: ['base', 'dlms', 'decode', 'ha', 'core'],
  service: ['base', 'dlms', 'obis', 'accounting', 'capacity', 'prices', 'source', 'mqtt', 'ha', 'core', 'page'],
  commands: ['base', 'dlms', 'decode', 'obis', 'source', 'mqtt', 'simulator', 'core', 'service'],
};
/** The files directly under src/: the entry point only. */
const rootFiles = ['cli.ts'];

const folderOf = (path: string): string => path.replace(/^src\//, '').split('/')[0]!;

describe('layers: data flows one way', () => {
  const src = imports('src');

  it('every folder of src/ imports only the folders below it, as the table says; src/ holds only the entry point', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true });
    expect(folders.filter((e) => e.isDirectory()).map((e) => e.name).sort()).toEqual(Object.keys(allowed).sort());
    expect(folders.filter((e) => e.isFile()).map((e) => e.name)).toEqual(rootFiles);
    const wrong = src.flatMap((i) => {
      if (!i.module.startsWith('.')) return [];
      const target = relative(root, join(root, i.file, '..', i.module));
      const from = folderOf(i.file);
      const to = folderOf(target);
      if (i.file === 'src/cli.ts' || from === to) return [];
      return (allowed[from] ?? []).includes(to) ? [] : [`${i.file} → ${target}`];
    });
    expect(wrong).toEqual([]);
  });

  it('small files, one concern each: none under src/ or web/ over 300 lines but pure data (#23)', () => {
    const data = (f: string) => f.startsWith('src/obis/profiles/') || f === 'src/core/notices.ts' || f.endsWith('.data.ts');
    const long = ['src', 'web']
      .flatMap((d) => readdirSync(join(root, d), { recursive: true, encoding: 'utf8' }).map((f) => `${d}/${f}`))
      .filter((f) => f.endsWith('.ts') && !data(f))
      .map((f) => ({ f, lines: readFileSync(join(root, f), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
  });

  it('every machine of the core has a test file of its own, named after it', () => {
    const tests = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts'));
    const modules = readdirSync(join(root, 'src/core')).filter((f) => /\bexport (abstract )?(class|function)\b/.test(readFileSync(join(root, 'src/core', f), 'utf8')));
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter((m) => !tests.some((t) => t.includes(m.replace(/\.ts$/, ''))))).toEqual([]);
  });

  it('the core takes the prices as values: never the fetcher, its HTTP or its cache file', () => {
    expect(src.filter((i) => i.file.startsWith('src/core/') && /\/prices\/(fetcher|http|cache-file|schedule)\.js$/.test(i.module))).toEqual([]);
  });

  it('the benchmarks never import the tests, and addon/ only what src/ offers', () => {
    expect(imports('bench').filter((i) => i.module.includes('/test/') || i.module.startsWith('../test'))).toEqual([]);
    expect(imports('addon').filter((i) => i.module.startsWith('.') && !i.module.startsWith('../src/') && !i.module.startsWith('./'))).toEqual([]);
    // rig/: the local parts both run (a free port, Mosquitto's binary, a seeded generator), standing on Node alone
    const rig = imports('rig');
    expect(rig.length).toBeGreaterThan(0);
    expect(rig.filter((i) => !i.module.startsWith('node:'))).toEqual([]);
  });

  it('nothing below the service imports it (service/ and the commands are the top)', () => {
    const upward = src.filter((i) => !/^src\/(service|commands)\//.test(i.file) && i.file !== 'src/cli.ts' && /\/(service|commands)\//.test(i.module));
    expect(upward).toEqual([]);
  });

  it('the service core is sans-I/O: no Node I/O module, no MQTT, no serial port, no timer of its own', () => {
    const core = src.filter((i) => i.file.startsWith('src/core/'));
    expect(core.length).toBeGreaterThan(0);
    expect(core.filter((i) => /^node:|^mqtt$|^serialport$|^pino$|^node-cron$|\/(service|mqtt|source\/(serial|tcp|mqtt-frames))/.test(i.module))).toEqual([]);
    for (const file of new Set(core.map((i) => i.file))) expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/\b(setTimeout|setInterval|Date\.now|new Date\(\))/);
  });

  it('the decode path (framing, dlms, obis) imports nothing above it', () => {
    const low = src.filter((i) => /^src\/(framing|dlms|obis)\//.test(i.file));
    expect(low.filter((i) => /\/(core|service|ha|mqtt|source|accounting|commands|decode)\//.test(i.module))).toEqual([]);
  });

  it('P1 telegrams: framing finds them, dlms/cipher decrypts them, dsmr/ reads them into obis/ readings; nothing below dsmr/ imports it', () => {
    const dsmr = src.filter((i) => i.file.startsWith('src/dsmr/'));
    expect(dsmr.length).toBeGreaterThan(0);
    // The one module of accounting/ it uses is the wall-clock arithmetic, which imports nothing: times are read in a zone.
    expect(dsmr.filter((i) => /\/(core|service|ha|mqtt|source|commands|decode|framing)\//.test(i.module) || (/\/accounting\//.test(i.module) && !i.module.endsWith('/accounting/time-zone.js')))).toEqual([]);
    expect(src.filter((i) => /^src\/(framing|dlms|obis)\//.test(i.file) && /\/dsmr\//.test(i.module))).toEqual([]);
  });

  it('packages (CommonJS all) are loaded with require below the commands: an import makes Node lex them for names (#30)', () => {
    // A static import that is not `import type`, or an import() that is not in a `typeof import(…)` type.
    const values = /^import (?!type )[^'"]*['"]([^'"]+)['"]|(?<!typeof )\bimport\(['"]([^'"]+)['"]\)/gm;
    const valueImports = [...imports('src', values), ...imports('addon', values)]
      .filter((i) => !i.file.startsWith('src/commands/'))
      .filter((i) => !i.module.startsWith('.') && !i.module.startsWith('node:'));
    expect(valueImports).toEqual([]);
  });

  it('the A-XDR layer (dlms/, the push list included) knows no meter: it never imports a profile', () => {
    const dlms = src.filter((i) => i.file.startsWith('src/dlms/'));
    expect(dlms.length).toBeGreaterThan(0);
    expect(dlms.filter((i) => /\/obis\//.test(i.module))).toEqual([]);
  });
});
