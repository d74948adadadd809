import { parseArgs } from 'node:util';
import { redactUrl } from '../mqtt/publisher.js';
import { onShutdown, startApp } from '../service/app.js';
import { createLogger } from '../service/logger.js';
import { loadOptions, OptionsError, type Settings } from '../service/options.js';

export const DEFAULT_OPTIONS_FILE = '/data/options.json';
const DEFAULT_BROKER = 'mqtt://127.0.0.1:1883';

/** `powermeter run [--options FILE]`: the service, outside or inside the add-on. */
export async function runService(argv: string[]): Promise<number> {
  let path = DEFAULT_OPTIONS_FILE;
  try {
    const { values } = parseArgs({ args: argv, options: { options: { type: 'string' } } });
    path = values.options ?? path;
  } catch (error) {
    process.stderr.write(`powermeter run: ${(error as Error).message}\nusage: powermeter run [--options FILE]\n`);
    return 2;
  }
  let settings: Settings;
  try {
    settings = loadOptions(path);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`powermeter: refusing to start, ${error.message}\n`);
    return 2;
  }
  const logger = createLogger(settings.log_level);
  const broker = { url: settings.mqtt_url ?? DEFAULT_BROKER, username: settings.mqtt_username, password: settings.mqtt_password };
  logger.info({ broker: redactUrl(broker.url), source: settings.source }, 'PowerMeter starting');
  const running = startApp(settings, broker, logger);
  await onShutdown(() => running.stop(), logger);
  return 0;
}
