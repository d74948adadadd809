import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import type { Keys } from '../dlms/cipher.js';
import { parseKey } from '../keys.js';
import { profileIds } from '../obis/profiles/index.js';

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
const text = { type: 'string', nullable: true } as const;

/** The schema of the document, checked against `OptionsDocument` by the compiler (ajv's JSONSchemaType). */
export const optionsSchema: JSONSchemaType<OptionsDocument> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], nullable: true, default: defaults.source },
    serial_port: text,
    baud_rate: { type: 'integer', enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], nullable: true, default: defaults.baud_rate },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], nullable: true, default: defaults.parity },
    tcp_host: text,
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true, default: defaults.tcp_port },
    mqtt_source_topic: topic,
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

/** The options after validation, keys parsed. Never log this object whole: it holds the keys and the password. */
export interface Settings {
  readonly sources: readonly [MeterSource, ...MeterSource[]];
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
  const name = e.instancePath.replace(/^\//, '') || 'options';
  switch (e.keyword) {
    case 'enum':
      return `${name}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'additionalProperties':
      return `${(e.params as { additionalProperty: string }).additionalProperty}: is not an option PowerMeter knows (check its spelling)`;
    case 'pattern':
      return name === 'mqtt_url' ? 'mqtt_url: must look like mqtt://host:1883 (or mqtts://, ws://, wss://)' : `${name}: must be an MQTT topic without wildcards (# or +)`;
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
  const source = o.source ?? defaults.source;
  let connection: Connection | null = null;
  if (source === 'serial') {
    if (o.serial_port) connection = { kind: 'serial', path: o.serial_port };
    else problems.push('serial_port: is required when source is serial (pick the adapter, preferably its /dev/serial/by-id/... name)');
  } else if (source === 'tcp') {
    if (o.tcp_host) connection = { kind: 'tcp', host: o.tcp_host.trim(), port: o.tcp_port ?? defaults.tcp_port };
    else problems.push('tcp_host: is required when source is tcp (the address of the bridge at the meter)');
  } else if (o.mqtt_source_topic) connection = { kind: 'mqtt', topic: o.mqtt_source_topic };
  else problems.push('mqtt_source_topic: is required when source is mqtt (the topic the bridge publishes raw frames on)');
  if (o.mqtt_password && !o.mqtt_username) {
    problems.push('mqtt_password: needs mqtt_username as well (a broker takes a password only with a user name); leave all mqtt_ options empty to use the Mosquitto add-on');
  }
  const keys: { encryption?: Uint8Array | undefined; authentication?: Uint8Array | undefined } = {};
  for (const [option, key] of [['encryption_key', 'encryption'], ['authentication_key', 'authentication']] as const) {
    try {
      keys[key] = parseKey(o[option], option);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0 || connection === null) throw new OptionsError(problems);
  const meter: MeterSource = {
    connection,
    baudRate: o.baud_rate ?? defaults.baud_rate,
    parity: o.parity ?? defaults.parity,
    keys,
    energyMultiplier: o.energy_multiplier,
    meterProfile: o.meter_profile ?? defaults.meter_profile,
  };
  return {
    sources: [meter],
    discoveryPrefix: o.discovery_prefix ?? defaults.discovery_prefix,
    baseTopic: o.base_topic ?? defaults.base_topic,
    broker: { url: o.mqtt_url ?? null, username: o.mqtt_username, password: o.mqtt_password },
    logLevel: o.log_level ?? defaults.log_level,
    dataTimeoutMs: (o.data_timeout ?? defaults.data_timeout) * 1000,
    captureMinutes: o.capture_minutes ?? defaults.capture_minutes,
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
