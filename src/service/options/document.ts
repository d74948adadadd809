import type { JSONSchemaType } from 'ajv';
import { profileIds } from '../../obis/profiles/index.js';

export type SourceKind = 'serial' | 'tcp' | 'mqtt';
export type Parity = 'none' | 'even' | 'odd';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error';

/**
 * The add-on's options as `/data/options.json` holds them. These names are what users see in the add-on's options
 * panel: never rename one. Every field may be missing from the file (the Supervisor leaves out an emptied optional
 * field); the defaults below fill what is.
 */
export interface OptionsDocument {
  source?: SourceKind;
  serial_port?: string;
  baud_rate?: number;
  parity?: Parity;
  tcp_host?: string;
  tcp_port?: number;
  mqtt_source_topic?: string;
  encryption_key?: string;
  authentication_key?: string;
  energy_multiplier?: number;
  discovery_prefix?: string;
  base_topic?: string;
  mqtt_url?: string;
  mqtt_username?: string;
  mqtt_password?: string;
  log_level?: LogLevel;
  /** Seconds without bytes, or without frames, before the sensors go unavailable and a silent bridge is redialled. */
  data_timeout?: number;
  /** Minutes of raw frames to record for a bug report at start-up; 0 records nothing. */
  capture_minutes?: number;
  /** A meter profile to use instead of detecting it from the frames. */
  meter_profile?: string;
  /** More meters, each with its own source: the same option names as the first meter's. */
  more_meters?: MeterDocument[];
  /** Keys by system title, for many meters on one source (raw frames from many bridges). */
  meter_keys?: MeterKeyDocument[];
  /** This instance's share of a fleet: the raw-frame streams whose topic hashes to it (docs/scaling.md). */
  partition_index?: number;
  partition_count?: number;
}

/** One more meter: its source, line settings, keys and profile, named as the first meter's options are. */
export interface MeterDocument {
  source?: SourceKind;
  serial_port?: string;
  tcp_host?: string;
  tcp_port?: number;
  mqtt_source_topic?: string;
  baud_rate?: number;
  parity?: Parity;
  encryption_key?: string;
  authentication_key?: string;
  energy_multiplier?: number;
  meter_profile?: string;
}

export interface MeterKeyDocument {
  system_title: string;
  encryption_key?: string;
  authentication_key?: string;
}

/** Default port of the ESPHome stream server, which the bridge in hw/ runs. */
export const DEFAULT_TCP_PORT = 6638;

/**
 * The defaults: config.yaml's `options` must say the same (a test holds them equal). The serial port and the bridge's
 * address are there empty, so that the Supervisor's form shows them on a fresh install (the frontend shows an optional
 * field only when it is in the options: frontend supervisor-app-config.ts, `_filteredSchema`).
 */
export const defaults = {
  source: 'serial',
  serial_port: '',
  baud_rate: 2400,
  parity: 'none',
  tcp_host: '',
  tcp_port: DEFAULT_TCP_PORT,
  encryption_key: '',
  authentication_key: '',
  discovery_prefix: 'homeassistant',
  base_topic: 'powermeter',
  log_level: 'info',
  data_timeout: 60,
  capture_minutes: 0,
  meter_profile: 'auto',
  more_meters: [],
  meter_keys: [],
} as const satisfies Partial<Record<keyof OptionsDocument, unknown>>;

/**
 * The longest text each option takes (config.yaml's `str(,N)` says the same, a test holds them equal): a host name is
 * at most 253 characters (RFC 1035 §2.3.4), a device path or a topic at most 256 here. Longer values are mistakes, and
 * would fill every log line that names the source.
 */
export const maxLength = { serial_port: 256, tcp_host: 253, mqtt_source_topic: 256, discovery_prefix: 128, base_topic: 128, mqtt_url: 512, mqtt_username: 256, mqtt_password: 256 } as const;

/** The most meters one add-on reads besides the first; past this the rest are said and left out (see settings.ts). */
export const MAX_MORE_METERS = 64;

