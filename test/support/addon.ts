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
