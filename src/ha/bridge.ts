import { securityStates, type SecurityState } from '../diagnostics/key-check.js';
import type { SourceState } from '../source/source.js';
import { availabilityTopic, bridgeId, type Origin, type Topics } from './discovery.js';

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

export const bridgeStateTopic = (t: Topics): string => `${t.baseTopic}/bridge/state`;
export const bridgeDiscoveryTopic = (t: Topics): string => `${t.discoveryPrefix}/device/${bridgeId(t)}/config`;

/**
 * The PowerMeter device and its diagnostics, all enabled: they are what tells a user why the meter shows nothing.
 * `configurationUrl` opens the add-on in Home Assistant (`homeassistant://hassio/addon/<slug>`, the form core's own
 * hassio integration gives add-on devices; core accepts the scheme, helpers/device_registry.py
 * CONFIGURATION_URL_SCHEMES); outside the add-on there is none.
 */
export function bridgeDiscovery(t: Topics, origin: Origin, configurationUrl: string | null = null): Record<string, unknown> {
  const id = bridgeId(t);
  const sensor = (key: string, name: string, rest: Record<string, unknown>, platform = 'sensor') => ({
    platform,
    name,
    unique_id: `${id}_${key}`,
    default_entity_id: `${platform}.${id}_${key}`,
    value_template: `{{ value_json.${key} }}`,
    entity_category: 'diagnostic',
    ...rest,
  });
  const counter = { state_class: 'total_increasing', icon: 'mdi:counter' };
  return {
    device: {
      identifiers: [id],
      name: 'PowerMeter',
      manufacturer: 'PowerMeter',
      model: 'HAN port reader',
      sw_version: origin.sw_version,
      ...(configurationUrl === null ? {} : { configuration_url: configurationUrl }),
    },
    origin,
    state_topic: bridgeStateTopic(t),
    availability: [{ topic: availabilityTopic(t) }],
    components: {
      security: sensor('security', 'Key check', { device_class: 'enum', options: [...securityStates], icon: 'mdi:key' }),
      frames_decoded: sensor('frames_decoded', 'Frames decoded', counter),
      checksum_errors: sensor('checksum_errors', 'Checksum errors', counter),
      authentication_failures: sensor('authentication_failures', 'Authentication failures', counter),
      seconds_since_last_frame: sensor('seconds_since_last_frame', 'Time since last frame', { device_class: 'duration', state_class: 'measurement', unit_of_measurement: 's' }),
      source_state: sensor('source_state', 'Source', { device_class: 'enum', options: ['connecting', 'connected', 'disconnected'], icon: 'mdi:serial-port' }),
      problem: sensor('problem', 'No data from the meter', { device_class: 'problem', payload_on: 'ON', payload_off: 'OFF' }, 'binary_sensor'),
    },
  };
}
