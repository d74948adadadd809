import { readFileSync } from 'node:fs';

/** From package.json, so that the add-on's version, the origin in discovery and the package never disagree. */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; homepage?: string };

export const VERSION = pkg.version;
export const PROJECT_URL = pkg.homepage ?? 'https://github.com/powermeter/powermeter';
export const origin = { name: 'PowerMeter', sw_version: VERSION, support_url: PROJECT_URL };
