import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import type { Keys } from '../dlms/cipher.js';
import { parseKeyOptions } from '../keys.js';
import { profileIds } from '../obis/profiles/index.js';
import type { Partition } from '../source/partition.js';

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
  /** Seconds without a good frame before the sensors go unavailable and a TCP bridge is redialled. */
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

/** The defaults: config.yaml's `options` must say the same (a test holds them equal). */
export const defaults = {
  source: 'serial',
  baud_rate: 2400,
  parity: 'none',
  tcp_port: DEFAULT_TCP_PORT,
  discovery_prefix: 'homeassistant',
  base_topic: 'powermeter',
  log_level: 'info',
  data_timeout: 60,
  capture_minutes: 0,
  meter_profile: 'auto',
} as const satisfies Partial<Required<OptionsDocument>>;

/** A topic PowerMeter publishes under: no wildcards, no NUL (MQTT 3.1.1 §4.7.1). */
const topic = { type: 'string', pattern: '^[^#+\\u0000]*$', nullable: true } as const;
/**
 * A topic PowerMeter subscribes to for raw frames: wildcards allowed where MQTT allows them (§4.7.1.2, §4.7.1.3),
 * `+` for a whole level, `#` for the last.
 */
const filter = { type: 'string', pattern: '^(?:(?:[^#+/\\u0000]*|\\+)/)*(?:[^#+/\\u0000]*|\\+|#)$', nullable: true } as const;
const text = { type: 'string', nullable: true } as const;
const baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

const meterSchema: JSONSchemaType<MeterDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], nullable: true },
    serial_port: text,
    tcp_host: text,
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true },
    mqtt_source_topic: filter,
    baud_rate: { type: 'integer', enum: baudRates, nullable: true },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], nullable: true },
    encryption_key: text,
    authentication_key: text,
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
    encryption_key: text,
    authentication_key: text,
  },
  required: ['system_title'],
};

/** The schema of the document, checked against `OptionsDocument` by the compiler (ajv's JSONSchemaType). */
export const optionsSchema: JSONSchemaType<OptionsDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], nullable: true, default: defaults.source },
    serial_port: text,
    baud_rate: { type: 'integer', enum: baudRates, nullable: true, default: defaults.baud_rate },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], nullable: true, default: defaults.parity },
    tcp_host: text,
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true, default: defaults.tcp_port },
    mqtt_source_topic: filter,
    encryption_key: text,
    authentication_key: text,
    energy_multiplier: { type: 'number', exclusiveMinimum: 0, nullable: true },
    discovery_prefix: { ...topic, default: defaults.discovery_prefix },
    base_topic: { ...topic, default: defaults.base_topic },
    mqtt_url: { type: 'string', nullable: true, pattern: '^(mqtts?|wss?|tcp|ssl)://[^\\s]+$' },
    mqtt_username: text,
    mqtt_password: text,
    log_level: { type: 'string', enum: ['trace', 'debug', 'info', 'warning', 'error'], nullable: true, default: defaults.log_level },
    data_timeout: { type: 'integer', minimum: 15, maximum: 3600, nullable: true, default: defaults.data_timeout },
    capture_minutes: { type: 'integer', minimum: 0, maximum: 1440, nullable: true, default: defaults.capture_minutes },
    meter_profile: { type: 'string', enum: ['auto', ...profileIds], nullable: true, default: defaults.meter_profile },
    more_meters: { type: 'array', items: meterSchema, maxItems: 16, nullable: true, default: [] },
    meter_keys: { type: 'array', items: meterKeySchema, maxItems: 10_000, nullable: true, default: [] },
    partition_index: { type: 'integer', minimum: 0, maximum: 999, nullable: true },
    partition_count: { type: 'integer', minimum: 1, maximum: 1000, nullable: true },
  },
  required: [],
};

/** Where the meter's bytes come from: exactly what that kind of source needs, nothing optional. */
export type Connection =
  | { readonly kind: 'serial'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'mqtt'; readonly topic: string };

