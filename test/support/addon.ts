import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const root = new URL('../../', import.meta.url).pathname;
export const readYaml = (path: string): Record<string, unknown> => parse(readFileSync(root + path, 'utf8')) as Record<string, unknown>;
export const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(root + path, 'utf8')) as Record<string, unknown>;

/**
 * The add-on linter's own rules beyond its schema (frenck/action-addon-linter src/lint.py, as summarised in the
 * project's design notes): a key set to its schema default, obsolete or deprecated keys, and incompatible pairs.
 */
export function linterProblems(config: Record<string, unknown>, schema: { properties: Record<string, { default?: unknown }> }): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const spec = schema.properties[key];
    if (spec && 'default' in spec && JSON.stringify(spec.default) === JSON.stringify(value)) problems.push(`'${key}' should be removed, it uses a default value`);
  }
  if ('watchdog' in config) problems.push("'watchdog' is obsolete; use the Dockerfile's HEALTHCHECK");
  if ('codenotary' in config) problems.push("'codenotary' is obsolete");
  if ('auto_uart' in config) problems.push("'auto_uart' is obsolete; use 'uart'");
  const arch = (config.arch as string[] | undefined) ?? [];
  for (const a of arch) if (['armhf', 'armv7', 'i386'].includes(a)) problems.push(`architecture ${a} is no longer supported`);
  if (config.full_access && (config.devices || config.uart || config.usb || config.gpio)) problems.push("'full_access' together with device access");
  if (config.ingress && config.webui) problems.push("'webui' together with 'ingress'");
  if (Array.isArray(config.devices) && config.devices.some((d) => String(d).includes(':'))) problems.push("'devices' in the deprecated a:b:c form");
  if ('tmpfs' in config && typeof config.tmpfs !== 'boolean') problems.push("'tmpfs' must be a boolean");
  if (Array.isArray(config.map) && config.map.some((m) => /^config(:|$)/.test(typeof m === 'string' ? m : String((m as { type?: string }).type)))) problems.push("'map: config' is deprecated");
  return problems;
}

/** Supervisor option types (supervisor/apps/options.py) with `?` for optional. */
export function supervisorType(spec: string): { type: string; optional: boolean; arg: string | undefined } {
  const optional = spec.endsWith('?');
  const body = optional ? spec.slice(0, -1) : spec;
  const m = /^([a-z]+)(?:\((.*)\))?$/s.exec(body);
  return { type: m?.[1] ?? body, optional, arg: m?.[2] };
}

type SupervisorSchema = string | SupervisorSchema[] | { [key: string]: SupervisorSchema };

/**
 * What the Supervisor says of an options document, by its rules (supervisor/apps/options.py, AppOptions): each
 * value checked against its type, lists of objects item by item, and every option that is not `?` must be there, a
 * list of objects included. Devices are taken as they are (there is no hardware here). Returns the problems.
 */
export function supervisorProblems(schema: Record<string, SupervisorSchema>, options: Record<string, unknown>, at = 'root'): string[] {
  const problems: string[] = [];
  const element = (typ: SupervisorSchema, value: unknown, key: string): void => {
    if (Array.isArray(typ)) {
      if (!Array.isArray(value)) problems.push(`Invalid list for option '${key}'`);
      else for (const v of value) element(typ[0]!, v, key);
    } else if (typeof typ === 'object') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`Invalid dict for option '${key}'`);
      else problems.push(...supervisorProblems(typ, value as Record<string, unknown>, key));
    } else {
      if (value === null || value === undefined) return void problems.push(`Missing required option '${key}'`);
      const { type, arg } = supervisorType(typ);
      const range = arg?.split(',').map((n) => (n === '' ? undefined : Number(n)));
      const within = (n: number) => !Number.isNaN(n) && (range?.[0] === undefined || n >= range[0]) && (range?.[1] === undefined || n <= range[1]);
      // The Supervisor reads a value as Python's str() of it.
      const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
      const ok =
        type === 'str' || type === 'password'
          ? typeof value === 'string' && within(value.length) // vol.Length(min, max)
          : type === 'device'
          ? typeof value === 'string'
          : type === 'int'
            ? Number.isInteger(Number(value)) && within(Number(value))
            : type === 'float'
              ? within(Number(value))
              : type === 'port'
                ? Number.isInteger(Number(value)) && Number(value) >= 1 && Number(value) <= 65535
                : type === 'bool'
                  ? typeof value === 'boolean'
                  : type === 'match'
                    ? new RegExp(arg!).test(text) // vol.Match: re.match, anchored at the start only
                    : type === 'list'
                      ? arg!.split('|').includes(text)
                      : false;
      if (!ok) problems.push(`Option '${key}' of type ${type} does not take ${JSON.stringify(value)}`);
    }
  };
  for (const [key, value] of Object.entries(options)) {
    if (key in schema) element(schema[key]!, value, key);
  }
  for (const [key, typ] of Object.entries(schema)) {
    if (key in options) continue;
    const inner = Array.isArray(typ) ? typ[0]! : typ;
    if (typeof inner === 'string' && inner.endsWith('?')) continue;
    problems.push(`Missing option '${key}' in ${at}`);
  }
  return problems;
}
