import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { connect } from 'mqtt';
import { parseKey } from '../dlms/keys.js';
import { startApp } from '../service/app.js';
import { onShutdown } from '../service/shutdown.js';
import { createLogger } from '../service/logger.js';
import { parseOptions } from '../service/options.js';
import { SimulatedMeter } from '../simulator/meter.js';
import { SimulatedP1Meter } from '../simulator/p1.js';
import { demoKeys, p1Recording, recordings } from '../simulator/recordings.js';
import { restampHdlcFrame, restampP1Telegram } from '../simulator/restamp.js';
import { ReplaySource } from '../source/replay.js';

const usage = `usage: powermeter demo [--interval SECONDS] [--frames N]

Runs the whole pipeline with no meter and no broker: an embedded MQTT broker; a port with keys that plays a recorded
real encrypted frame, then a simulated Danish Kamstrup meter that encrypts a fresh frame every few seconds; and beside it
a port without keys that plays a recorded frame in clear and a recorded Dutch P1 telegram, then a simulated DSMR 5 meter
with a gas meter, sending every second. The recordings keep their values; their clocks are set to now, so that they
show as meters running today. Prints what is published, and the address of the page (on a free loopback port) that
shows it live.`;

/** One line per published message; a discovery config is summarised, states are printed whole. */
function describe(topic: string, payload: Buffer, retain: boolean): string {
  const text = payload.toString();
  if (topic.endsWith('/config') && text) {
    const c = JSON.parse(text) as { device: { name: string }; components: Record<string, unknown> };
    return `${topic}  [retained] discovery for "${c.device.name}": ${Object.keys(c.components).length} sensors`;
  }
  return `${topic}  ${retain ? '[retained] ' : ''}${text}`;
}

export async function runDemo(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { interval: { type: 'string', default: '5' }, frames: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`powermeter demo: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const interval = Number(values.interval);
  const limit = values.frames === undefined ? Infinity : Number(values.frames);
  if (!(interval > 0) || !(limit >= 0)) {
    process.stderr.write(`powermeter demo: --interval and --frames take positive numbers\n${usage}\n`);
    return 2;
  }

  // The embedded broker is an optional dependency: a clone has it (npm ci), the add-on image leaves it out.
  let Aedes: typeof import('aedes').Aedes;
  try {
    ({ Aedes } = await import('aedes'));
  } catch {
    process.stderr.write('powermeter demo: the demo needs its embedded MQTT broker, the optional package aedes, which is not installed here (the add-on image leaves it out). Run the demo from a clone of the repository: npm ci && ./bin/powermeter demo\n');
    return 2;
  }
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`PowerMeter demo: embedded MQTT broker on ${url}; Ctrl-C stops.`);
  for (const r of [...recordings, p1Recording]) out(`replaying: ${r.name} (${r.source}), its clock set to now`);
  out(`simulating: Kamstrup OMNIPOWER 57000001, a fresh encrypted frame every ${interval} s`);
  out('simulating: DSMR 5 meter E0044007382246019 with gas meter G0044007382246019, a telegram every second, published every 10 s\n');

  const watcher = connect(url, { clientId: 'powermeter-demo-printer' });
  // Wait until the printer listens, so that nothing published is missed.
  const listening = new Promise<void>((resolve) => watcher.on('connect', () => watcher.subscribe('#', () => resolve())));
  watcher.on('message', (topic, payload, packet) => out(`published  ${describe(topic, payload, packet.retain)}`));

  // The port without keys is a second source of its own (more_meters): its frames come in clear, where the Danish source has keys.
  const settings = parseOptions({ source: 'tcp', tcp_host: 'replay', encryption_key: demoKeys.encryption, authentication_key: demoKeys.authentication, log_level: 'info', more_meters: [{ source: 'tcp', tcp_host: 'replay-p1', baud_rate: 115200 }] });
  const logger = createLogger(settings.logLevel, (line) => process.stdout.write(`log        ${line}`));

  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // Each recording on a stream of its own: one meter per stream, as on a real port, so none is taken for another's replacement.
  const keys = { encryption: parseKey(demoKeys.encryption, 'demo')!, authentication: parseKey(demoKeys.authentication, 'demo')! };
  const replayed = (encrypted: boolean) =>
    recordings.filter((r) => r.encrypted === encrypted).map((r, i) => ({ bytes: restampHdlcFrame(Buffer.from(r.hex, 'hex'), new Date(), encrypted ? keys : undefined), stream: `recorded ${i + 1}` }));
  const meter = new SimulatedMeter(57_000_001, keys);
  const source = new ReplaySource({
    recorded: replayed(true),
    generate: { next: () => meter.frame(new Date(), interval), intervalMs: interval * 1000, stream: 'simulated' },
    limit,
    onDone: () => setTimeout(finish, 500),
  });
  // DSMR 5 sends every second: as many telegrams in the time the Danish meter sends its frames.
  const p1 = new SimulatedP1Meter('E0044007382246019');
  const p1Source = new ReplaySource({
    recorded: [...replayed(false), { bytes: Buffer.from(restampP1Telegram(p1Recording.text, new Date()), 'latin1'), stream: 'recorded P1' }],
    generate: { next: () => p1.telegram(new Date(), 1), intervalMs: 1000, stream: 'simulated' },
    limit: limit * interval,
    name: 'replay (frames in clear: a recorded Kamstrup frame, a recorded P1 telegram, a simulated DSMR 5 meter)',
  });
  await listening;
  // The demo keeps its state in memory: its simulated meter starts afresh every run, invocation counter included.
  // The page on a free loopback port: what a user sees in Home Assistant's sidebar.
  const running = startApp(settings, { url }, logger, { source, moreSources: [p1Source], birthDelayMs: 100, statePath: null, page: { host: '127.0.0.1', port: 0, allow: 'any' } });
  const page = await running.page;
  if (page) out(`page: ${page.url}  (open it in a browser)`);

  await Promise.race([onShutdown(() => Promise.resolve(), logger), done]);
  await running.stop();
  await watcher.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  out('demo stopped.');
  return 0;
}
