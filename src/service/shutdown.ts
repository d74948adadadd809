import type { Logger } from '../base/log.js';

/**
 * The longest a stop may take: the state is saved first, then `offline` is published; a broker that does not answer
 * must not hold the stop beyond what s6-overlay gives it (S6_SERVICES_GRACETIME in the Dockerfile, 12 s).
 */
export const STOP_DEADLINE_MS = 10_000;

/** Stops cleanly on SIGTERM (the Supervisor, s6) and SIGINT (Ctrl-C): `offline`, source closed, broker closed. */
export function onShutdown(stop: () => Promise<void>, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal} received; stopping`);
      setTimeout(() => {
        logger.warn(`stopping took more than ${STOP_DEADLINE_MS / 1000} s (the broker did not answer); the energy periods are saved, leaving now`);
        process.exit(0);
      }, STOP_DEADLINE_MS).unref();
      stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}
