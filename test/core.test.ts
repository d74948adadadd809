import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instantOf } from '../src/accounting/time-zone.js';
import { MAX_POWER_KW } from '../src/core/energy-guard.js';
import { MAX_METERS } from '../src/core/persisted.js';
import { StateStore } from '../src/service/state-store.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { harness, tz, type Harness, type HarnessOptions } from './support/core.js';
import { randomBytes } from './support/random.js';
import { bytesOf, danish, danishKeys, extraVectors, vector } from './support/vectors.js';

const METER = 'powermeter/57000001';
const bridge = (h: Harness) => h.published('powermeter/bridge/state');
const meter = (keys = danishKeys, frameCounter = 1) => new SimulatedMeter(57_000_001, keys, { timeZone: tz, frameCounter });
/** The next frame of a meter that speaks every 10 s, at the harness's time; the clock moves on 10 s. */
const next = (h: Harness, sim: SimulatedMeter, override = {}) => {
  const frame = sim.frame(new Date(h.at()), 10, override);
  h.bytes(frame);
  h.advance(10_000);
  return frame;
};
/** Noise that never holds a frame: bytes without 0x7E or 0x68, where the framer would look for one. */
const randomNoise = (n: number) => Buffer.from(randomBytes(n).map((b) => (b === 0x7e || b === 0x68 ? 0x55 : b)));
const imports = (h: Harness) => h.published(`${METER}/state`).map((s) => s!.active_energy_import as number);

describe('service core: availability, the problem sensor, stale data', () => {
  it('marks the meter unavailable when no good frame has come for data_timeout, and back on the next frame', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    const topic = `${METER}/availability`;
    expect(h.availability(topic)).toEqual([true]);
    h.advance(31_000);
    expect(h.availability(topic)).toEqual([true, false]);
    expect(h.notices(/no bytes from the meter for 30 s.*HAN port may have stalled/)).toHaveLength(1);
    expect(h.notices(/^INFO .*again$/)).toEqual([]);
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'ON', security: 'no_data' });
    h.advance(60_000);
    expect(h.notices(/^WARN no bytes/)).toHaveLength(1);
    next(h, sim);
    expect(h.availability(topic)).toEqual([true, false, true]);
    expect(h.notices(/^INFO bytes arrive again$/)).toHaveLength(1);
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'OFF', security: 'authenticated' });
  });

  it('keeps the problem sensor OFF for data_timeout after a start without frames, then ON', () => {
    const h = harness({ dataTimeoutS: 60 });
    h.advance(59_000);
    expect(bridge(h).length).toBeGreaterThan(0);
    expect(bridge(h).every((s) => s!.problem === 'OFF')).toBe(true);
    expect(h.notices(/no bytes/)).toEqual([]);
    h.advance(1000);
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'ON' });
    expect(h.notices(/no bytes in the 60 s since the start/)).toHaveLength(1);
  });

  it('says a source outage once, the retries at debug, and its end once', () => {
    const h = harness();
    h.source('connected');
    for (let i = 0; i < 5; i++) h.source('disconnected', 'ECONNREFUSED; redialling in 2 s');
    h.source('connected');
    expect(h.notices(/source/)).toEqual([
      'INFO source connected',
      'WARN source unavailable: ECONNREFUSED; redialling in 2 s; it retries by itself',
      ...Array<string>(4).fill('DEBUG source still unavailable: ECONNREFUSED; redialling in 2 s'),
      'INFO source connected again',
    ]);
  });
});

describe('service core: the line settings hint', () => {
  it('with 80 % of frames failing their checksum for 10 minutes: the hint once, never "frames decode again"', () => {
    const h = harness({ dataTimeoutS: 60 });
    const sim = meter();
    const bad = bytesOf(vector('dk-kamstrup-omnipower-gh244-1-fcs-corrupt'));
    for (let i = 0; i < 60; i++) {
      if (i % 5 === 4) next(h, sim);
      else {
        h.bytes(bad);
        h.advance(10_000);
      }
    }
    expect(h.notices(/line settings/)).toHaveLength(1);
    expect(h.notices(/line settings \(now 2400 baud, parity none\) are probably wrong/)).toHaveLength(1);
    expect(h.notices(/decode again/)).toEqual([]);
    expect(h.core.rejected('m', 'checksum')).toBe(48);
    h.hour();
    expect(h.notices(/more frames failed their checksum in the last hour/)).toEqual(['WARN 43 more frames failed their checksum in the last hour: check baud_rate, parity and the data wire']);
  });
});

