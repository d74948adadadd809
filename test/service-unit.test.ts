import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StateStore } from '../src/accounting/store.js';
import { instantOf } from '../src/diagnostics/time-zone.js';
import type { Sink } from '../src/mqtt/publisher.js';
import { Service } from '../src/service/service.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
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

/** Records what the service hands to MQTT. */
class RecordingSink implements Sink {
  readonly discovery = new Map<string, Record<string, unknown>>();
  readonly states: { topic: string; payload: Record<string, unknown> }[] = [];
  readonly availability: { topic: string; online: boolean }[] = [];
  setDiscovery(topic: string, payload: object): void {
    this.discovery.set(topic, payload as Record<string, unknown>);
  }
  setState(topic: string, payload: object): void {
    this.states.push({ topic, payload: payload as Record<string, unknown> });
  }
  setAvailability(topic: string, online: boolean): void {
    this.availability.push({ topic, online });
  }
  last(topic: string): Record<string, unknown> | undefined {
    return this.states.filter((s) => s.topic === topic).at(-1)?.payload;
  }
}

const tz = 'Europe/Copenhagen';

function setup(keys: { encryption?: Uint8Array; authentication?: Uint8Array } = danishKeys, start = Date.UTC(2026, 10, 23, 12), store: StateStore | null = null) {
  let now = start;
  let hourly: () => void = () => undefined;
  const sink = new RecordingSink();
  const source = new ManualSource();
  const log = captureLogger();
  const service = new Service({
    settings: { keys, energy_multiplier: undefined, data_timeout: 30, baud_rate: 2400, parity: 'none', discovery_prefix: 'homeassistant', base_topic: 'powermeter' },
    source,
    sink,
    logger: log.logger,
    origin: { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' },
    timeZone: tz,
    store,
    now: () => now,
    everyHour: (tick) => ((hourly = tick), () => undefined),
  });
  service.start();
  return {
    service,
    source,
    sink,
    log,
    advance: (ms: number) => ((now += ms), vi.advanceTimersByTime(ms)),
    at: () => now,
    setNow: (t: number) => (now = t),
    hourly: () => hourly(),
  };
}

describe('service behaviour', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('marks the meter unavailable when no good frame has come for data_timeout, and back on the next frame', () => {
    vi.useFakeTimers();
    const s = setup();
    s.source.events.data(bytesOf(danish));
    const topic = 'powermeter/27581522/availability';
    expect(s.sink.availability.filter((a) => a.topic === topic)).toEqual([{ topic, online: true }]);
    s.advance(31_000);
    expect(s.sink.availability.filter((a) => a.topic === topic).at(-1)).toEqual({ topic, online: false });
    expect(s.log.lines.filter((l) => /no good frame for 30 s.*HAN port may have stalled/.test(l))).toHaveLength(1);
    expect(s.sink.last('powermeter/bridge/state')).toMatchObject({ problem: 'ON', security: 'no_data' });
    s.advance(60_000);
    expect(s.log.lines.filter((l) => /no good frame for 30 s/.test(l))).toHaveLength(1);
    s.source.events.data(bytesOf(danish));
    expect(s.sink.availability.filter((a) => a.topic === topic).at(-1)).toEqual({ topic, online: true });
    expect(s.sink.last('powermeter/bridge/state')).toMatchObject({ problem: 'OFF', security: 'authenticated' });
  });

  it('takes a backlog a slice at a time, in order, and decodes what is left when it stops', async () => {
    const s = setup();
    const meter = new SimulatedMeter(57_000_001, danishKeys);
    const frames = Array.from({ length: 200 }, (_, i) => meter.frame(new Date(Date.UTC(2026, 10, 23, 12) + i * 10_000), 10));
    s.source.events.data(Buffer.concat(frames.slice(0, 100)));
    const states = () => s.sink.states.filter((x) => x.topic === 'powermeter/57000001/state').map((x) => x.payload.frame_counter);
    expect(states().length).toBeGreaterThan(0);
    expect(states().length).toBeLessThan(100); // the rest waits for the next turns of the event loop
    await new Promise((r) => setTimeout(r, 50));
    expect(states()).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    s.source.events.data(Buffer.concat(frames.slice(100)));
    await s.service.stop();
    expect(states()).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('hints at baud rate and parity when frames keep failing their checksum, and counts them', () => {
    const s = setup();
    const bad = bytesOf(vector('dk-kamstrup-omnipower-gh244-1-fcs-corrupt'));
    for (let i = 0; i < 6; i++) s.source.events.data(bad);
    expect(s.log.lines.filter((l) => /line settings \(now 2400 baud, parity none\) are probably wrong/.test(l))).toHaveLength(1);
    expect(s.service.checksumErrors).toBeGreaterThanOrEqual(6);
    expect(s.sink.discovery.size).toBe(1); // the bridge only
  });

  it('keeps the last value of a register that a list carries only hourly', () => {
    const s = setup({});
    s.source.events.data(bytesOf(vector('no-kamstrup-list2-hourly-roarfred-20171020')));
    s.source.events.data(bytesOf(vector('no-kamstrup-list1-roarfred-20171020')));
    expect(s.sink.last('powermeter/5706567274389702/state')).toMatchObject({ active_energy_import: 4272.44, active_power_import: 1468 });
  });

  describe('key check', () => {
    const verdicts = (s: ReturnType<typeof setup>) =>
      s.sink.states
        .filter((x) => x.topic === 'powermeter/bridge/state')
        .map((x) => x.payload.security)
        .filter((v, i, all) => i === 0 || v !== all[i - 1]);
    const run = (keys: Parameters<typeof setup>[0], frames: Buffer[]) => {
      const s = setup(keys);
      for (const f of frames) s.source.events.data(f);
      return s;
    };
    const danishFrames = () => {
      const sim = new SimulatedMeter(57_000_009, danishKeys);
      return [bytesOf(danish), sim.frame(new Date(), 10), sim.frame(new Date(), 10)];
    };

    it('authenticated with the right keys', () => {
      const s = run(danishKeys, danishFrames());
      expect(verdicts(s)).toEqual(['no_data', 'authenticated']);
      expect(s.log.lines.filter((l) => /key check: keys OK/.test(l))).toHaveLength(1);
    });

    it('keys_swapped: decodes anyway and tells the user to swap them, once', () => {
      const s = run({ encryption: danishKeys.authentication, authentication: danishKeys.encryption }, danishFrames());
      expect(verdicts(s).at(-1)).toBe('keys_swapped');
      expect(s.service.stats.frames).toBe(3);
      expect(s.log.lines.filter((l) => /WARNING key check: the two keys are swapped.*GPK60 is the encryption key, GPK61 the authentication key/.test(l))).toHaveLength(1);
    });

    it('wrong_authentication_key and wrong_encryption_key, logged once each, then counted', () => {
      const wrongAuth = run({ encryption: danishKeys.encryption, authentication: Buffer.alloc(16, 1) }, danishFrames());
      expect(verdicts(wrongAuth).at(-1)).toBe('wrong_authentication_key');
      expect(wrongAuth.log.lines.filter((l) => /ERROR key check: the authentication key is wrong/.test(l))).toHaveLength(1);
      expect(wrongAuth.service.authenticationFailures).toBe(3);
      const wrongEnc = run({ encryption: Buffer.alloc(16, 2), authentication: danishKeys.authentication }, danishFrames());
      expect(verdicts(wrongEnc).at(-1)).toBe('wrong_encryption_key');
    });

    it('key_missing, not_encrypted, no_data', () => {
      expect(verdicts(run({}, danishFrames())).at(-1)).toBe('key_missing');
      expect(verdicts(run({}, [bytesOf(vector('dk-kamstrup-omnipower-gh741-1-unencrypted'))])).at(-1)).toBe('not_encrypted');
      expect(verdicts(run(danishKeys, [])).at(-1)).toBe('no_data');
    });

    it('never logs or publishes a key', () => {
      const s = run({ encryption: danishKeys.authentication, authentication: danishKeys.encryption }, danishFrames());
      const all = [...s.log.lines, ...s.sink.states.map((x) => JSON.stringify(x)), ...[...s.sink.discovery.values()].map((x) => JSON.stringify(x))].join('\n').toLowerCase();
      for (const k of [danishKeys.encryption, danishKeys.authentication]) expect(all).not.toContain(k.toString('hex').slice(0, 12));
    });
  });

  describe('diagnostics and energy periods', () => {
    it('publishes the meter clock as a timestamp in the Home Assistant zone, its drift and the frame counter', () => {
      const received = instantOf({ year: 2020, month: 1, day: 7, hour: 14, minute: 47, second: 22 }, tz);
      const s = setup(danishKeys, received);
      s.source.events.data(bytesOf(danish));
      expect(s.sink.last('powermeter/27581522/state')).toMatchObject({ meter_time: '2020-01-07T13:47:20.000Z', clock_drift: -2, frame_counter: 0x000788e1 });
    });

    it('publishes hour, day and month energy with their last_reset, and rolls the hour over', () => {
      const start = instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 59, second: 0 }, tz);
      const s = setup(danishKeys, start);
      const sim = new SimulatedMeter(57_000_001, danishKeys);
      for (let i = 0; i < 12; i++) {
        s.source.events.data(sim.frame(new Date(s.at()), 10));
        s.setNow(s.at() + 10_000);
      }
      const state = s.sink.last('powermeter/57000001/state')!;
      expect(state).toMatchObject({ energy_import_hour_last_reset: '2026-11-23T10:00:00.000Z', energy_import_previous_hour_last_reset: '2026-11-23T09:00:00.000Z', energy_import_day_last_reset: '2026-11-22T23:00:00.000Z' });
      expect(typeof state.energy_import_hour).toBe('number');
      const attributes = s.sink.last('powermeter/57000001/accounting')!;
      expect(attributes.energy_import_previous_hour).toMatchObject({ period_start: '2026-11-23T09:00:00.000Z', gap: true }); // started at 10:59
      const config = s.sink.discovery.get('homeassistant/device/powermeter_57000001/config') as { components: Record<string, Record<string, unknown>> };
      expect(config.components.energy_import_day).toMatchObject({ device_class: 'energy', state_class: 'total', unit_of_measurement: 'kWh', last_reset_value_template: '{{ value_json.energy_import_day_last_reset }}' });
    });

    it('keeps its periods and the energy guard across a restart', () => {
      const dir = mkdtempSync(join(tmpdir(), 'powermeter-svc-'));
      const store = new StateStore(join(dir, 'accounting.json'));
      const t0 = instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 10, second: 0 }, tz);
      const sim = new SimulatedMeter(57_000_001, danishKeys);
      const first = setup(danishKeys, t0, store);
      first.source.events.data(sim.frame(new Date(t0), 3600)); // an hour's worth: its totals are well above a fresh meter's
      void first.service.stop();
      const second = setup(danishKeys, t0 + 20_000, store);
      // a frame with an energy total lower than before the restart is refused
      second.source.events.data(new SimulatedMeter(57_000_001, danishKeys).frame(new Date(t0), 10));
      expect(second.sink.last('powermeter/57000001/state')).toBeUndefined();
      const before = first.sink.last('powermeter/57000001/state')!.active_energy_import as number;
      second.source.events.data(sim.frame(new Date(t0 + 20_000), 600));
      const after = second.sink.last('powermeter/57000001/state')!;
      // the hour began before the restart and goes on: its value spans both runs
      expect(after.energy_import_hour).toBeCloseTo((after.active_energy_import as number) - before, 6);
      expect(after.energy_import_hour).toBeGreaterThan(0);
      expect(second.sink.last('powermeter/57000001/accounting')).toMatchObject({ energy_import_hour: { period_start: '2026-11-23T09:00:00.000Z' } });
    });
  });
});
