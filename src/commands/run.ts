import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redactUrl, type BrokerOptions } from '../mqtt/publisher.js';
import { startApp, type Running } from '../service/app.js';
import type { PageSettings } from '../service/open-page.js';
import { onShutdown } from '../service/shutdown.js';
import { createLogger } from '../service/logger.js';
import { loadOptions, OptionsError, type Settings } from '../service/options.js';
import { VERSION } from '../base/version.js';

export const DEFAULT_OPTIONS_FILE = '/data/options.json';
/** The add-on's persistent folder: it survives restarts and upgrades, and is in Home Assistant's backups. */
const DATA_DIR = '/data';

function statePath(): string | null {
  const dir = process.env.POWERMETER_STATE_DIR ?? (existsSync(DATA_DIR) ? DATA_DIR : null);
  return dir ? join(dir, 'accounting.json') : null;
}
const DEFAULT_BROKER = 'mqtt://127.0.0.1:1883';
/**
 * What the first state does not need (pino, the page) is loaded this long after the start, not on the way to it
 * (issue #30, cold start): service/logger.ts, service/open-page.ts.
 */
const LATER_MS = 1000;

export interface RunHooks {
  /** Where the broker comes from when the options name none (the add-on asks the Supervisor). */
  readonly resolveBroker?: () => Promise<BrokerOptions>;
  /** Where the PowerMeter device's page links to (the add-on asks the Supervisor for its slug). */
  readonly configurationUrl?: () => Promise<string | null>;
  readonly onStarted?: (running: Running) => void;
  /** The page the add-on serves through ingress; `--http` serves one outside it. */
  readonly page?: PageSettings;
}

const usage = `usage: powermeter run [--options FILE] [--http HOST:PORT [--http-allow-lan]]

  --options FILE     the options, as DOCS.md describes them (default ${DEFAULT_OPTIONS_FILE})
  --http HOST:PORT   serve PowerMeter's page there, e.g. 127.0.0.1:8099
  --http-allow-lan   let --http listen on an address other computers reach: the page shows the frame log, lets
                     anyone download a capture of the encrypted frames and try keys against them; without this
                     word --http listens on loopback addresses only
  -h, --help         this text`;

/** Whether an address reaches this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host.toLowerCase() === 'localhost';
}

/** `HOST:PORT` (`[::1]:8080` for IPv6): where `--http` serves the page, as given. */
export function parseListen(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) return null;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** `powermeter run [--options FILE] [--http HOST:PORT]`: the service, outside or inside the add-on. */
export async function runService(argv: string[], hooks: RunHooks = {}): Promise<number> {
  let path = DEFAULT_OPTIONS_FILE;
  let page = hooks.page;
  try {
    const { values } = parseArgs({ args: argv, options: { options: { type: 'string' }, http: { type: 'string' }, 'http-allow-lan': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help === true) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    path = values.options ?? path;
    if (values.http !== undefined) {
      const listen = parseListen(values.http);
      if (listen === null) throw new Error(`--http takes HOST:PORT, for example 127.0.0.1:8099 (or [::1]:8099), not "${values.http.slice(0, 80)}"`);
      if (!isLoopback(listen.host) && values['http-allow-lan'] !== true) {
        throw new Error(`--http ${listen.host}:${listen.port} would serve the page to the network (the frame log, a capture of the frames, a key check): add --http-allow-lan to mean it, or listen on 127.0.0.1`);
      }
      page = { ...listen, allow: 'any' };
    } else if (values['http-allow-lan'] === true) throw new Error('--http-allow-lan goes with --http HOST:PORT');
  } catch (error) {
    process.stderr.write(`powermeter run: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  let settings: Settings;
  try {
    settings = loadOptions(path);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`powermeter: refusing to start, invalid options:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const logger = createLogger(settings.logLevel, undefined, LATER_MS);
  for (const note of settings.notes) logger.error(note);
  // Asked now, beside the broker: in the add-on both are questions to the Supervisor, and one after the other they were
  // two round trips before the first state instead of one. (The add-on's asking never fails: addon/supervisor.ts.)
  const configurationUrl = hooks.configurationUrl?.().catch(() => null) ?? Promise.resolve(null);
  let broker: BrokerOptions;
  const own = settings.broker;
  if (own.url) broker = { url: own.url, username: own.username, password: own.password };
  else if (hooks.resolveBroker) {
    try {
      broker = await hooks.resolveBroker();
    } catch (error) {
      logger.fatal((error as Error).message);
      return 1;
    }
  } else broker = { url: DEFAULT_BROKER, username: own.username, password: own.password };
  const state = statePath();
  logger.info({ version: VERSION, broker: redactUrl(broker.url) }, 'PowerMeter starting');
  if (!state) logger.warn(`the energy periods (hour, day, month) are kept in memory only: ${DATA_DIR} does not exist; set POWERMETER_STATE_DIR to a writable folder`);
  const running = startApp(settings, broker, logger, { statePath: state, captureDir: process.env.POWERMETER_CAPTURE_DIR, configurationUrl: await configurationUrl, page, pageAfterMs: LATER_MS });
  hooks.onStarted?.(running);
  await onShutdown(() => running.stop(), logger);
  return 0;
}