describe('service core: the key check', () => {
  const verdicts = (h: Harness) => bridge(h).map((s) => s!.security).filter((v, i, all) => i === 0 || v !== all[i - 1]);
  const run = (keys: HarnessOptions['keys']) => {
    const h = harness({ keys });
    const sim = meter();
    h.bytes(bytesOf(danish));
    next(h, sim);
    next(h, sim);
    return h;
  };

  it('authenticated with the right keys, said once', () => {
    const h = run(danishKeys);
    expect(verdicts(h)).toEqual(['no_data', 'authenticated']);
    expect(h.notices(/key check/)).toEqual(['INFO key check: keys right: the frames authenticate and decrypt']);
  });

  it('keys_swapped: decodes anyway and tells the user to swap them, once', () => {
    const h = run({ encryption: danishKeys.authentication, authentication: danishKeys.encryption });
    expect(verdicts(h).at(-1)).toBe('keys_swapped');
    expect(h.core.frames).toBe(3);
    expect(h.notices(/^WARN key check: keys swapped: .*GPK60 is the encryption key, GPK61 the authentication key/)).toHaveLength(1);
  });

  it('wrong_authentication_key and wrong_encryption_key, said once each, then counted', () => {
    const wrongAuth = run({ encryption: danishKeys.encryption, authentication: Buffer.alloc(16, 1) });
    expect(verdicts(wrongAuth).at(-1)).toBe('wrong_authentication_key');
    expect(wrongAuth.notices(/^ERROR key check: wrong authentication key/)).toHaveLength(1);
    expect(wrongAuth.core.rejected('m', 'wrong-authentication-key')).toBe(3);
    expect(verdicts(run({ encryption: Buffer.alloc(16, 2), authentication: danishKeys.authentication })).at(-1)).toBe('wrong_encryption_key');
  });

  it('key_missing, not_encrypted, no_data', () => {
    expect(verdicts(run({})).at(-1)).toBe('key_missing');
    const clear = harness({ keys: {} });
    clear.bytes(bytesOf(vector('dk-kamstrup-omnipower-gh741-1-unencrypted')));
    expect(verdicts(clear).at(-1)).toBe('not_encrypted');
    expect(verdicts(harness()).at(-1)).toBe('no_data');
  });

  it('never says or publishes a key', () => {
    const h = run({ encryption: danishKeys.authentication, authentication: danishKeys.encryption });
    const all = JSON.stringify(h.effects).toLowerCase();
    for (const k of [danishKeys.encryption, danishKeys.authentication]) expect(all).not.toContain(k.toString('hex').slice(0, 12));
  });
});

