import { afterEach, describe, expect, it, vi } from 'vitest';
import { Service, type FrameSink } from '../src/service/service.js';
import type { Source, SourceEvents } from '../src/source/source.js';
import { captureLogger } from './support/capture-logger.js';
import { bytesOf, danish, danishKeys, vector } from './support/vectors.js';

class ManualSource implements Source {
  readonly name = 'manual';
  events!: SourceEvents;
  start(events: SourceEvents): void {
    this.events = events;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function setup() {
  let now = 1_000_000;
  const availability: boolean[] = [];
  const published: string[] = [];
  const sink: FrameSink = { publishFrame: (id) => published.push(id), setAvailable: (a) => availability.push(a) };
  const source = new ManualSource();
  const log = captureLogger();
  const service = new Service({ keys: danishKeys, energy_multiplier: undefined, data_timeout: 30, baud_rate: 2400, parity: 'none' }, source, sink, log.logger, () => now);
  service.start();
  return { service, source, availability, published, log, advance: (ms: number) => ((now += ms), vi.advanceTimersByTime(ms)) };
}

describe('service behaviour', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes unavailable when no good frame has come for data_timeout, and back on the next frame', () => {
    vi.useFakeTimers();
    const s = setup();
    s.source.events.data(bytesOf(danish));
    expect(s.availability).toEqual([true]);
    s.advance(29_000);
    expect(s.availability).toEqual([true]);
    s.advance(2_000);
    expect(s.availability.at(-1)).toBe(false);
    expect(s.log.lines.filter((l) => /no good frame for 30 s/.test(l))).toHaveLength(1);
    s.advance(60_000);
    expect(s.log.lines.filter((l) => /no good frame for 30 s/.test(l))).toHaveLength(1);
    s.source.events.data(bytesOf(vector('dk-kamstrup-omnipower-gh741-1-unencrypted')));
    expect(s.availability.at(-1)).toBe(true);
  });

  it('hints at baud rate and parity when frames keep failing their checksum', () => {
    const s = setup();
    const bad = bytesOf(vector('dk-kamstrup-omnipower-gh244-1-fcs-corrupt'));
    for (let i = 0; i < 6; i++) s.source.events.data(bad);
    const hint = s.log.lines.filter((l) => /line settings \(now 2400 none\) are probably wrong/.test(l));
    expect(hint).toHaveLength(1);
    expect(s.service.stats.rejected.checksum).toBeGreaterThanOrEqual(6);
    expect(s.published).toEqual([]);
  });

  it('keeps the last value of a register that a list carries only hourly', () => {
    const states: Record<string, unknown>[] = [];
    const sink: FrameSink = { publishFrame: (_id, _f, state) => states.push(state), setAvailable: () => undefined };
    const source = new ManualSource();
    const service = new Service({ keys: {}, energy_multiplier: undefined, data_timeout: 30, baud_rate: 2400, parity: 'none' }, source, sink, captureLogger().logger);
    service.start();
    source.events.data(bytesOf(vector('no-kamstrup-list2-hourly-roarfred-20171020')));
    source.events.data(bytesOf(vector('no-kamstrup-list1-roarfred-20171020')));
    expect(states).toHaveLength(2);
    expect(states[1]).toMatchObject({ active_energy_import: 4272.44, active_power_import: 1468 });
    void service.stop();
  });
});
