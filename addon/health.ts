import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const HEALTH_FILE = '/run/powermeter/healthy';

/**
 * How long a lost broker is tolerated before the add-on counts as unhealthy. Docker's unhealthy status becomes the
 * add-on's, and with the user's Watchdog toggle on the Supervisor restarts it (supervisor/apps/app.py
 * `watchdog_container`; supervisor/docker/monitor.py). A restart helps only when the process itself is stuck: never
 * for a meter, cable or bridge that is down, which the sources retry by themselves and the problem sensor reports.
 * A broker that stays away this long may be a client that is stuck, so then a restart is worth trying.
 */
export const BROKER_GRACE_MS = 10 * 60_000;

/** Healthy while the broker is connected, or has been out of reach for less than BROKER_GRACE_MS. */
export function healthy(brokerLostSince: number | null, now: number): boolean {
  return brokerLostSince === null || now - brokerLostSince < BROKER_GRACE_MS;
}

/**
 * The container's HEALTHCHECK reads the age of this file (rootfs/usr/local/bin/powermeter-healthcheck). It is
 * written by a timer, so a file that stops getting younger also means that the event loop stopped turning; and only
 * while `isHealthy` says so. Written at once, so that the add-on is healthy at Docker's first check (the Supervisor
 * waits up to 120 s for that, supervisor/apps/app.py STARTUP_TIMEOUT).
 */
export function startHeartbeat(isHealthy: () => boolean, path = HEALTH_FILE, everyMs = 10_000): () => void {
  mkdirSync(dirname(path), { recursive: true });
  const beat = () => {
    if (isHealthy()) writeFileSync(path, `${new Date().toISOString()}\n`);
  };
  beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