describe('service core: the energy guard', () => {
  it('never publishes a +1 000 000 kWh spike, and publishes the genuine frames after it', () => {
    const h = harness();
    const sim = meter();
    for (let i = 0; i < 3; i++) next(h, sim);
    const before = imports(h).at(-1)!;
    next(h, sim, { active_energy_import: before + 1_000_000 }); // 10^8 raw units of 10 Wh
    for (let i = 0; i < 5; i++) next(h, sim);
    expect(imports(h)).toHaveLength(8);
    expect(Math.max(...imports(h))).toBeLessThan(before + 1);
    expect(h.published(`${METER}/state`).every((s) => (s!.energy_import_day as number) < 1)).toBe(true);
    expect(h.notices(/held back/)).toEqual([expect.stringMatching(/^WARN frame held back: active_energy_import jumped from [\d.]+ to [\d.]+, more than the meter could deliver/)]);
    expect(h.notices(/frames in a row agreed/)).toEqual([]);
    expect(h.core.rejected('m', 'energy-held')).toBe(1);
  });

  it('does not make a held spike the baseline across a restart', () => {
    const first = harness();
    const sim = meter();
    next(first, sim);
    next(first, sim, { active_energy_import: 2_000_000 });
    first.stop();
    const second = harness({ state: first.persisted().at(-1), start: first.at() + 60_000 });
    next(second, sim);
    expect(imports(second)).toHaveLength(1);
    expect(imports(second)[0]).toBeLessThan(20_000);
  });

  it('holds a decrease back, and takes a lower level that three frames confirm (a replaced meter), with a warning', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    const published = imports(h).length;
    next(h, sim, { active_energy_import: 5 });
    next(h, sim, { active_energy_import: 5.01 });
    expect(imports(h)).toHaveLength(published); // a decrease is never published as it comes
    next(h, sim, { active_energy_import: 5.02 });
    expect(imports(h).at(-1)).toBe(5.02);
    expect(h.notices(/held back/)).toHaveLength(1);
    expect(h.notices(/frames in a row agreed/)).toEqual([expect.stringMatching(/^WARN active_energy_import went down from [\d.]+ to 5, and 3 frames in a row agreed: taken as the meter's new level/)]);
    next(h, sim, { active_energy_import: 5.03 });
    expect(imports(h).at(-1)).toBe(5.03);
  });

  it('allows what the meter can deliver: power × the time between frames, by the meter clock and by arrival (plus a minute), whichever is less', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    const start = imports(h)[0]!;
    // An hour by both clocks: 0.9 × the most a connection can draw in an hour is taken.
    const t = h.at();
    h.set(t + 3_600_000);
    h.bytes(sim.frame(new Date(t + 3_600_000), 3600, { active_energy_import: start + 0.9 * MAX_POWER_KW }));
    expect(imports(h).at(-1)).toBeCloseTo(start + 0.9 * MAX_POWER_KW, 6);
    // A capture replayed fast: 10 s by the meter's clock, 100 ms by arrival; the meter's clock is the smaller.
    h.set(h.at() + 100);
    h.bytes(sim.frame(new Date(t + 3_610_000), 10, { active_energy_import: start + 0.9 * MAX_POWER_KW + 5 }));
    expect(imports(h)).toHaveLength(3);
    h.set(h.at() + 100);
    h.bytes(sim.frame(new Date(t + 3_620_000), 10, { active_energy_import: start + 0.9 * MAX_POWER_KW + 55 }));
    expect(imports(h)).toHaveLength(3); // 50 kWh in 10 s is 18 MW
  });

  it('a meter clock a year ahead cannot open the guard: +1 000 000 kWh is held, and the true level after it is no "new level"', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    const start = imports(h)[0]!;
    const yearAhead = new Date(h.at() + 365 * 86_400_000);
    h.bytes(sim.frame(yearAhead, 10, { active_energy_import: start + 1_000_000 }));
    h.advance(10_000);
    expect(imports(h).every((v) => v < start + 1000)).toBe(true);
    expect(h.notices(/clock says .* more than a day from this host's clock/)).toHaveLength(1);
    for (let i = 0; i < 5; i++) next(h, sim);
    expect(imports(h)).toHaveLength(6);
    expect(imports(h).every((v) => v < start + 1000)).toBe(true);
    expect(h.notices(/taken as the meter's new level/)).toEqual([]);
    // After a frame dated 2000-01-01, a jump of a million is still held: the gap by arrival is 10 s.
    h.bytes(sim.frame(new Date(Date.UTC(2000, 0, 1)), 10));
    h.advance(10_000);
    h.bytes(sim.frame(new Date(h.at()), 10, { active_energy_import: start + 1_000_000 }));
    expect(imports(h).every((v) => v < start + 1000)).toBe(true);
  });
});

describe('service core: replay protection', () => {
  it('refuses a replayed frame and says it is a replay; an older one too', () => {
    const h = harness();
    const sim = meter();
    const first = next(h, sim);
    const second = next(h, sim);
    h.bytes(second);
    h.bytes(first);
    expect(imports(h)).toHaveLength(2);
    expect(h.core.rejected('m', 'replay')).toBe(2);
    expect(h.notices(/replay/)).toEqual([expect.stringMatching(/^WARN replayed frame refused: its invocation counter 2 is not above the last accepted one, 2/)]);
    expect(h.notices(/went down|held back/)).toEqual([]);
    h.hour();
    expect(h.notices(/replayed/).at(-1)).toBe('WARN 1 more replayed frames refused in the last hour');
    // A new frame ends it: a later replay is said again.
    next(h, sim);
    h.bytes(first);
    expect(h.notices(/^WARN replayed frame refused/)).toHaveLength(2);
  });

  it('keeps the counters across a restart, and starts afresh with new keys', () => {
    const first = harness();
    const sim = meter();
    const old = next(first, sim);
    next(first, sim);
    first.stop();
    const state = first.persisted().at(-1)!;
    const second = harness({ state: structuredClone(state) });
    second.bytes(old);
    expect(second.core.rejected('m', 'replay')).toBe(1);
    // The grid company reset the HAN port: new keys, and the meter counts from 1 again.
    const keys = { encryption: Buffer.alloc(16, 0x11), authentication: Buffer.alloc(16, 0x22) };
    const third = harness({ keys, state: structuredClone(state) });
    next(third, meter(keys, 1), { active_energy_import: imports(first).at(-1)! + 0.5 });
    expect(third.core.rejected('m', 'replay')).toBe(0);
    expect(imports(third)).toHaveLength(1);
  });
});

describe('service core: the broker and the state file', () => {
  it('says a refused login once per outage with the fix, and once when it works; then publishes everything again', () => {
    const h = harness();
    h.bytes(bytesOf(danish));
    for (let i = 0; i < 4; i++) h.broker('refused', 'the MQTT broker refused the login: check mqtt_username and mqtt_password');
    expect(h.notices(/refused/)).toEqual(['ERROR the MQTT broker refused the login: check mqtt_username and mqtt_password; retrying every 30 s at most, so a fixed login is taken without a restart']);
    const before = h.effects.length;
    h.broker('connected');
    expect(h.notices(/connected to the MQTT broker/)).toEqual(['INFO connected to the MQTT broker again: the login is accepted now', 'INFO connected to the MQTT broker']);
    const after = h.effects.slice(before);
    const order = after.flatMap((e) => (e.kind === 'publish' || e.kind === 'availability' ? [e.topic] : []));
    expect(order.slice(0, 2)).toEqual(['powermeter/availability', 'powermeter/27581522/availability']);
    expect(order).toContain('homeassistant/device/powermeter_27581522/config');
    expect(order.indexOf('homeassistant/device/powermeter_27581522/config')).toBeLessThan(order.indexOf('powermeter/27581522/state'));
    h.broker('down', 'lost the MQTT broker');
    h.broker('down', 'lost the MQTT broker');
    h.broker('connected');
    expect(h.notices(/lost the MQTT broker|again/)).toEqual([
      'INFO connected to the MQTT broker again: the login is accepted now',
      'WARN lost the MQTT broker; retrying every 30 s at most. Frames go on being decoded, and the latest values are published when the broker is back',
      'INFO connected to the MQTT broker again',
    ]);
  });

  it('says a failing state folder once, counts it hourly, says when it works again, and nothing else', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    for (let i = 0; i < 3; i++) h.saved('/data/accounting.json: EROFS');
    next(h, sim);
    h.hour();
    h.saved(null);
    h.saved(null);
    expect(h.notices(/save|decode again/)).toEqual([
      'ERROR cannot save the energy periods: /data/accounting.json: EROFS; they are kept in memory and saved when it works again',
      'ERROR 2 more attempts to save the energy periods failed in the last hour',
      'INFO the energy periods are saved again',
    ]);
  });

  it('asks for the state to be saved when a period closes, every 5 minutes, and at the stop; never when told not to', () => {
    const h = harness({ start: instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 58, second: 0 }, tz) });
    const sim = meter();
    for (let i = 0; i < 18; i++) next(h, sim); // 3 minutes, across 11:00
    expect(h.persisted().length).toBeGreaterThanOrEqual(2);
    const saved = h.persisted().length;
    h.advance(5 * 60_000);
    expect(h.persisted().length).toBe(saved + 1);
    h.stop();
    expect(h.persisted().length).toBe(saved + 2);
    const memoryOnly = harness({ persist: false });
    next(memoryOnly, meter());
    memoryOnly.advance(6 * 60_000);
    memoryOnly.stop();
    expect(memoryOnly.persisted()).toEqual([]);
  });

  it('saves at most once a second when many meters close their hour at once, and loses none of them', () => {
    const h = harness({ start: instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 59, second: 40 }, tz) });
    const sims = Array.from({ length: 50 }, (_, i) => new SimulatedMeter(57_100_000 + i, danishKeys, { timeZone: tz }));
    for (const sim of sims) h.bytes(sim.frame(new Date(h.at()), 10));
    h.advance(30_000); // now 11:00:10
    const before = h.persisted().length;
    for (const sim of sims) h.bytes(sim.frame(new Date(h.at()), 30)); // each closes its 10:00 hour, in one second
    expect(h.persisted().length).toBe(before + 1);
    h.advance(1000);
    expect(h.persisted().length).toBe(before + 2);
    const saved = h.persisted().at(-1)!;
    expect(Object.keys(saved.meters)).toHaveLength(50);
    for (const m of Object.values(saved.meters)) expect(m.periods.active_energy_import?.previous.hour).not.toBeNull();
    h.advance(10_000);
    expect(h.persisted().length).toBe(before + 2);
  });
});

