import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BROKER_GRACE_MS, healthy, startHeartbeat } from '../addon/health.js';

describe('the add-on health check', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is healthy while the broker is connected or lost for less than 10 minutes, whatever the meter does', () => {
    const t = Date.UTC(2026, 11, 1, 12);
    expect(healthy(null, t)).toBe(true);
    expect(healthy(t - BROKER_GRACE_MS + 1, t)).toBe(true);
    expect(healthy(t - BROKER_GRACE_MS, t)).toBe(false);
    expect(BROKER_GRACE_MS).toBe(10 * 60_000);
  });

  it('writes its heartbeat at once, then on every beat while healthy, and not while not', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 12), toFake: ['setInterval', 'clearInterval', 'Date'] });
    const file = join(mkdtempSync(join(tmpdir(), 'powermeter-health-')), 'run', 'healthy');
    let ok = true;
    const stop = startHeartbeat(() => ok, file, 10_000);
    expect(readFileSync(file, 'utf8')).toBe('2026-12-01T12:00:00.000Z\n');
    vi.advanceTimersByTime(10_000);
    expect(readFileSync(file, 'utf8')).toBe('2026-12-01T12:00:10.000Z\n');
    ok = false;
    rmSync(file);
    vi.advanceTimersByTime(60_000);
    expect(existsSync(file)).toBe(false);
    ok = true;
    vi.advanceTimersByTime(10_000);
    expect(existsSync(file)).toBe(true);
    stop();
  });
});
