import type { Keys } from '../../dlms/cipher.js';
import { parseKeyOptions } from '../../dlms/keys.js';
import type { CapacitySetting } from '../../core/extras.js';
import type { PriceSettings } from '../../prices/settings.js';
import type { Partition } from '../../source/partition.js';
import { capacitySetting, priceSettings } from './tariffs.js';
import { defaults, MAX_MORE_METERS, type LogLevel, type MeterDocument, type OptionsDocument, type Parity } from './document.js';

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
  /** What the service should say at the start about options it took but did not use whole (more meters than it reads). */
  readonly notes: readonly string[];
  /** Danish prices and each meter's cost; null without a price area. */
  readonly prices: PriceSettings | null;
  readonly capacity: CapacitySetting | null;
  /** How often a meter that sends every second (P1) is published, its power averaged over it. */
  readonly publishIntervalMs: number;
}

/** The service's settings from a valid document; what is wrong beyond the schema is added to `problems`. */
export function toSettings(o: OptionsDocument, problems: string[]): Settings | null {
  const notes: string[] = [];
  const first = meterSource(o, '', problems);
  let items = o.more_meters ?? [];
  if (items.length > MAX_MORE_METERS) {
    notes.push(`more_meters lists ${items.length} meters: PowerMeter reads the first ${MAX_MORE_METERS} and leaves out the rest (items ${MAX_MORE_METERS + 1} to ${items.length}); share them among instances (docs/scaling.md)`);
    items = items.slice(0, MAX_MORE_METERS);
  }
  const more = items.map((m, i) => meterSource(m, `more_meters[${i + 1}].`, problems));
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
  const prices = priceSettings(o, problems);
  const capacity = capacitySetting(o, problems);
  if (problems.length > 0 || first === null || more.some((m) => m === null)) return null;
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
    notes,
    prices,
    capacity,
    publishIntervalMs: (o.publish_interval ?? defaults.publish_interval) * 1000,
  };
}

/** One meter's connection, line and keys, from the first meter's options or an item of more_meters (`at` names it). */
function meterSource(o: MeterDocument, at: string, problems: string[]): MeterSource | null {
  const source = o.source ?? defaults.source;
  const port = o.serial_port?.trim();
  const host = o.tcp_host?.trim();
  const topicFilter = o.mqtt_source_topic;
  let connection: Connection | null = null;
  if (source === 'serial') {
    if (port) connection = { kind: 'serial', path: port };
    else problems.push(`${at}serial_port: is required when source is serial (the adapter's /dev/serial/by-id/... name: PowerMeter's page lists the ports it sees)`);
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
