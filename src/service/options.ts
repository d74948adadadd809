import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import { parseKey } from '../keys.js';
import type { Keys } from '../dlms/cipher.js';
import { profileIds } from '../obis/profiles/index.js';

/** The add-on's options. These names are what users see in the add-on's options panel: never rename one. */
export interface Options {
  source: 'serial' | 'tcp' | 'mqtt';
  serial_port?: string;
  baud_rate: number;
  parity: 'none' | 'even' | 'odd';
  tcp_host?: string;
  tcp_port: number;
  mqtt_source_topic?: string;
  encryption_key?: string;
  authentication_key?: string;
  energy_multiplier?: number;
  discovery_prefix: string;
  base_topic: string;
  mqtt_url?: string;
  mqtt_username?: string;
  mqtt_password?: string;
  log_level: 'trace' | 'debug' | 'info' | 'warning' | 'error';
  /** Seconds without a good frame before the sensors go unavailable and a TCP bridge is redialled. */
  data_timeout: number;
  /** Minutes of raw frames to record for a bug report at start-up; 0 records nothing. */
  capture_minutes: number;
  /** A meter profile to use instead of detecting it from the frames. */
  meter_profile: string;
}

/** Default port of the ESPHome stream server, which the bridge in hw/ runs. */
export const DEFAULT_TCP_PORT = 6638;

const topic = { type: 'string', minLength: 1, pattern: '^[^#+\\u0000]+$' } as const;

export const optionsSchema: JSONSchemaType<Options> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['serial', 'tcp', 'mqtt'], default: 'serial' },
    serial_port: { type: 'string', nullable: true },
    baud_rate: { type: 'integer', enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], default: 2400 },
    parity: { type: 'string', enum: ['none', 'even', 'odd'], default: 'none' },
    tcp_host: { type: 'string', nullable: true },
    tcp_port: { type: 'integer', minimum: 1, maximum: 65535, default: DEFAULT_TCP_PORT },
    mqtt_source_topic: { ...topic, nullable: true },
    encryption_key: { type: 'string', nullable: true },
    authentication_key: { type: 'string', nullable: true },
    energy_multiplier: { type: 'number', exclusiveMinimum: 0, nullable: true },
    discovery_prefix: { ...topic, default: 'homeassistant' },
    base_topic: { ...topic, default: 'powermeter' },
    mqtt_url: { type: 'string', nullable: true, pattern: '^(mqtts?|wss?|tcp|ssl)://[^\\s]+$' },
    mqtt_username: { type: 'string', nullable: true },
    mqtt_password: { type: 'string', nullable: true },
    log_level: { type: 'string', enum: ['trace', 'debug', 'info', 'warning', 'error'], default: 'info' },
    data_timeout: { type: 'integer', minimum: 15, maximum: 3600, default: 60 },
    capture_minutes: { type: 'integer', minimum: 0, maximum: 1440, default: 0 },
    meter_profile: { type: 'string', enum: ['auto', ...profileIds], default: 'auto' },
  },
  required: [],
} as unknown as JSONSchemaType<Options>;

/** The options after validation, with the keys parsed. Never log this object whole. */
export interface Settings extends Options {
  keys: Keys;
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
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true });
const validate = ajv.compile(optionsSchema);

/** Validates an options document. Every problem becomes one readable line; none of them quotes a secret. */
export function parseOptions(input: unknown): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new OptionsError(['options: must be a JSON object']);
  const doc = { ...(input as Record<string, unknown>) };
  // The Supervisor writes an emptied optional field as "" or null: both mean "not set".
  for (const [k, v] of Object.entries(doc)) if (v === '' || v === null) delete doc[k];
  const problems: string[] = [];
  if (!validate(doc)) problems.push(...(validate.errors ?? []).map(describe));
  const o = doc as unknown as Options;
  if (o.source === 'serial' && !o.serial_port) problems.push('serial_port: is required when source is serial (pick the adapter, preferably its /dev/serial/by-id/... name)');
  if (o.source === 'tcp' && !o.tcp_host) problems.push('tcp_host: is required when source is tcp (the address of the bridge at the meter)');
  if (o.source === 'mqtt' && !o.mqtt_source_topic) problems.push('mqtt_source_topic: is required when source is mqtt (the topic the bridge publishes raw frames on)');
  const keys: { encryption?: Uint8Array | undefined; authentication?: Uint8Array | undefined } = {};
  for (const [option, key] of [['encryption_key', 'encryption'], ['authentication_key', 'authentication']] as const) {
    try {
      keys[key] = parseKey(typeof doc[option] === 'string' ? doc[option] : undefined, option);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new OptionsError(problems);
  return { ...o, keys };
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
