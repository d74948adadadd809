import type { ErrorObject } from 'ajv';
import { defaults } from './document.js';

/**
 * The Supervisor's rules for an add-on's options, as PowerMeter meets them (home-assistant/supervisor):
 * - `supervisor/apps/options.py` (AppOptions): a `list(a|b)` value is checked and written as text (`str(value)`), so
 *   the service coerces "2400" to 2400; `int` and `port` are coerced to integers (`vol.Coerce(int)`,
 *   `supervisor/validate.py` network_port); an option without `?` must be present (`_check_missing_options`).
 * - The form writes an emptied optional field as "" or null, or leaves it out: all three mean "not set".
 * - `supervisor/api/apps.py` (`options`): a POST stores its body as the user's options, whole; `supervisor/apps/app.py`
 *   (`options`) answers the defaults of config.yaml merged with them. Every scalar option of config.yaml is optional
 *   (`?`), so that a body may hold only what the user set (see `userOptions`).
 */

/** Options that must not be empty: a topic of "" would publish where nobody looks. */
export const mustNotBeEmpty: Readonly<Record<string, string>> = {
  discovery_prefix: 'must not be empty (Home Assistant listens on homeassistant unless its MQTT integration was told otherwise)',
  base_topic: 'must not be empty (powermeter is the default)',
};

/**
 * The document as the service reads it: emptied values ("" or null) left out, which the defaults then fill; an empty
 * option that must not be empty said in `problems`.
 */
export function withoutEmptied(input: Readonly<Record<string, unknown>>, problems: string[]): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const empty = v === null || (typeof v === 'string' && v.trim() === '');
    if (!empty) doc[k] = v;
    else if (mustNotBeEmpty[k]) problems.push(`${k}: ${mustNotBeEmpty[k]}`);
  }
  return doc;
}

/**
 * The options to store when the service changes some of them (the page saves checked keys): what the Supervisor
 * answers is the defaults merged with the user's options, and it keeps whatever is posted as the user's own. Values
 * equal to the defaults are left out, so that an option the user never set stays unset and a later version's default
 * reaches them (one the user had set to the default value itself is then unset too: it behaves the same). The lists
 * of objects are sent always: the Supervisor requires them.
 */
export function userOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known: Readonly<Record<string, unknown>> = defaults;
  for (const [k, v] of Object.entries(options)) {
    const required = k === 'more_meters' || k === 'meter_keys';
    if (!required && k in known && JSON.stringify(known[k]) === JSON.stringify(v)) continue;
    out[k] = v;
  }
  return out;
}

/** One ajv error as a line a user can act on: the option named as the form shows it (lists counted from 1). */
export function describe(e: ErrorObject): string {
  // /more_meters/0/tcp_host → more_meters[1].tcp_host
  const name = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(\/|$)/g, (_m, i: string, end: string) => `[${Number(i) + 1}]${end ? '.' : ''}`) || 'options';
  switch (e.keyword) {
    case 'enum':
      return `${name}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'additionalProperties':
      return `${(e.params as { additionalProperty: string }).additionalProperty}: is not an option PowerMeter knows (check its spelling)`;
    case 'maxLength':
      return `${name}: is too long (at most ${(e.params as { limit: number }).limit} characters)`;
    case 'pattern':
      if (name === 'mqtt_url') return 'mqtt_url: must look like mqtt://host:1883 (or mqtts://, ws://, wss://)';
      if (name.endsWith('system_title')) return `${name}: must be the 16 hex digits of the meter's system title (powermeter decode prints it as systemTitle)`;
      if (name.endsWith('mqtt_source_topic')) return `${name}: must be an MQTT topic, wildcards only as whole levels (+) or at the end (#)`;
      return `${name}: must be an MQTT topic without wildcards (# or +)`;
    default:
      return `${name}: ${e.message ?? 'is invalid'}`;
  }
}

/** The top-level option an ajv error is about (to leave it out and check the rest). */
export function optionOf(e: ErrorObject): string | undefined {
  return e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : e.instancePath.split('/')[1];
}
