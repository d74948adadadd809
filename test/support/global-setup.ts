import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/**
 * Some tests run what users run: `bin/powermeter` (dist/app/, bundled by scripts/bundle.js) and the page's scripts (dist/web/web/). `npm test` builds
 * first; a test run alone (`npx vitest run test/page.test.ts`) builds here when the build is older than the sources.
 */
export default function setup(): void {
  const built = ['dist/app/powermeter.js', 'dist/web/web/app.js'].map((f) => join(root, f));
  const builtAt = Math.min(...built.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (builtAt >= Math.max(newest('src'), newest('web'))) return;
  const tsc = join(root, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['dist/src/service/precompile.js'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle.js'], { cwd: root, stdio: 'inherit' });
  execFileSync(tsc, ['-p', 'web/tsconfig.json'], { cwd: root, stdio: 'inherit' });
}
