import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/decode/decoder.js';
import { Intake, protectionLevel } from '../../src/core/intake.js';
import { Meters } from '../../src/core/meters.js';
import { Outbox } from '../../src/core/outbox.js';
import { emptyState, MAX_METERS } from '../../src/core/persisted.js';
import { ReplayGuard } from '../../src/core/replay-guard.js';
import { SourceRecord } from '../../src/core/streams.js';
import type { SourceSpec } from '../../src/core/events.js';
import type { Keys } from '../../src/dlms/cipher.js';
import { danishKeys } from '../support/vectors.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const spec = (keys: Keys = danishKeys): SourceSpec => ({ id: 's', name: 'test', redial: false, remoteLine: false, keys, baudRate: 2400, parity: 'none' });
const TITLE = '4B414D4503669D52';

/** A decoded frame of meter 57000001, 10 s after T0 × n, with this protection and import total. */
function frame(n: number, protection: DecodedFrame['protection'], kWh: number, o: Partial<DecodedFrame> = {}): DecodedFrame {
  const ciphered = protection !== 'none';
  return {
    meterId: '57000001',
    meterTime: new Date(T0 + n * 10_000).toISOString(),
    list: 'test',
    manufacturer: 'Kamstrup',
    model: null,
    readings: [{ key: 'active_energy_import', obis: '1-1:1.8.0.255', quantity: 'energy', value: kWh, unit: 'kWh' }],
    unitRule: null,
    framing: 'hdlc',
    protection,
    systemTitle: ciphered ? TITLE : null,
    frameCounter: ciphered ? n + 1 : null,
    keysSwapped: false,
    ...o,
  };
}

function setup(keys: Keys = danishKeys) {
  const state = emptyState();
  const out = new Outbox();
  const meters = new Meters(state);
  const source = new SourceRecord(spec(keys), 0, { meterKeys: new Map(), dataTimeoutMs: 60_000, keepRaw: false, startedAt: T0 });
  const stream = source.stream('', T0);
  const intake = new Intake({ timeZone: 'UTC', meterKeyPrints: new Map() }, new ReplayGuard(state.counters), meters, out, [source.keys]);
  /** Admits a frame, and records it on its meter when accepted (as the core does next). */
  const admit = (f: DecodedFrame, n: number) => {
    const a = intake.admit(source, stream, f, T0 + n * 10_000);
    if (a.outcome === 'accepted') a.meter.record(f, T0 + n * 10_000, a.clock, a.guardClock);
    return a.outcome;
  };
  const said = () => out.take().flatMap((e) => (e.kind === 'notice' ? [e.notice.text] : []));
  return { intake, source, stream, meters, out, admit, said, state };
}

describe('a frame\'s way in: protection, replay, meter, energy guard', () => {
  it('ranks protection: clear 0, encrypted 1, authenticated 2', () => {
    expect(['none', 'encrypted', 'authenticated', 'authenticated-encrypted'].map((p) => protectionLevel(p as DecodedFrame['protection']))).toEqual([0, 1, 2, 2]);
  });

  it('refuses a frame in clear on a source that has keys, counted and said as a possible forgery', () => {
    const s = setup();
    expect(s.admit(frame(0, 'authenticated-encrypted', 100), 0)).toBe('accepted');
    expect(s.admit(frame(1, 'none', 99_999), 1)).toBe('not-protected');
    expect(s.source.rejected.get('not-protected')).toBe(1);
    expect(s.said().filter((t) => /refused/.test(t))).toEqual([expect.stringMatching(/^a frame sent in clear \(meter 57000001\) was refused: keys are set for this source.*clear the keys in the options/)]);
  });

  it('takes frames in clear on a source without keys, and keeps an encryption-only meter working', () => {
    expect(setup({}).admit(frame(0, 'none', 100), 0)).toBe('accepted');
    const s = setup({ encryption: danishKeys.encryption });
    for (let n = 0; n < 3; n++) expect(s.admit(frame(n, 'encrypted', 100 + n * 0.01), n)).toBe('accepted');
  });

  it('refuses a less protected frame from a meter that authenticated before, with the same keys', () => {
    const s = setup();
    expect(s.admit(frame(0, 'authenticated-encrypted', 100), 0)).toBe('accepted');
    expect(s.meters.get('57000001')?.security?.level).toBe(2);
    expect(s.admit(frame(1, 'encrypted', 100.01), 1)).toBe('not-protected');
    expect(s.said().some((t) => /an encrypted frame without authentication \(meter 57000001\) was refused: meter 57000001 sent authenticated frames before/.test(t))).toBe(true);
  });

  it('refuses a replayed counter, and journals each counter that moved', () => {
    const s = setup();
    expect(s.admit(frame(0, 'authenticated-encrypted', 100), 0)).toBe('accepted');
    const counters = s.out.take().filter((e) => e.kind === 'counter');
    expect(counters).toEqual([{ kind: 'counter', systemTitle: TITLE, counter: 1, keys: s.source.keys }]);
    expect(s.admit(frame(0, 'authenticated-encrypted', 100), 1)).toBe('replay');
    expect(s.out.take().filter((e) => e.kind === 'counter')).toEqual([]);
  });

  it('makes no more meters than the state file admits, and says so', () => {
    const s = setup({});
    for (let i = 0; i < MAX_METERS; i++) expect(s.admit(frame(0, 'none', 1, { meterId: `m${i}` }), 0)).toBe('accepted');
    expect(s.admit(frame(0, 'none', 1, { meterId: 'one-too-many' }), 0)).toBe('too-many-meters');
    expect(s.meters.size).toBe(MAX_METERS);
    expect(s.said().filter((t) => /is not added/.test(t))).toEqual([`meter one-too-many is not added: PowerMeter already keeps ${MAX_METERS} meters, the most one instance keeps. Share the meters among instances (partition_index and partition_count, docs/scaling.md); further frames of new meters are counted`]);
  });

  it('does not trust a meter clock a day off for the energy guard: the jump is judged by arrival', () => {
    const s = setup();
    expect(s.admit(frame(0, 'authenticated-encrypted', 100), 0)).toBe('accepted');
    const ahead = frame(1, 'authenticated-encrypted', 1_000_100, { meterTime: new Date(T0 + 366 * 86_400_000).toISOString() });
    expect(s.admit(ahead, 1)).toBe('energy-held');
    expect(s.said().filter((t) => /clock says/.test(t))).toHaveLength(1);
    const back = s.intake.admit(s.source, s.stream, frame(2, 'authenticated-encrypted', 100.02), T0 + 20_000);
    expect(back.outcome).toBe('accepted');
    if (back.outcome === 'accepted') expect(back.guardClock).toBe(T0 + 20_000);
    // A frame with the true level after the held one is never "a new level".
    expect(s.said().filter((t) => /new level/.test(t))).toEqual([]);
  });
});
