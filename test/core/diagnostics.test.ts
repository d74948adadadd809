import { describe, expect, it } from 'vitest';
import { Diagnostics, DIAGNOSTICS_EVERY_MS, DIAGNOSTICS_QUIET_EVERY_MS, significantFields } from '../../src/core/diagnostics.js';
import { Outbox } from '../../src/core/outbox.js';
import { SourceRecord } from '../../src/core/streams.js';
import type { SourceSpec } from '../../src/core/events.js';

const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };
const spec: SourceSpec = { id: 's', name: 'tcp bridge:6638', redial: true, remoteLine: true, keys: {}, baudRate: 2400, parity: 'none' };

function setup() {
  const out = new Outbox();
  const source = new SourceRecord(spec, 0, { meterKeys: new Map(), dataTimeoutMs: 60_000, keepRaw: false, startedAt: 0 });
  const d = new Diagnostics(topics, origin, null, [source], out);
  const published = () => out.take().filter((e) => e.kind === 'publish' && e.topic === 'powermeter/bridge/state').length;
  return { out, source, d, published };
}

describe('the PowerMeter device\'s diagnostics', () => {
  it('publishes a change of each significant field at once, and the counters only with the cadence', () => {
    const s = setup();
    s.d.publish(0, true);
    expect(s.published()).toBe(1);
    // A frame counted: it waits for the cadence.
    s.source.frames++;
    s.d.publish(1000, false);
    expect(s.published()).toBe(0);
    // The next event after the cadence publishes it (the meter's next frame); no timer is asked for before then.
    expect(s.d.dueAt()).toBe(DIAGNOSTICS_QUIET_EVERY_MS);
    s.d.publish(DIAGNOSTICS_EVERY_MS, false);
    expect(s.published()).toBe(1);
    const changes = {
      checksum_errors: () => s.source.count('checksum'),
      authentication_failures: () => s.source.count('wrong-authentication-key'),
      source_state: () => (s.source.state = 'connected'),
    };
    let t = DIAGNOSTICS_EVERY_MS;
    for (const field of ['checksum_errors', 'authentication_failures', 'source_state'] as const) {
      changes[field]();
      s.d.publish(++t, false);
      expect(s.published(), field).toBe(1);
    }
    // No data from the meter for data_timeout: the problem sensor turns on at once.
    s.d.publish(60_000, false);
    expect(s.published()).toBe(1);
    expect(significantFields).toEqual(['security', 'checksum_errors', 'authentication_failures', 'source_state', 'problem']);
  });

  it('on a silent line, wakes the service once a minute for the time since the last frame, not every 10 s (issue #30)', () => {
    const s = setup();
    s.d.publish(0, true);
    s.out.take();
    let wakes = 0;
    for (let t = s.d.dueAt(); t <= 10 * 60_000; t = s.d.dueAt()) {
      s.d.publish(t, false);
      wakes++;
    }
    expect(wakes).toBe(10);
    expect(s.published()).toBe(10);
  });

  it('keeps the problem sensor off while frames come that fail (a wrong key), on without bytes or without frames', () => {
    const s = setup();
    s.source.line.connectedAt = 0;
    for (let t = 0; t <= 120_000; t += 10_000) {
      s.source.line.bytes(500, t);
      s.source.line.framed(t);
    }
    expect(s.d.stateOf(s.source, 120_000).problem).toBe('OFF');
    expect(s.d.stateOf(s.source, 180_000).problem).toBe('ON');
  });
});