describe('service core: a TCP bridge down for 15 minutes', () => {
  it('turns the problem sensor on after data_timeout, says the outage once, and takes the data when the bridge is back', () => {
    const h = harness({ redial: true, dataTimeoutS: 60 });
    const sim = meter();
    h.source('connected');
    next(h, sim);
    h.source('disconnected', 'ECONNREFUSED; redialling in 1 s');
    for (let s = 0; s < 15 * 60; s += 30) {
      h.advance(30_000);
      h.source('connecting');
      h.source('disconnected', 'ECONNREFUSED; redialling in 30 s');
    }
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'ON', source_state: 'disconnected' });
    expect(h.availability(`${METER}/availability`)).toEqual([true, false]);
    expect(h.notices(/^WARN/)).toEqual([expect.stringMatching(/^WARN source unavailable: ECONNREFUSED/), expect.stringMatching(/^WARN no bytes from the meter for 60 s/)]);
    expect(h.effects.filter((e) => e.kind === 'redial')).toEqual([]); // it is not connected: nothing to redial
    h.source('connected');
    next(h, sim);
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'OFF', source_state: 'connected' });
    expect(h.availability(`${METER}/availability`)).toEqual([true, false, true]);
    expect(h.notices(/^INFO .*again$/)).toEqual(['INFO source connected again', 'INFO bytes arrive again']);
  });
});

