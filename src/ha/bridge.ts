import { availabilityTopic, bridgeId, type Origin, type Topics } from './discovery.js';
import type { SourceState } from '../source/source.js';

/**
 * The key check's states: the options of the `security` diagnostic sensor (the core's key check, key-check.ts, decides
 * and says each on every change). The most common question of users of these meters is "why does nothing show up?";
 * this answers it.
 */
export const securityStates = [
  'authenticated',
  'encryption_only',
  'not_authenticated',
  'keys_swapped',
  'not_encrypted',
  'wrong_authentication_key',
  'wrong_encryption_key',
  'key_missing',
  'no_frames',
  'no_data',
] as const;

export type SecurityState = (typeof securityStates)[number];

/**
 * The add-on itself as a device: its diagnostics must stay available exactly when the meter's data is not
 * (wrong keys, a stalled port), so they hang on the service's availability only.
 */
export interface BridgeState {
  security: SecurityState;
  frames_decoded: number;
  checksum_errors: number;
  authentication_failures: number;
  seconds_since_last_frame: number | null;
  source_state: SourceState;
  problem: 'ON' | 'OFF';
}

export const bridgeStateTopic = (t: Topics): string => (t.partition ? `${t.baseTopic}/bridge_p${t.partition.index}/state` : `${t.baseTopic}/bridge/state`);

/** One source as its diagnostics name it. */
export interface BridgeSource {
  /** Appended to each diagnostic's key: "" for the first source (the keys of a one-meter installation), "_2" on. */
  readonly suffix: string;
  /** Said in the names when there are several sources: "tcp 192.168.1.51:6638". */
  readonly name: string;
}

/** The suffix of the nth source (from 0): its key names, and the unique ids built from them, never change. */
export const sourceSuffix = (index: number): string => (index === 0 ? '' : `_${index + 1}`);

/** The diagnostics of every source in one message: each source's fields with its suffix. */
export function bridgePayload(states: readonly { readonly suffix: string; readonly state: BridgeState }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { suffix, state } of states) for (const [key, value] of Object.entries(state)) out[`${key}${suffix}`] = value;
  return out;
}
export const bridgeDiscoveryTopic = (t: Topics): string => `${t.discoveryPrefix}/device/${bridgeId(t)}/config`;

/**
 * The PowerMeter device and its diagnostics, all enabled: they are what tells a user why the meter shows nothing.
 * `configurationUrl` opens the add-on's page in Home Assistant (`homeassistant://app/<slug>`, see addon/main.ts; core
 * accepts the scheme, helpers/device_registry.py CONFIGURATION_URL_SCHEMES); outside the add-on there is none.
 */
export function bridgeDiscovery(t: Topics, origin: Origin, configurationUrl: string | null = null, sources: readonly BridgeSource[] = [{ suffix: '', name: '' }]): Record<string, unknown> {
  const id = bridgeId(t);
  const components: Record<string, unknown> = {};
  for (const source of sources) {
    // With one source the names stay as they were; with several, each says which source it is about.
    const named = (name: string) => (sources.length > 1 ? `${name} (${source.name})` : name);
    const sensor = (field: string, name: string, rest: Record<string, unknown>, platform = 'sensor') => {
      const key = `${field}${source.suffix}`;
      components[key] = {
        platform,
        name: named(name),
        unique_id: `${id}_${key}`,
        default_entity_id: `${platform}.${id}_${key}`,
        value_template: `{{ value_json.${key} }}`,
        entity_category: 'diagnostic',
        ...rest,
      };
    };
    const counter = { state_class: 'total_increasing', icon: 'mdi:counter' };
    sensor('security', 'Key check', { device_class: 'enum', options: [...securityStates], icon: 'mdi:key' });
    sensor('frames_decoded', 'Frames decoded', counter);
    sensor('checksum_errors', 'Checksum errors', counter);
    sensor('authentication_failures', 'Authentication failures', counter);
    sensor('seconds_since_last_frame', 'Time since last frame', { device_class: 'duration', state_class: 'measurement', unit_of_measurement: 's' });
    sensor('source_state', 'Source', { device_class: 'enum', options: ['connecting', 'connected', 'disconnected'], icon: 'mdi:serial-port' });
    sensor('problem', 'No data from the meter', { device_class: 'problem', payload_on: 'ON', payload_off: 'OFF' }, 'binary_sensor');
  }
  return {
    device: {
      identifiers: [id],
      // Instances sharing a fleet are told apart by their partition.
      name: t.partition ? `PowerMeter partition ${t.partition.index}` : 'PowerMeter',
      manufacturer: 'PowerMeter',
      model: 'HAN port reader',
      sw_version: origin.sw_version,
      ...(configurationUrl === null ? {} : { configuration_url: configurationUrl }),
    },
    origin,
    state_topic: bridgeStateTopic(t),
    availability: [{ topic: availabilityTopic(t) }],
    components,
  };
}
