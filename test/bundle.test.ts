import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/addon.js';

/** The program users run: dist/app/, written by `npm run build` (scripts/bundle.js), which `npm test` runs first. */
const app = join(root, 'dist/app');
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));

describe('the bundle (dist/app)', () => {
  it('is ASCII only: V8 keeps a source with one other character as two bytes a character (issue #30)', () => {
    const found = files(app).filter((f) => /\.c?js$/.test(f));
    expect(found.length).toBeGreaterThan(3);
    const beyond = found.flatMap((f) => {
      const bytes = readFileSync(f);
      const at = bytes.findIndex((b) => b > 0x7f);
      return at < 0 ? [] : [`${relative(app, f)} at byte ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString('utf8')}`];
    });
    expect(beyond).toEqual([]);
  });

  it('the add-on\'s entry loads node:http only when it asks the Supervisor or opens its page (issue #30)', () => {
    // What addon.js loads before it runs: its static imports, and theirs (an import() is a chunk loaded when used).
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      for (const m of readFileSync(join(app, file), 'utf8').matchAll(/^import (?:[^'"]* from )?"([^"]+)";/gm)) {
        const spec = m[1]!;
        if (loaded.has(spec)) continue;
        loaded.add(spec);
        if (spec.startsWith('./')) visit(spec.slice(2));
      }
    };
    visit('addon.js');
    expect(loaded).toContain('node:net');
    expect([...loaded].filter((s) => s === 'node:http' || s === 'node:https')).toEqual([]);
  });

  it('still says what the source says: a character past ASCII is escaped in the bundle, not lost', () => {
    // dlms/keys.ts writes an ellipsis (U+2026) in its message about a key; the usage text one too.
    const run = spawnSync(join(root, 'bin/powermeter'), ['decode', '--encryption-key', 'zz', '/dev/null'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a byte list like 0x00, 0x11, \u2026 are fine');
  });
});