/** One meter connection and how its frames are read. */
export interface MeterSource {
  readonly connection: Connection;
  readonly baudRate: number;
  readonly parity: Parity;
  readonly keys: Keys;
  readonly energyMultiplier: number | undefined;
  /** A profile id, or "auto" to detect it from the frames. */
  readonly meterProfile: string;
}

/** Keys for the meter whose frames carry this system title. */
export interface MeterKeys {
  /** 16 hex digits, upper case, as the decoder prints a frame's system title. */
  readonly systemTitle: string;
  readonly keys: Keys;
}

/** The options after validation, keys parsed. Never log this object whole: it holds the keys and the password. */
export interface Settings {
  readonly sources: readonly [MeterSource, ...MeterSource[]];
  readonly meterKeys: readonly MeterKeys[];
  readonly partition: Partition | null;
  readonly discoveryPrefix: string;
  readonly baseTopic: string;
  /** A broker of the user's own; null: the Mosquitto add-on (in the add-on) or mqtt://127.0.0.1:1883. */
  readonly broker: { readonly url: string | null; readonly username: string | undefined; readonly password: string | undefined };
  readonly logLevel: LogLevel;
  readonly dataTimeoutMs: number;
  readonly captureMinutes: number;
}

export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OptionsError';
  }
}

function describe(e: ErrorObject): string {
  // /more_meters/0/tcp_host → more_meters[1].tcp_host: counted from 1, as the options form shows them.
  const name = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(\/|$)/g, (_m, i: string, end: string) => `[${Number(i) + 1}]${end ? '.' : ''}`) || 'options';
  switch (e.keyword) {
    case 'enum':
      return `${name}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'additionalProperties':
      return `${(e.params as { additionalProperty: string }).additionalProperty}: is not an option PowerMeter knows (check its spelling)`;
    case 'pattern':
      if (name === 'mqtt_url') return 'mqtt_url: must look like mqtt://host:1883 (or mqtts://, ws://, wss://)';
      if (name.endsWith('system_title')) return `${name}: must be the 16 hex digits of the meter's system title (powermeter decode prints it as systemTitle)`;
      if (name.endsWith('mqtt_source_topic')) return `${name}: must be an MQTT topic, wildcards only as whole levels (+) or at the end (#)`;
      return `${name}: must be an MQTT topic without wildcards (# or +)`;
    default:
      return `${name}: ${e.message ?? 'is invalid'}`;
  }
}

// coerceTypes: the Supervisor writes the value of a list(2400|9600) option as the string "2400".
const ajv = new Ajv({ allErrors: true, coerceTypes: true });
const validate = ajv.compile(optionsSchema);

/** Options whose emptied value means "not set": the Supervisor writes an emptied optional field as "" or null. */
const optional = new Set(['serial_port', 'tcp_host', 'mqtt_source_topic', 'encryption_key', 'authentication_key', 'energy_multiplier', 'mqtt_url', 'mqtt_username', 'mqtt_password']);
/** Options that must not be empty: a topic of "" would publish where nobody looks. */
const required: Record<string, string> = {
  discovery_prefix: 'must not be empty (Home Assistant listens on homeassistant unless its MQTT integration was told otherwise)',
  base_topic: 'must not be empty (powermeter is the default)',
};

