import { runService } from '../src/commands/run.js';
import { healthy, startHeartbeat } from './health.js';
import { INGRESS_PEERS } from '../src/page/peers.js';
import { addonSlug, supervisorBroker, supervisorOptions } from './supervisor.js';

/**
 * The add-on's entry point (the s6 `run` script execs it): options from /data/options.json, the broker from
 * the options or else from the Supervisor, a heartbeat for the container's health check.
 */
const supervisor = { token: process.env.SUPERVISOR_TOKEN, baseUrl: process.env.POWERMETER_SUPERVISOR_URL };
/** config.yaml's ingress_port (a test holds them equal). */
export const INGRESS_PORT = Number(process.env.POWERMETER_INGRESS_PORT ?? 8099);

process.exitCode = await runService(process.argv.slice(2), {
  resolveBroker: () => supervisorBroker(supervisor),
  // The add-on's page in Home Assistant, /app/<slug> (frontend src/panels/app/ha-panel-app.ts, since 20260128.0 =
  // Home Assistant 2026.2, config.yaml's minimum); the frontend opens homeassistant://<path> as /<path>
  // (src/panels/config/devices/ha-config-device-page.ts), as core's ESPHome and AdGuard integrations link add-ons.
  configurationUrl: async () => {
    const slug = await addonSlug(supervisor);
    return slug === null ? null : `homeassistant://app/${slug}`;
  },
  // The page behind Home Assistant's ingress (config.yaml ingress_port); only the Supervisor's proxy may connect.
  page: { host: '0.0.0.0', port: INGRESS_PORT, allow: INGRESS_PEERS, options: supervisorOptions(supervisor) },
  onStarted: (running) => {
    startHeartbeat(() => healthy(running.publisher.lostSince, Date.now()), process.env.POWERMETER_HEALTH_FILE);
  },
});
