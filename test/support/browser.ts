import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or POWERMETER_CHROMIUM. */
export const chromiumPath = process.env.POWERMETER_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;

/** A real headless Chromium driven by playwright-core: what a person looks at is tested where a person looks. */
export async function launchBrowser(): Promise<Browser> {
  if (chromiumPath === null) throw new Error('Chromium is not installed: apt-get install chromium (or set POWERMETER_CHROMIUM)');
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}