/** Validates an options document. Every problem becomes one readable line; none of them quotes a secret. */
export function parseOptions(input: unknown): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new OptionsError(['options: must be a JSON object']);
  const doc: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [k, v] of Object.entries(input)) {
    const empty = v === null || (typeof v === 'string' && v.trim() === '');
    if (!empty) doc[k] = v;
    else if (required[k]) problems.push(`${k}: ${required[k]}`);
    else if (!optional.has(k) && v !== null) doc[k] = v; // "" where a number or a choice belongs: the schema says so
  }
  if (!validate(doc)) {
    // Said, then left out, so that the checks below still say everything else that is wrong in one go.
    for (const e of validate.errors ?? []) {
      problems.push(describe(e));
      const key = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : e.instancePath.split('/')[1];
      if (key !== undefined) delete doc[key];
    }
    if (!validate(doc)) throw new OptionsError(problems);
  }
  const o: OptionsDocument = doc;
  const first = meterSource(o, '', problems);
  const more = (o.more_meters ?? []).map((m, i) => meterSource(m, `more_meters[${i + 1}].`, problems));
  if (o.mqtt_password && !o.mqtt_username) {
    problems.push('mqtt_password: needs mqtt_username as well (a broker takes a password only with a user name); leave all mqtt_ options empty to use the Mosquitto add-on');
  }
  const meterKeys: MeterKeys[] = [];
  const titles = new Set<string>();
  (o.meter_keys ?? []).forEach((k, i) => {
    const at = `meter_keys[${i + 1}].`;
    const systemTitle = k.system_title.trim().toUpperCase();
    if (titles.has(systemTitle)) problems.push(`${at}system_title: ${systemTitle} is listed twice`);
    titles.add(systemTitle);
    const keys = parseKeyOptions(k, at, problems);
    if (!keys.encryption && !keys.authentication) problems.push(`meter_keys[${i + 1}]: needs an encryption_key (and an authentication_key when the meter authenticates)`);
    meterKeys.push({ systemTitle, keys });
  });
  let partition: Partition | null = null;
  if (o.partition_index !== undefined || o.partition_count !== undefined) {
    const index = o.partition_index ?? 0;
    const count = o.partition_count ?? 1;
    if (o.partition_count === undefined || o.partition_index === undefined) problems.push('partition_index, partition_count: set both, or neither');
    else if (index >= count) problems.push(`partition_index: must be below partition_count (${count}): instances count from 0`);
    else partition = { index, count };
  }
  if (problems.length > 0 || first === null || more.some((m) => m === null)) throw new OptionsError(problems);
  return {
    sources: [first, ...more.filter((m): m is MeterSource => m !== null)],
    meterKeys,
    partition,
    discoveryPrefix: o.discovery_prefix ?? defaults.discovery_prefix,
    baseTopic: o.base_topic ?? defaults.base_topic,
    broker: { url: o.mqtt_url ?? null, username: o.mqtt_username, password: o.mqtt_password },
    logLevel: o.log_level ?? defaults.log_level,
    dataTimeoutMs: (o.data_timeout ?? defaults.data_timeout) * 1000,
    captureMinutes: o.capture_minutes ?? defaults.capture_minutes,
  };
}

const emptyToUndefined = (v: string | undefined | null): string | undefined => (v === null || v === undefined || v.trim() === '' ? undefined : v);

/** One meter's connection, line and keys, from the first meter's options or an item of more_meters (`at` names it). */
function meterSource(o: MeterDocument, at: string, problems: string[]): MeterSource | null {
  const source = o.source ?? defaults.source;
  const port = emptyToUndefined(o.serial_port);
  const host = emptyToUndefined(o.tcp_host)?.trim();
  const topicFilter = emptyToUndefined(o.mqtt_source_topic);
  let connection: Connection | null = null;
  if (source === 'serial') {
    if (port) connection = { kind: 'serial', path: port };
    else problems.push(`${at}serial_port: is required when source is serial (pick the adapter, preferably its /dev/serial/by-id/... name)`);
  } else if (source === 'tcp') {
    if (host) connection = { kind: 'tcp', host, port: o.tcp_port ?? defaults.tcp_port };
    else problems.push(`${at}tcp_host: is required when source is tcp (the address of the bridge at the meter)`);
  } else if (topicFilter) connection = { kind: 'mqtt', topic: topicFilter };
  else problems.push(`${at}mqtt_source_topic: is required when source is mqtt (the topic the bridge publishes raw frames on)`);
  const keys = parseKeyOptions(o, at, problems);
  if (connection === null) return null;
  return {
    connection,
    baudRate: o.baud_rate ?? defaults.baud_rate,
    parity: o.parity ?? defaults.parity,
    keys,
    energyMultiplier: o.energy_multiplier,
    meterProfile: o.meter_profile ?? defaults.meter_profile,
  };
}

export function loadOptions(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OptionsError([`cannot read the options file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OptionsError([`the options file ${path} is not valid JSON`]);
  }
  return parseOptions(doc);
}
