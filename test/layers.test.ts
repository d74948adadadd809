import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/addon.js';

/** Every import of every source file, as `file → imported module`. */
function imports(dir: string): { file: string; module: string }[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
  return walk(join(root, dir)).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => ({ file: relative(root, f), module: m[1]! })));
}

describe('layers: data flows one way', () => {
  const src = imports('src');

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
    expect(low.filter((i) => /\/(core|service|ha|mqtt|source|accounting|commands|diagnostics)\/|decoder\.js/.test(i.module))).toEqual([]);
  });

  it('P1 telegrams: framing finds them, dlms/cipher decrypts them, dsmr/ reads them into obis/ readings; nothing below dsmr/ imports it', () => {
    const dsmr = src.filter((i) => i.file.startsWith('src/dsmr/'));
    expect(dsmr.length).toBeGreaterThan(0);
    // The one module of accounting/ it uses is the wall-clock arithmetic, which imports nothing: times are read in a zone.
    expect(dsmr.filter((i) => /\/(core|service|ha|mqtt|source|commands|diagnostics|framing)\/|decoder\.js/.test(i.module) || (/\/accounting\//.test(i.module) && !i.module.endsWith('/accounting/time-zone.js')))).toEqual([]);
    expect(src.filter((i) => /^src\/(framing|dlms|obis)\//.test(i.file) && /\/dsmr\//.test(i.module))).toEqual([]);
  });

  it('the A-XDR layer (dlms/, the push list included) knows no meter: it never imports a profile', () => {
    const dlms = src.filter((i) => i.file.startsWith('src/dlms/'));
    expect(dlms.length).toBeGreaterThan(0);
    expect(dlms.filter((i) => /\/obis\//.test(i.module))).toEqual([]);
  });
});
