import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJson, readYaml, root } from './support/addon.js';

const script = join(root, 'scripts/publish-decision.sh');
const image = 'ghcr.io/powermeter/powermeter';

/**
 * A stand-in for curl that answers as ghcr.io does (OCI distribution API behind GitHub's token service), from
 * FAKE_REGISTRY: the repository name, its tags, and optional overrides of the token's or the manifest's status.
 * Like ghcr.io it answers 404 for a multi-arch index when the request does not accept one, and 401 without the
 * token. Every call is logged to FAKE_CURL_LOG. Nothing leaves the machine.
 */
const fakeCurl = `#!${process.execPath}
const fs = require('node:fs');
const registry = JSON.parse(process.env.FAKE_REGISTRY);
const args = process.argv.slice(2);
let output = null, format = '', url = null;
const headers = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--output') output = args[++i];
  else if (args[i] === '--write-out') format = args[++i];
  else if (args[i] === '--header') headers.push(args[++i]);
  else if (args[i] === '--retry' || args[i] === '--max-time') i++;
  else if (args[i].startsWith('https://')) url = args[i];
}
fs.appendFileSync(process.env.FAKE_CURL_LOG, JSON.stringify({ url, headers }) + '\\n');
if (registry.unreachable) {
  process.stderr.write('curl: (6) Could not resolve host: ghcr.io\\n');
  process.stdout.write(format === '%{http_code}' ? '000' : '');
  process.exit(6);
}
const u = new URL(url);
let status, body = '';
if (u.origin === 'https://ghcr.io' && u.pathname === '/token') {
  const right = u.searchParams.get('service') === 'ghcr.io' && u.searchParams.get('scope') === 'repository:' + registry.name + ':pull';
  status = registry.token ?? (right ? 200 : 401);
  body = status === 200 ? JSON.stringify({ token: 'anonymous-token' }) : '{"errors":[{"code":"UNAUTHORIZED"}]}';
} else {
  const m = /^\\/v2\\/(.+)\\/manifests\\/([^/]+)$/.exec(u.pathname);
  const accepts = headers.some((h) => h.startsWith('Accept:') && h.includes('application/vnd.oci.image.index.v1+json'));
  if (registry.manifest) status = registry.manifest;
  else if (u.origin !== 'https://ghcr.io' || !m || m[1] !== registry.name) status = 404;
  else if (!headers.includes('Authorization: Bearer anonymous-token')) status = 401;
  else status = registry.tags.includes(m[2]) && accepts ? 200 : 404;
}
if (output) fs.writeFileSync(output, body);
process.stdout.write(format === '%{http_code}' ? String(status) : body);
`;

interface Registry {
  name?: string;
  tags: string[];
  token?: number;
  manifest?: number;
  unreachable?: boolean;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function configYaml(versionLine: string): string {
  return `name: PowerMeter\n${versionLine}\nslug: powermeter\nimage: ${image}\narch:\n  - amd64\n`;
}

/**
 * A throwaway repository: one commit per entry, each with config.yaml's version line as given, written by one
 * `git fast-import` (fixed identity and dates, no user or system configuration: the same history on every machine).
 */
function history(versionLines: string[]): { dir: string; show: (rev: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-publish-'));
  dirs.push(dir);
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const blob = (text: string) => `data ${Buffer.byteLength(text)}\n${text}`;
  const stream = versionLines
    .map((line, i) => [
      'commit refs/heads/main',
      `committer Test <test@example.invalid> ${1_767_225_600 + i * 60} +0000`,
      blob(`change ${i}`),
      'M 644 inline config.yaml',
      blob(configYaml(line)),
    ].join('\n'))
    .join('\n');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, env, input: stream });
  const show = (rev: string): string => execFileSync('git', ['show', `${rev}:config.yaml`], { cwd: repo, env, encoding: 'utf8' });
  return { dir, show };
}