describe('service core: a TCP bridge, and what tells its troubles apart', () => {
  it('is redialled after data_timeout without a byte, and not while bytes come, garbage or not', () => {
    const silent = harness({ redial: true });
    silent.source('connected');
    silent.advance(65_000);
    expect(silent.effects.filter((e) => e.kind === 'redial')).toHaveLength(2);
    const h = harness({ redial: true });
    h.source('connected');
    for (let i = 0; i < 65; i++) {
      h.bytes(Buffer.from('garbage, not a frame'));
      h.advance(1000);
    }
    expect(h.effects.filter((e) => e.kind === 'redial')).toEqual([]);
    const good = harness({ redial: true });
    good.source('connected');
    const sim = meter();
    for (let i = 0; i < 10; i++) next(good, sim);
    expect(good.effects.filter((e) => e.kind === 'redial')).toEqual([]);
  });

  it('bytes at the meter\'s rate that never form a frame (a wrong baud rate): no_frames within data_timeout, with the bytes/s, and no redial', () => {
    const h = harness({ redial: true, dataTimeoutS: 60 });
    h.source('connected');
    for (let i = 0; i < 61; i++) {
      h.bytes(randomNoise(240)); // 2400 baud is 240 bytes/s
      h.advance(1000);
    }
    expect(h.last('powermeter/bridge/state')).toMatchObject({ problem: 'ON', security: 'no_frames', checksum_errors: 0 });
    expect(h.notices(/^WARN bytes arrive/)).toEqual([expect.stringMatching(/^WARN bytes arrive \(about 24\d bytes\/s\) but no frame formed from them in 60 s: the line settings \(now 2400 baud, parity none\)/)]);
    expect(h.effects.filter((e) => e.kind === 'redial')).toEqual([]);
    expect(h.notices(/no bytes/)).toEqual([]);
  });

  it('a wrong authentication key for 5 minutes: no redial, the problem sensor OFF, the key check says which key, and nothing more in the log', () => {
    const h = harness({ redial: true, dataTimeoutS: 60, keys: { encryption: danishKeys.encryption, authentication: Buffer.alloc(16, 7) } });
    h.source('connected');
    const sim = meter();
    const before = h.notices().length;
    for (let i = 0; i < 30; i++) next(h, sim);
    expect(h.effects.filter((e) => e.kind === 'redial')).toEqual([]);
    expect(bridge(h).every((s) => s!.problem === 'OFF')).toBe(true);
    expect(h.last('powermeter/bridge/state')).toMatchObject({ security: 'wrong_authentication_key', authentication_failures: 30 });
    const said = h.notices().slice(before).filter((l) => !l.startsWith('DEBUG'));
    expect(said).toEqual([expect.stringMatching(/^ERROR key check: wrong authentication key/)]);
    h.hour();
    expect(h.notices(/more frames could not be read with the keys/)).toEqual([expect.stringMatching(/^WARN 29 more frames could not be read with the keys in the last hour/)]);
  });
});

