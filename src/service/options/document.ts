import type { JSONSchemaType } from 'ajv';
import { aggregations, capacityTariffs } from '../../capacity/rule.js';
import { MAX_PEAKS } from '../../capacity/settings.js';
import { profileIds } from '../../obis/profiles/index.js';
import { chargeOwnerIds } from '../../prices/charge-owners.data.js';
import { priceAreas } from '../../prices/settings.js';

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
  /** Danish electricity prices: the bidding zone, none for no prices. */
  price_area?: 'none' | 'DK1' | 'DK2';
  /** The grid company whose tariff is part of the price (charge owner id), none for none. */
  grid_company?: string;
  /** DKK/kWh excl. VAT. */
  supplier_markup?: number;
  vat_percent?: number;
  /** DKK/kWh added to the spot price for exported energy. */
  export_markup?: number;
  capacity_tariff?: string;
  capacity_window?: number;
  capacity_peaks?: number;
  capacity_distinct_days?: boolean;
  capacity_aggregation?: string;
  capacity_floor_kw?: number;
  /** "22-6 0.5": the night hours and the weight a window in them counts at. */
  capacity_night?: string;
  /** "11-3", "1,2,12": the months, weekdays (1 Monday … 7 Sunday) and hours that count. */
  capacity_months?: string;
  capacity_weekdays?: string;
  capacity_hours?: string;
  capacity_steps?: CapacityStepDocument[];
  capacity_step_included?: boolean;
  /** Seconds between state messages of a meter that sends every second (P1): its power is averaged over them. */
  publish_interval?: number;
}

export interface CapacityStepDocument {
  from_kw: number;
  price: number;
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
  price_area: 'none',
  grid_company: 'none',
  supplier_markup: 0,
  vat_percent: 25,
  export_markup: 0,
  capacity_tariff: 'none',
  capacity_steps: [],
  publish_interval: 10,
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
    price_area: { type: 'string', enum: ['none', ...priceAreas], nullable: true, default: defaults.price_area },
    grid_company: { type: 'string', enum: ['none', ...chargeOwnerIds], nullable: true, default: defaults.grid_company },
    supplier_markup: { type: 'number', minimum: -100, maximum: 100, nullable: true, default: defaults.supplier_markup },
    vat_percent: { type: 'number', minimum: 0, maximum: 100, nullable: true, default: defaults.vat_percent },
    export_markup: { type: 'number', minimum: -100, maximum: 100, nullable: true, default: defaults.export_markup },
    capacity_tariff: { type: 'string', enum: [...capacityTariffs], nullable: true, default: defaults.capacity_tariff },
    capacity_window: { type: 'integer', enum: [15, 60], nullable: true },
    capacity_peaks: { type: 'integer', minimum: 1, maximum: MAX_PEAKS, nullable: true },
    capacity_distinct_days: { type: 'boolean', nullable: true },
    capacity_aggregation: { type: 'string', enum: [...aggregations], nullable: true },
    capacity_floor_kw: { type: 'number', minimum: 0, maximum: 10_000, nullable: true },
    capacity_night: text(32),
    capacity_months: text(64),
    capacity_weekdays: text(32),
    capacity_hours: text(96),
    capacity_steps: {
      type: 'array',
      maxItems: 64,
      nullable: true,
      default: [],
      items: { type: 'object', additionalProperties: false, properties: { from_kw: { type: 'number', minimum: 0, maximum: 100_000 }, price: { type: 'number' } }, required: ['from_kw', 'price'] },
    },
    capacity_step_included: { type: 'boolean', nullable: true },
    publish_interval: { type: 'integer', minimum: 1, maximum: 300, nullable: true, default: defaults.publish_interval },
  },
  required: [],
};
