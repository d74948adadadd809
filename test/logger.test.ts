import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, cut } from '../src/service/logger.js';

describe('the log', () => {
  it('writes one readable line per entry, with fields, and cuts a value a stranger chose to a bounded length', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info({ source: `tcp ${'h'.repeat(10_000)}:6638` }, 'starting');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z INFO starting source="tcp h{195}… \(9811 more characters\)\n$/);
    expect(lines[0]!.length).toBeLessThan(300);
    expect(cut('short', 10)).toBe('short');
  });

  it('never writes a key or a password, even if a line carried one', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info({ encryption_key: '5AD84121D9D20B364B7A11F3C1B5827F', options: { mqtt_password: 'hunter2' } }, 'options');
    expect(lines.join('')).not.toMatch(/5AD84121|hunter2/);
  });
});

describe('the service\'s log before pino is loaded (loadAfterMs)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the lines, then writes them in order with the time each was said, and later lines at once', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00.000Z') });
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l), 1000);
    log.info({ source: 'tcp bridge:6638' }, 'starting');
    vi.advanceTimersByTime(250);
    log.debug('not at info');
    log.error('the broker refused the login');
    vi.advanceTimersByTime(749);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual(['2026-12-05T10:00:00.000Z INFO starting source="tcp bridge:6638"\n', '2026-12-05T10:00:00.250Z ERROR the broker refused the login\n']);
    log.warn({ encryption_key: '5AD84121D9D20B364B7A11F3C1B5827F' }, 'after');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^2026-12-05T10:00:01\.000Z WARNING after /);
    expect(lines.join('')).not.toMatch(/5AD84121/);
  });

  it('holds a bounded number of lines, and says how many it left out', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l), 1000);
    for (let i = 0; i < 1005; i++) log.info(`line ${i}`);
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(1001);
    expect(lines[999]).toMatch(/INFO line 999\n$/);
    expect(lines[1000]).toMatch(/WARNING 5 log lines of the first 1000 ms were left out/);
  });

  // In a process of its own: what is held must not be lost when the process ends, or dies, before pino is loaded.
  const root = new URL('../', import.meta.url).pathname;
  const child = (body: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(join(root, 'dist/src/service/logger.js'))};\nconst log = createLogger('info', undefined, 60_000);\n${body}`], { encoding: 'utf8', timeout: 20_000 });

  it.each([
    ['ends with an exit code', "log.fatal('the Supervisor did not answer'); process.exitCode = 1;", 1],
    ['dies of an uncaught error', "log.error({ source: 'tcp' }, 'about to fail'); setImmediate(() => { throw new Error('boom'); });", 1],
  ])('writes the held lines when the process %s', (_, body, status) => {
    const run = child(body);
    expect(run.status).toBe(status);
    expect(run.stdout).toMatch(/^\S+Z (FATAL the Supervisor did not answer|ERROR about to fail source=tcp)\n$/);
  });
});

