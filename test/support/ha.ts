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

/** The template forms PowerMeter's discovery uses, rendered as Home Assistant renders them (helpers/template.py). */
/** A JSON value as Jinja prints it: null as None, text as itself, anything else as JSON. */
const printed = (v: unknown): string => (v === null ? 'None' : typeof v === 'string' ? v : JSON.stringify(v));

const forms: [RegExp, (value: unknown) => string][] = [
  // {{ value_json.key }}: a number or text as itself, null as None (which mqtt/sensor.py takes as "unknown").
  [/^\{\{ value_json\.(\w+) \}\}$/, printed],
  // {{ value_json.key or '' }}: a falsy value (null, '', 0) gives ''.
  [/^\{\{ value_json\.(\w+) or '' \}\}$/, (v) => (v === null || v === '' || v === 0 || v === false ? '' : printed(v))],
  // {{ value_json.key | tojson }}
  [/^\{\{ value_json\.(\w+) \| tojson \}\}$/, (v) => JSON.stringify(v)],
];

/**
 * Renders one of PowerMeter's templates against a message, or says what Home Assistant would complain about: a key
 * the message lacks is "Template variable warning: 'dict object' has no attribute" (and a TypeError under tojson).
 * Any other template form is refused here, so that a new one is checked on purpose.
 */
export function renderTemplate(template: string, message: Record<string, unknown>): { ok: true; text: string } | { ok: false; problem: string } {
  for (const [re, render] of forms) {
    const m = re.exec(template);
    if (!m) continue;
    const key = m[1]!;
    if (!(key in message)) return { ok: false, problem: `'dict object' has no attribute '${key}'` };
    return { ok: true, text: render(message[key]) };
  }
  return { ok: false, problem: `template form not known to the test: ${template}` };
}

interface DeviceConfig {
  state_topic?: string;
  components?: Record<string, Component & { state_topic?: string; last_reset_value_template?: string; json_attributes_topic?: string; json_attributes_template?: string; enabled_by_default?: boolean }>;
}

/**
 * What Home Assistant would log for the messages a run published, judged by the discovery configs of that run: every
 * template of every component rendered against every message on its topic. Empty when Home Assistant would say
 * nothing.
 */
export function templateProblems(configs: readonly unknown[], messages: readonly { topic: string; payload: string }[]): string[] {
  const problems = new Set<string>();
  const byTopic = new Map<string, Record<string, unknown>[]>();
  for (const m of messages) {
    if (m.payload === '' || m.payload[0] !== '{') continue;
    const list = byTopic.get(m.topic) ?? [];
    list.push(JSON.parse(m.payload) as Record<string, unknown>);
    byTopic.set(m.topic, list);
  }
  for (const config of configs as DeviceConfig[]) {
    for (const [key, c] of Object.entries(config.components ?? {})) {
      const topic = c.state_topic ?? config.state_topic;
      if (/_previous_/.test(key) && (c.state_class !== undefined || c.last_reset_value_template !== undefined)) problems.add(`${key}: a previous period has a state_class or last_reset`);
      for (const message of topic ? (byTopic.get(topic) ?? []) : []) {
        if (c.value_template) {
          const r = renderTemplate(c.value_template, message);
          if (!r.ok) problems.add(`${key} value: ${r.problem}`);
        }
        if (c.last_reset_value_template) {
          const r = renderTemplate(c.last_reset_value_template, message);
          if (!r.ok) problems.add(`${key} last_reset: ${r.problem}`);
          else if (r.text !== '' && Number.isNaN(Date.parse(r.text))) problems.add(`${key} last_reset: Invalid last_reset message '${r.text}'`);
        }
      }
      if (c.json_attributes_template) {
        for (const message of byTopic.get(c.json_attributes_topic ?? '') ?? []) {
          const r = renderTemplate(c.json_attributes_template, message);
          if (!r.ok) problems.add(`${key} attributes: ${r.problem}`);
          else {
            const parsed = JSON.parse(r.text) as unknown;
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.add(`${key} attributes: JSON result was not a dictionary (${r.text})`);
          }
        }
      }
    }
  }
  return [...problems];
}

/** The rows of DOCS.md's table of which sensors are created enabled: each a list of key patterns (`*` any text). */
export function enabledTable(docs: string): { patterns: RegExp[]; enabled: boolean }[] {
  const section = /## Which sensors are enabled\n([\s\S]*?)\n## /.exec(docs)?.[1] ?? '';
  return section
    .split('\n')
    .filter((l) => /^\| .*\| (enabled|disabled) \|$/.test(l))
    .map((l) => ({
      patterns: [...l.split('|')[1]!.matchAll(/`([\w*]+)`/g)].map((m) => new RegExp(`^${m[1]!.replace(/\*/g, '\\w*')}$`)),
      enabled: l.trimEnd().endsWith('| enabled |'),
    }));
}