/** A topic PowerMeter publishes under: no wildcards, no NUL (MQTT 3.1.1 §4.7.1). */
const topic = (max: number) => ({ type: 'string', pattern: '^[^#+\\u0000]*$', maxLength: max, nullable: true }) as const;
/**
 * A topic PowerMeter subscribes to for raw frames: wildcards allowed where MQTT allows them (§4.7.1.2, §4.7.1.3),
 * `+` for a whole level, `#` for the last.
 */
const filter = { type: 'string', pattern: '^(?:(?:[^#+/\\u0000]*|\\+)/)*(?:[^#+/\\u0000]*|\\+|#)$', maxLength: maxLength.mqtt_source_topic, nullable: true } as const;
const text = (max = 256) => ({ type: 'string', maxLength: max, nullable: true }) as const;
export const baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

const meterSchema: JSONSchemaType<MeterDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], nullable: true },
    serial_port: text(maxLength.serial_port),
    tcp_host: text(maxLength.tcp_host),
    // A port is an integer, as the Supervisor's `port` makes it (supervisor/validate.py network_port: Coerce(int)).
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true },
    mqtt_source_topic: filter,
    baud_rate: { type: 'integer', enum: baudRates, nullable: true },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], nullable: true },
    encryption_key: text(),
    authentication_key: text(),
    energy_multiplier: { type: 'number', exclusiveMinimum: 0, nullable: true },
    meter_profile: { type: 'string', enum: ['auto', ...profileIds], nullable: true },
  },
  required: [],
};

const meterKeySchema: JSONSchemaType<MeterKeyDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    system_title: { type: 'string', pattern: '^\\s*[0-9A-Fa-f]{16}\\s*$' },
    encryption_key: text(),
    authentication_key: text(),
  },
  required: ['system_title'],
};

/** The schema of the document, checked against `OptionsDocument` by the compiler (ajv's JSONSchemaType). */
export const optionsSchema: JSONSchemaType<OptionsDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], nullable: true, default: defaults.source },
    serial_port: text(maxLength.serial_port),
    baud_rate: { type: 'integer', enum: baudRates, nullable: true, default: defaults.baud_rate },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], nullable: true, default: defaults.parity },
    tcp_host: text(maxLength.tcp_host),
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true, default: defaults.tcp_port },
    mqtt_source_topic: filter,
    encryption_key: text(),
    authentication_key: text(),
    energy_multiplier: { type: 'number', exclusiveMinimum: 0, nullable: true },
    discovery_prefix: { ...topic(maxLength.discovery_prefix), default: defaults.discovery_prefix },
    base_topic: { ...topic(maxLength.base_topic), default: defaults.base_topic },
    mqtt_url: { type: 'string', nullable: true, maxLength: maxLength.mqtt_url, pattern: '^(mqtts?|wss?|tcp|ssl)://[^\\s]+$' },
    mqtt_username: text(maxLength.mqtt_username),
    mqtt_password: text(maxLength.mqtt_password),
    log_level: { type: 'string', enum: ['trace', 'debug', 'info', 'warning', 'error'], nullable: true, default: defaults.log_level },
    data_timeout: { type: 'integer', minimum: 15, maximum: 3600, nullable: true, default: defaults.data_timeout },
    capture_minutes: { type: 'integer', minimum: 0, maximum: 1440, nullable: true, default: defaults.capture_minutes },
    meter_profile: { type: 'string', enum: ['auto', ...profileIds], nullable: true, default: defaults.meter_profile },
    more_meters: { type: 'array', items: meterSchema, nullable: true, default: [] },
    meter_keys: { type: 'array', items: meterKeySchema, maxItems: 10_000, nullable: true, default: [] },
    partition_index: { type: 'integer', minimum: 0, maximum: 999, nullable: true },
    partition_count: { type: 'integer', minimum: 1, maximum: 1000, nullable: true },
  },
  required: [],
};
