import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const classes = JSON.parse(readFileSync(new URL('../fixtures/home-assistant/ha-sensor-device-classes.json', import.meta.url), 'utf8')) as Record<string, { units: (string | null)[]; state_classes: string[] }>;
const schema = JSON.parse(readFileSync(new URL('../fixtures/home-assistant/mqtt-sensor-discovery.schema.json', import.meta.url), 'utf8')) as object;
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Home Assistant's BinarySensorDeviceClass values (homeassistant/components/binary_sensor/__init__.py). */
const binarySensorClasses = ['battery', 'battery_charging', 'carbon_monoxide', 'cold', 'connectivity', 'door', 'garage_door', 'gas', 'heat', 'light', 'lock', 'moisture', 'motion', 'moving', 'occupancy', 'opening', 'plug', 'power', 'presence', 'problem', 'running', 'safety', 'smoke', 'sound', 'tamper', 'update', 'vibration', 'window'];

interface Component {
  platform: string;
  unique_id: string;
  device_class?: string;
  state_class?: string;
  unit_of_measurement?: string;
  value_template?: string;
  default_entity_id?: string;
  entity_category?: string;
}

/** Every problem Home Assistant would have with a device discovery payload, as readable lines. */
export function discoveryProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const components = (payload as { components?: Record<string, Component> }).components ?? {};
  // The draft schema describes sensors only: binary sensors are checked by hand below.
  const sensorsOnly = { ...(payload as object), components: Object.fromEntries(Object.entries(components).filter(([, c]) => c.platform !== 'binary_sensor')) };
  if (!validateSchema(sensorsOnly)) problems.push(...(validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
  for (const [key, c] of Object.entries(components)) {
    if (c.platform === 'binary_sensor') {
      if (!c.unique_id || !c.default_entity_id?.startsWith('binary_sensor.')) problems.push(`${key}: a binary_sensor needs a unique_id and a binary_sensor. entity id`);
      if (c.device_class !== undefined && !binarySensorClasses.includes(c.device_class)) problems.push(`${key}: unknown binary_sensor device_class ${c.device_class}`);
      continue;
    }
    if (c.platform !== 'sensor') problems.push(`${key}: unexpected platform ${c.platform}`);
    if (c.device_class === 'enum' && !Array.isArray((c as { options?: unknown }).options)) problems.push(`${key}: an enum sensor needs options`);
    if ((c as { last_reset_value_template?: string }).last_reset_value_template !== undefined && c.state_class !== 'total') problems.push(`${key}: last_reset needs state_class total`);
    if (c.device_class === undefined) continue;
    const allowed = classes[c.device_class];
    if (!allowed) {
      problems.push(`${key}: unknown device_class ${c.device_class}`);
      continue;
    }
    if (!allowed.units.includes(c.unit_of_measurement ?? null)) problems.push(`${key}: unit ${String(c.unit_of_measurement)} not valid for ${c.device_class}`);
    if (c.state_class !== undefined && !allowed.state_classes.includes(c.state_class)) problems.push(`${key}: state_class ${c.state_class} not valid for ${c.device_class}`);
  }
  return problems;
}

/** What the Energy dashboard asks of a grid consumption/return sensor and of a grid power sensor. */
export function energyDashboardProblems(c: Component | undefined, kind: 'energy' | 'power'): string[] {
  if (!c) return ['missing'];
  const p: string[] = [];
  if (kind === 'energy') {
    if (c.device_class !== 'energy') p.push(`device_class ${String(c.device_class)}`);
    if (!['total', 'total_increasing'].includes(c.state_class ?? '')) p.push(`state_class ${String(c.state_class)}`);
    if (!['Wh', 'kWh', 'MWh', 'GJ', 'MJ'].includes(c.unit_of_measurement ?? '')) p.push(`unit ${String(c.unit_of_measurement)}`);
  } else {
    if (c.device_class !== 'power' || c.state_class !== 'measurement' || !['W', 'kW'].includes(c.unit_of_measurement ?? '')) p.push('not a power measurement in W');
  }
  return p;
}
