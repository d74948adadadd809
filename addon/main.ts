import { runService } from '../src/commands/run.js';
import { healthy, startHeartbeat } from './health.js';
import { supervisorBroker } from './supervisor.js';

/**
 * The add-on's entry point (the s6 `run` script execs it): options from /data/options.json, the broker from
 * the options or else from the Supervisor, a heartbeat for the container's health check.
 */
process.exitCode = await runService(process.argv.slice(2), {
  resolveBroker: () => supervisorBroker({ token: process.env.SUPERVISOR_TOKEN, baseUrl: process.env.POWERMETER_SUPERVISOR_URL }),
  onStarted: (running) => {
    startHeartbeat(() => healthy(running.publisher.lostSince, Date.now()), process.env.POWERMETER_HEALTH_FILE);
  },
});
