import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** `powermeter demo` as a new user runs it: what it prints, to the end. */
function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'bin/powermeter'), ['demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('the demo', () => {
  it('shows its recorded meters as meters running today: no clock years off, no meter taken for another, no refusal', async () => {
    const startedAt = Date.now();
    const { code, out } = await runDemo(['--interval', '1', '--frames', '2']);
    const endedAt = Date.now();
    expect(code, out).toBe(0);
    expect(out).toContain('demo stopped.');
    const logs = out.split('\n').filter((l) => l.startsWith('log '));
    expect(logs.length).toBeGreaterThan(3);
    // A user's first run of PowerMeter: nothing in it warns, since nothing in it is wrong.
    expect(logs.filter((l) => / (WARNING|ERROR) /.test(l)), out).toEqual([]);
    expect(out).not.toMatch(/now sends where|was refused|more than a day from this host's clock/);
    // Each good key-check verdict once per port.
    expect(logs.filter((l) => l.includes('key check: keys right'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('key check: not encrypted'))).toHaveLength(1);

    const states = new Map<string, Record<string, unknown>>();
    for (const m of out.matchAll(/^published {2}powermeter\/([^/]+)\/state {2}(\{.*\})$/gm)) states.set(m[1]!, JSON.parse(m[2]!) as Record<string, unknown>);
    // The three recordings (Radius, HAN-NVE in clear, the Dutch P1 telegram and its gas meter) and the two simulated meters.
    expect([...states.keys()].sort()).toEqual(['2222abcd123456789', '27581522', '57000001', '5706567282299475', 'bridge', 'e0044007382246019', 'g0044007382246019', 'k8eg004046395507']);
    // Recorded values kept (protocol.md: the Radius frame's import register; TELEGRAM_V5's tariff 1 and its gas meter).
    expect(states.get('27581522')).toMatchObject({ active_energy_import: 8666.36, voltage_l1: 224 });
    expect(states.get('k8eg004046395507')).toMatchObject({ active_energy_import_tariff_1: 4.426 });
    expect(states.get('2222abcd123456789')).toMatchObject({ gas: 0.107 });
    for (const id of ['27581522', '5706567282299475', 'k8eg004046395507']) {
      const meterTime = Date.parse(String(states.get(id)?.meter_time));
      expect(meterTime, id).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000 - 1000);
      expect(meterTime, id).toBeLessThanOrEqual(endedAt);
    }
  }, 60_000);
});