describe('service core: what a meter publishes', () => {
  it('keeps the last value of a register that a list carries only hourly', () => {
    const h = harness({ keys: {} });
    h.bytes(bytesOf(vector('no-kamstrup-list2-hourly-roarfred-20171020')));
    h.bytes(bytesOf(vector('no-kamstrup-list1-roarfred-20171020')));
    expect(h.last('powermeter/5706567274389702/state')).toMatchObject({ active_energy_import: 4272.44, active_power_import: 1468 });
  });

  it('takes an Iskra list that names no meter as the stream\'s meter: one device for the power list and the energy list', () => {
    const extra = (id: string): Buffer => Buffer.from(extraVectors.find((v) => v.id === id)!.hex, 'hex');
    const h = harness({ keys: {} });
    h.bytes(extra('si-iskra-am550-gh869-1-9-values')); // power, named by its logical device name
    h.bytes(extra('si-iskra-am550-gh869-3-4-values')); // energy, with only the serial: no meter id of its own
    expect(h.last('powermeter/isk1020784605887/state')).toMatchObject({ active_power_import: 373, voltage_l1: 230.1, active_energy_import: 7924.641 });
    expect(h.notices(/meter .* now sends/)).toEqual([]);
    // Their units come from a rule, not a specification: said once for the meter, however many frames come.
    h.bytes(extra('si-iskra-am550-gh869-1-9-values'));
    expect(h.notices(/by a rule/)).toEqual([expect.stringMatching(/^INFO meter ISK1020784605887: iskra-am550-si-9 sends values without their units; PowerMeter reads them by a rule, not a specification: W, var, Wh and varh, voltage in 0\.1 V/)]);
  });

  it('says no unit rule for a meter whose units its specification gives', () => {
    const h = harness();
    h.bytes(bytesOf(danish));
    expect(h.notices(/first frame/)).toHaveLength(1);
    expect(h.notices(/by a rule/)).toEqual([]);
  });

  it('publishes the meter clock as a timestamp in the Home Assistant zone, its drift and the frame counter', () => {
    const h = harness({ start: instantOf({ year: 2020, month: 1, day: 7, hour: 14, minute: 47, second: 22 }, tz) });
    h.bytes(bytesOf(danish));
    expect(h.last('powermeter/27581522/state')).toMatchObject({ meter_time: '2020-01-07T13:47:20.000Z', clock_drift: -2, frame_counter: 0x000788e1 });
  });

  it('publishes hour, day and month energy with their last_reset, and rolls the hour over', () => {
    const h = harness({ start: instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 59, second: 0 }, tz) });
    const sim = meter();
    for (let i = 0; i < 12; i++) next(h, sim);
    const state = h.last(`${METER}/state`)!;
    expect(state).toMatchObject({ energy_import_hour_last_reset: '2026-11-23T10:00:00.000Z', energy_import_day_last_reset: '2026-11-22T23:00:00.000Z' });
    expect(state).not.toHaveProperty('energy_import_previous_hour_last_reset'); // a closed period has no last_reset
    expect(state.energy_import_previous_month).toBeNull(); // there, but null until it exists
    expect(typeof state.energy_import_hour).toBe('number');
    expect(h.last(`${METER}/accounting`)!.energy_import_previous_hour).toMatchObject({ period_start: '2026-11-23T09:00:00.000Z', gap: true }); // started at 10:59
  });

  it('keeps its periods and the energy guard across a restart', () => {
    const t0 = instantOf({ year: 2026, month: 11, day: 23, hour: 10, minute: 10, second: 0 }, tz);
    const sim = meter();
    const first = harness({ start: t0 });
    first.bytes(sim.frame(new Date(t0), 3600)); // an hour's worth: its totals are well above a fresh meter's
    first.stop();
    const before = imports(first).at(-1)!;
    const second = harness({ start: t0 + 20_000, state: first.persisted().at(-1) });
    // a frame with an energy total lower than before the restart is held back
    second.bytes(meter().frame(new Date(t0 + 20_000), 10));
    expect(imports(second)).toEqual([]);
    second.set(t0 + 620_000);
    second.bytes(sim.frame(new Date(t0 + 620_000), 600));
    const after = second.last(`${METER}/state`)!;
    // the hour began before the restart and goes on: its value spans both runs
    expect(after.energy_import_hour).toBeCloseTo((after.active_energy_import as number) - before, 6);
    expect(after.energy_import_hour).toBeGreaterThan(0);
    expect(second.last(`${METER}/accounting`)).toMatchObject({ energy_import_hour: { period_start: '2026-11-23T09:00:00.000Z' } });
  });

  it('answers Home Assistant coming online with discovery and state, and stops with every availability offline', () => {
    const h = harness();
    h.bytes(bytesOf(danish));
    const before = h.effects.length;
    h.haOnline();
    const topics = h.effects.slice(before).flatMap((e) => (e.kind === 'publish' ? [e.topic] : []));
    expect(topics).toEqual(expect.arrayContaining(['homeassistant/device/powermeter_27581522/config', 'powermeter/27581522/state', 'homeassistant/device/powermeter_bridge/config']));
    h.stop();
    expect(h.availability('powermeter/27581522/availability').at(-1)).toBe(false);
    expect(h.availability('powermeter/availability').at(-1)).toBe(false);
  });
});

