import { existsSync, readFileSync } from 'node:fs';

/**
 * From package.json, so that the add-on's version, the origin in discovery and the package never disagree.
 * The file is two levels up from src/base/ (tests) and three from dist/src/base/ (the built service).
 */
const path = [new URL('../../package.json', import.meta.url), new URL('../../../package.json', import.meta.url)].find((p) => existsSync(p))!;
const pkg = JSON.parse(readFileSync(path, 'utf8')) as { version: string; homepage?: string };

export const VERSION = pkg.version;
export const PROJECT_URL = pkg.homepage ?? 'https://github.com/powermeter/powermeter';
export const origin = { name: 'PowerMeter', sw_version: VERSION, support_url: PROJECT_URL };
