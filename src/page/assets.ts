import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The project's root: where package.json is, above this file in the source tree and in dist/ alike. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) for the page’s files');
    dir = up;
  }
  return dir;
}

/**
 * Where tsc puts the browser's modules: web/tsconfig.json compiles from the project's root (the browser code
 * imports the API's types from src/page/contract.ts), so web/app.ts becomes dist/web/web/app.js.
 */
export const SCRIPTS_DIR = 'dist/web/web';

const JS = 'text/javascript; charset=utf-8';

/** The page's files, read once: everything is shipped with the add-on, nothing comes from the internet. */
export function loadAssets(): Map<string, Asset> {
  const root = projectRoot();
  const files: [string, string, string][] = [
    ['/', 'web/index.html', 'text/html; charset=utf-8'],
    ['/style.css', 'web/style.css', 'text/css; charset=utf-8'],
    ['/uplot.js', 'node_modules/uplot/dist/uPlot.iife.min.js', JS],
    ['/uplot.css', 'node_modules/uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
    ['/icon.png', 'icon.png', 'image/png'],
  ];
  // The page's modules, each at the URL its imports ask for (relative: `./i18n/da.data.js` beside app.js).
  const scripts = join(root, SCRIPTS_DIR);
  if (!existsSync(join(scripts, 'app.js'))) throw new Error(`the page's file ${SCRIPTS_DIR}/app.js is missing: run npm run build`);
  for (const e of readdirSync(scripts, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.js')) continue;
    const file = join(e.parentPath, e.name);
    files.push([`/${relative(scripts, file).split(sep).join('/')}`, relative(root, file), JS]);
  }
  const assets = new Map<string, Asset>();
  for (const [path, file, type] of files) {
    const at = join(root, file);
    if (!existsSync(at)) throw new Error(`the page's file ${file} is missing: run npm run build`);
    assets.set(path, { type, body: readFileSync(at) });
  }
  return assets;
}