describe('service core: what changes between runs', () => {
  /** The state a run with these topics leaves, with one meter heard. */
  function earlierRun(topics: { discoveryPrefix: string; baseTopic: string }) {
    const h = harness();
    next(h, meter());
    h.stop();
    return { ...structuredClone(h.persisted().at(-1)!), topics };
  }
  const cleared = (h: Harness) => h.effects.flatMap((e) => (e.kind === 'publish' && e.payload === null && e.retain ? [e.topic] : []));

  it('clears what the last run retained under another base topic or discovery prefix, on every announce', () => {
    const h = harness({ state: earlierRun({ discoveryPrefix: 'ha', baseTopic: 'han' }) });
    expect(h.notices(/changed since the last run/)).toEqual(['INFO discovery_prefix and base_topic changed since the last run: the 4 retained messages published under the old one are cleared, so that Home Assistant keeps no dead copy of the devices']);
    h.broker('connected');
    expect(cleared(h).sort()).toEqual(['ha/device/han_bridge/config', 'ha/device/powermeter_57000001/config', 'han/57000001/availability', 'han/availability']);
    const same = harness({ state: earlierRun({ discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' }) });
    same.broker('connected');
    expect(cleared(same)).toEqual([]);
    expect(same.notices(/changed since/)).toEqual([]);
  });

  it('says the upgrade to installations that had meters, once; a fresh one hears nothing of it', () => {
    const old = earlierRun({ discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' });
    delete old.said;
    const upgraded = harness({ state: old });
    expect(upgraded.notices(/Developer tools → Statistics/)).toHaveLength(1);
    upgraded.stop();
    const again = harness({ state: structuredClone(upgraded.persisted().at(-1)!) });
    expect(again.notices(/Developer tools/)).toEqual([]);
    expect(harness().notices(/Developer tools/)).toEqual([]);
  });

  it('says when another meter sends where one did, and keeps the old device', () => {
    const h = harness();
    next(h, meter());
    next(h, new SimulatedMeter(57_000_002, danishKeys, { timeZone: tz }));
    expect(h.notices(/now sends where/)).toEqual([expect.stringMatching(/^INFO meter 57000002 now sends where meter 57000001 did: a new device\. The old device is kept, with its history/)]);
    expect(h.effects.some((e) => e.kind === 'publish' && e.topic === 'homeassistant/device/powermeter_57000001/config' && e.payload === null)).toBe(false);
  });
});

describe('service core: nothing unbounded, nothing lost', () => {
  it('10 050 meters heard, then a restart: at most the number the state file admits, said once, and the state file read back whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-meters-'));
    const store = new StateStore(join(dir, 'accounting.json'));
    const h = harness();
    const t = h.at();
    for (let i = 0; i < 10_050; i++) h.bytes(new SimulatedMeter(10_000_000 + i, danishKeys, { timeZone: tz }).frame(new Date(t), 10));
    h.stop();
    store.save(h.persisted().at(-1)!);
    const loaded = store.load(t);
    expect(loaded.problems).toEqual([]);
    expect(Object.keys(loaded.state.meters)).toHaveLength(MAX_METERS);
    expect(h.notices(/is not added/)).toHaveLength(1);
    expect(h.core.rejected('m', 'too-many-meters')).toBe(10_050 - MAX_METERS);
  });

  it('a persist effect is a copy: frames stepped after it leave it as it was', () => {
    const h = harness();
    const sim = meter();
    next(h, sim);
    h.stop();
    const kept = h.persisted().at(-1)!;
    const copy = structuredClone(kept);
    for (let i = 0; i < 30; i++) next(h, sim);
    h.hour();
    expect(kept).toEqual(copy);
    expect(Object.isFrozen(h.effects.find((e) => e.kind === 'persist'))).toBe(true);
  });

  it('a host clock stepped back 2 h keeps the current hour open and counts in it what the meter counts meanwhile; said once', () => {
    const t0 = instantOf({ year: 2026, month: 12, day: 4, hour: 20, minute: 30, second: 0 }, tz);
    const h = harness({ start: t0 });
    const sim = meter();
    for (let i = 0; i < 6; i++) next(h, sim); // 20:30 → 20:31
    const before = h.last(`${METER}/state`)!;
    h.set(t0 - 2 * 3_600_000 + 60_000); // the clock says 18:31
    for (let i = 0; i < 60; i++) next(h, sim); // ten minutes by the meter
    const after = h.last(`${METER}/state`)!;
    expect(after.energy_import_hour_last_reset).toBe(before.energy_import_hour_last_reset); // still the 20:00 hour
    expect(after.energy_import_hour).toBeCloseTo((after.active_energy_import as number) - (before.active_energy_import as number) + (before.energy_import_hour as number), 6);
    expect(h.last(`${METER}/accounting`)?.energy_import_previous_hour).not.toMatchObject({ value: null });
    expect(h.notices(/the host clock went back by 2 h/)).toHaveLength(1);
    // The clock passes 20:31 again: the periods go on, and it is said.
    h.set(t0 + 120_000);
    next(h, sim);
    expect(h.notices(/the host clock has caught up/)).toHaveLength(1);
    expect(h.last(`${METER}/state`)!.energy_import_hour_last_reset).toBe(before.energy_import_hour_last_reset);
  });
});