/** Runs the script in the repository with the fake registry; `calls` are the requests curl was asked to make. */
function decide(dir: string, event: string, registry: Registry) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'curl'), fakeCurl);
  chmodSync(join(bin, 'curl'), 0o755);
  const log = join(dir, 'curl.log');
  writeFileSync(log, '');
  const r = spawnSync('bash', [script, event], {
    cwd: join(dir, 'repo'),
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      FAKE_REGISTRY: JSON.stringify({ name: 'powermeter/powermeter', ...registry }),
      FAKE_CURL_LOG: log,
    },
  });
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { url: string; headers: string[] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

const version = (v: string) => `version: "${v}"`;

describe('scripts/publish-decision.sh: the image is published whenever its version is not in the registry', () => {
  it('publishes a bump two commits back, which comparing with HEAD^ missed', () => {
    const { dir, show } = history([version('0.1.0'), version('0.2.0'), version('0.2.0'), version('0.2.0')]);
    // The old rule: HEAD^ already had 0.2.0, so it published nothing and users were offered an image that did not exist.
    expect(show('HEAD^')).toContain(version('0.2.0'));
    expect(show('HEAD~3')).toContain(version('0.1.0'));
    const r = decide(dir, 'push', { tags: ['0.1.0'] });
    expect(r.stdout).toBe('publish=true\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${image}:0.2.0 is not in the registry`);
  });

  it('publishes a bump at HEAD', () => {
    const { dir } = history([version('0.1.0'), version('0.1.0'), version('0.2.0')]);
    expect(decide(dir, 'push', { tags: ['0.1.0'] }).stdout).toBe('publish=true\n');
  });

  it('publishes nothing without a bump', () => {
    const { dir } = history([version('0.1.0'), version('0.1.0'), version('0.1.0')]);
    const r = decide(dir, 'push', { tags: ['0.1.0'] });
    expect(r.stdout).toBe('publish=false\n');
    expect(r.stderr).toContain(`${image}:0.1.0 is published already`);
  });

  it('publishes nothing for a bump reverted in the same push', () => {
    // What `git revert` commits: config.yaml as it was before the bump.
    const { dir, show } = history([version('0.1.0'), version('0.2.0'), version('0.1.0')]);
    expect(show('HEAD^')).toContain(version('0.2.0'));
    expect(decide(dir, 'push', { tags: ['0.1.0'] }).stdout).toBe('publish=false\n');
  });

  it('never builds a published version again over itself: later commits under it publish nothing', () => {
    const { dir } = history([version('0.1.0'), version('0.2.0'), version('0.2.0')]);
    expect(decide(dir, 'push', { tags: ['0.1.0', '0.2.0'] }).stdout).toBe('publish=false\n');
  });

  it('asks for the multi-arch tag users pull, anonymously, accepting an OCI index (else ghcr.io says 404)', () => {
    const { dir } = history([version('0.1.0')]);
    const r = decide(dir, 'push', { tags: ['0.1.0'] });
    expect(r.stdout).toBe('publish=false\n');
    expect(r.calls.map((c) => c.url)).toEqual([
      'https://ghcr.io/token?service=ghcr.io&scope=repository:powermeter/powermeter:pull',
      'https://ghcr.io/v2/powermeter/powermeter/manifests/0.1.0',
    ]);
    expect(r.calls[0]!.headers).toEqual([]);
    const accept = r.calls[1]!.headers.find((h) => h.startsWith('Accept: '))!;
    for (const type of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']) expect(accept).toContain(type);
  });

  it('reads the version at HEAD, quoted or not, with a comment after it', () => {
    for (const line of ['version: 0.2.0', "version: '0.2.0'", 'version: "0.2.0"  # the add-on\'s version']) {
      const { dir } = history([version('0.1.0'), line]);
      const r = decide(dir, 'push', { tags: ['0.1.0'] });
      expect(r.stdout, line).toBe('publish=true\n');
      expect(r.calls[1]!.url, line).toMatch(/\/manifests\/0\.2\.0$/);
    }
  });

  it('never publishes from a pull request, and does not ask the registry', () => {
    const { dir } = history([version('0.1.0'), version('0.2.0')]);
    const r = decide(dir, 'pull_request', { tags: ['0.1.0'] });
    expect(r.stdout).toBe('publish=false\n');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
  });

  it('publishes the first release, which ghcr.io refuses an anonymous token for, and says to make the package public', () => {
    const { dir } = history([version('0.1.0')]);
    const r = decide(dir, 'push', { tags: [], token: 401 });
    expect(r.stdout).toBe('publish=true\n');
    expect(r.stderr).toContain('make it public');
  });

  it.each([
    ['the registry errs', { tags: ['0.1.0'], manifest: 503 }, /ghcr\.io answered HTTP 503 for ghcr\.io\/powermeter\/powermeter:0\.2\.0: cannot tell/],
    ['the registry is unreachable', { tags: ['0.1.0'], unreachable: true }, /token service gave no answer: cannot tell/],
    ['the token service errs', { tags: ['0.1.0'], token: 500 }, /token service answered HTTP 500/],
  ])('fails without a decision when %s: a guess would skip a release or rebuild one', (_name, registry: Registry, message) => {
    const { dir } = history([version('0.1.0'), version('0.2.0')]);
    const r = decide(dir, 'push', registry);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['no version', 'description: none', /no single top-level 'version:'/],
    ['a version that is no image tag', 'version: 0.2/beta', /'0\.2\/beta' is not a valid image tag/],
  ])('fails without a decision on a config.yaml with %s', (_name, line, message) => {
    const { dir } = history([line]);
    const r = decide(dir, 'push', { tags: [] });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.calls).toEqual([]);
  });

  it('reads this repository\'s config.yaml: its version is a tag, its image on ghcr.io', () => {
    const config = readYaml('config.yaml');
    expect(String(config.version)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
    expect(String(config.image)).toBe(image);
  });
});

/** What these tests read of a workflow (a type, not an interface, so that a parsed YAML document converts to it). */
type Workflow = {
  on: Record<string, unknown>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, { container?: { image: string }; steps: { id?: string; run?: string }[] }>;
};

describe('the image workflow', () => {
  const builder = readYaml('.github/workflows/builder.yaml') as Workflow;

  it('leaves the publish decision to the script, which no commit order fools', () => {
    const release = builder.jobs.prepare!.steps.find((s) => s.id === 'release')!;
    expect(release.run).toBe('bash scripts/publish-decision.sh "${EVENT}" >> "$GITHUB_OUTPUT"');
    expect(readFileSync(join(root, '.github/workflows/builder.yaml'), 'utf8')).not.toContain('HEAD^');
  });

  it('runs one at a time on a branch, so that two pushes never both publish a missing version', () => {
    expect(builder.concurrency).toEqual({ group: 'builder-${{ github.ref }}', 'cancel-in-progress': false });
  });
});

describe('the test workflow', () => {
  const test = readYaml('.github/workflows/test.yaml') as Workflow;
  const job = test.jobs.test!;

  it('runs on every push and pull request, whatever the branch', () => {
    expect(test.on).toEqual({ push: null, pull_request: null });
  });

  it('runs .ci/run on Debian bookworm with Node 20, as root, like the machine the tests are written on', () => {
    expect(job.container).toEqual({ image: 'node:20-bookworm' });
    expect(job.steps.at(-1)!.run).toBe('bash .ci/run');
  });

  it('where .ci/run installs the real parts and runs README\'s test command exactly', () => {
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    for (const tool of ['mosquitto', 'socat', 'shellcheck', 'chromium']) expect(ci).toContain(`missing+=(${tool})`);
    expect(ci).toMatch(/^npm ci\nnpm test\n/m);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('npm ci && npm test ');
  });

  it('and npm test holds the coverage floor', async () => {
    const scripts = (readJson('package.json') as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).toMatch(/ && vitest run --coverage$/);
    const { default: config } = await import('../vitest.config.js');
    const coverage = config.test?.coverage;
    expect(coverage).toMatchObject({ provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'json-summary'] });
    const thresholds = coverage && 'thresholds' in coverage ? coverage.thresholds : undefined;
    // A floor that holds something (the figures measured when it was set, rounded down; vitest.config.ts).
    for (const figure of ['statements', 'branches', 'functions', 'lines'] as const) expect(thresholds?.[figure], figure).toBeGreaterThanOrEqual(80);
  });
});
