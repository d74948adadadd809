import { StateStore } from '../accounting/store.js';
import { CaptureRecorder } from '../diagnostics/capture-recorder.js';
import { hostTimeZone, nextFullHour } from '../diagnostics/time-zone.js';
import { availabilityTopic } from '../ha/discovery.js';
import { Publisher, type BrokerOptions } from '../mqtt/publisher.js';
import { MqttFrameSource } from '../source/mqtt-frames.js';
import type { Source } from '../source/source.js';
import { SerialSource } from '../source/serial.js';
import { TcpSource } from '../source/tcp.js';
import { origin } from '../version.js';
import type { Logger } from './logger.js';
import type { Settings } from './options.js';
import { Service } from './service.js';

export const DEFAULT_CAPTURE_DIR = '/share/powermeter';

export interface Running {
  readonly service: Service;
  readonly publisher: Publisher;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Replaces the configured source (the demo's replay). */
  readonly source?: Source;
  /** Where the energy periods are kept across restarts; null or absent keeps them in memory. */
  readonly stateFile?: string | null;
  /** Where capture_minutes writes its file; the add-on maps Home Assistant's /share. */
  readonly captureDir?: string;
  /** Defaults to the TZ of the process: the Supervisor sets it to Home Assistant's time zone. */
  readonly timeZone?: string;
  readonly birthDelayMs?: number;
  readonly reconnectMs?: number;
}

export function sourceFor(settings: Settings, publisher: Publisher): Source {
  switch (settings.source) {
    case 'serial':
      return new SerialSource({ path: settings.serial_port!, baudRate: settings.baud_rate, parity: settings.parity });
    case 'tcp':
      return new TcpSource({ host: settings.tcp_host!, port: settings.tcp_port, idleTimeoutMs: settings.data_timeout * 1000 });
    case 'mqtt':
      return new MqttFrameSource(publisher, settings.mqtt_source_topic!);
  }
}

/**
 * Calls `tick` at every full hour of the zone; returns a stop function. Each timer is set afresh from the clock,
 * so a clock set by NTP or a suspended machine never leaves it late for more than one hour. (A cron library did
 * this before; the one we had formats every date through Intl, which alone cost 8 MB of resident memory.)
 */
export function everyFullHour(tick: () => void, timeZone: string, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const at = now();
    timer = setTimeout(() => {
      tick();
      arm();
    }, nextFullHour(at, timeZone) - at);
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** Wires the configured source, the pipeline and the publisher, and starts them. */
export function startApp(settings: Settings, broker: BrokerOptions, logger: Logger, options: AppOptions = {}): Running {
  const topics = { discoveryPrefix: settings.discovery_prefix, baseTopic: settings.base_topic };
  const timeZone = options.timeZone ?? hostTimeZone();
  const publisher = new Publisher({
    broker,
    availabilityTopic: availabilityTopic(topics),
    statusTopic: `${settings.discovery_prefix}/status`,
    logger,
    birthDelayMs: options.birthDelayMs,
    reconnectMs: options.reconnectMs,
  });
  const service = new Service({
    settings,
    source: options.source ?? sourceFor(settings, publisher),
    sink: publisher,
    logger,
    origin,
    timeZone,
    store: options.stateFile ? new StateStore(options.stateFile) : null,
    capture: settings.capture_minutes > 0 ? new CaptureRecorder(options.captureDir ?? DEFAULT_CAPTURE_DIR, settings.capture_minutes, logger) : null,
    everyHour: (tick) => everyFullHour(tick, timeZone),
  });
  publisher.start();
  service.start();
  return {
    service,
    publisher,
    async stop() {
      await service.stop();
      await publisher.stop();
    },
  };
}

/** Stops cleanly on SIGTERM (the Supervisor, s6) and SIGINT (Ctrl-C): `offline`, source closed, broker closed. */
export function onShutdown(stop: () => Promise<void>, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal} received; stopping`);
      stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}
