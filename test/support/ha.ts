import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const classes = JSON.parse(readFileSync(new URL('../fixtures/home-assistant/ha-sensor-device-classes.json', import.meta.url), 'utf8')) as Record<string, { units: (string | null)[]; state_classes: string[] }>;
const schema = JSON.parse(readFileSync(new URL('../fixtures/home-assistant/mqtt-sensor-discovery.schema.json', import.meta.url), 'utf8')) as object;
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

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
  if (!validateSchema(payload)) problems.push(...(validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
  const components = (payload as { components?: Record<string, Component> }).components ?? {};
  for (const [key, c] of Object.entries(components)) {
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
