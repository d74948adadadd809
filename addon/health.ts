import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Running } from '../src/service/app.js';

export const HEALTH_FILE = '/run/powermeter/healthy';

/**
 * The container's HEALTHCHECK reads the age of this file. It is touched while the service is alive in the
 * sense that matters: frames are arriving, or at least the source is connected (a meter that pushes nothing
 * is the meter's problem, and restarting the add-on would not fix it). Looked at every few seconds, written
 * at most every 30 s.
 */
export function startHeartbeat(running: Running, path = HEALTH_FILE, checkEveryMs = 2_000, writeEveryMs = 30_000): () => void {
  mkdirSync(dirname(path), { recursive: true });
  let written = 0;
  const beat = () => {
    const healthy = running.service.fresh || running.service.stats.sourceState === 'connected';
    if (!healthy || Date.now() - written < writeEveryMs) return;
    writeFileSync(path, `${new Date().toISOString()}\n`);
    written = Date.now();
  };
  const timer = setInterval(beat, checkEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}
