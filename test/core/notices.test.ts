import { describe, expect, it } from 'vitest';
import { NoticeBoard, noticeTable, type ContextOf, type Notice, type NoticeId, type Signal } from '../../src/core/notices.js';

/** An example of every notice's context: the table's texts are checked on them, and on nothing made up per test. */
const examples: { readonly [K in NoticeId]: ContextOf<K> } = {
  'first-frame': { list: 'kamstrup-dlms-push-1', readings: 30, meter: '57000001' },
  'broker-connected': {},
  'source-connected': {},
  'source-retry': { detail: 'ECONNREFUSED; redialling in 2 s' },
  'line-settings': { failed: 8, decoded: 2, baudRate: 2400, parity: 'none', bridge: true },
  'no-bytes': { seconds: 60, everHeard: true, redial: true },
  'no-frames': { seconds: 60, bytesPerSecond: 240, baudRate: 9600, parity: 'none', bridge: false },
  'keys-failing': {},
  'unprotected-frame': { what: 'a frame sent in clear', why: 'keys are set for this source', meter: '57000001' },
  'too-many-meters': { max: 2000, meter: '57000001' },
  'meter-clock-off': { meter: '57000001', clock: '2027-12-04T12:00:00.000Z' },
  'clock-back': { behind: '2 h 0 min', until: '2026-12-04T20:00:00.000Z' },
  'source-down': { detail: 'ECONNREFUSED' },
  'broker-down': { detail: 'lost the MQTT broker' },
  'broker-refused': { detail: 'the MQTT broker refused the login' },
  'unsupported-list': { message: 'a list of 11 values is not supported yet' },
  'implausible-energy': { what: 'active_energy_import went down from 12 to 11' },
  'energy-level-accepted': { what: 'active_energy_import went down from 12 to 11', frames: 3 },
  replay: { counter: 2, last: 2 },
  'store-failed': { detail: '/data/accounting.json: ENOSPC' },
  'store-bad': { path: '/data/accounting.json', aside: '/data/accounting.json.bad-20261204T120000Z', problem: 'the file is empty' },
  'store-newer': { path: '/data/accounting.json', version: 4 },
  'time-zone': { zone: 'Mars/Olympus', used: 'UTC' },
  keys: { advice: 'keys OK', level: 'info' },
  'topics-changed': { what: 'base_topic', count: 4 },
  'meter-replaced': { meter: '57000002', before: '57000001' },
  'upgrade-entities': {},
  'anonymous-frame': { list: null },
  'unit-rule': { meter: 'ISK1020784605887', list: 'iskra-am550-si-9', rule: 'W, var, Wh and varh' },
  'meter-without-key': { systemTitle: '4B414D4501A4DC52', stream: 'han/a/raw' },
  rejected: { reason: 'checksum', message: 'the frame check sequence does not match' },
  'source-notice': { text: 'the bridge on han/a/raw now publishes hex frames where it published binary' },
  'too-many-streams': { max: 2000, source: 'mqtt topic han/+/raw' },
  'price-missing': { area: 'DK1', at: '2026-12-04T23:00:00.000Z' },
  'capacity-afresh': { meter: '57000001', why: 'the rule changed' },
  'capacity-peak-differs': { meter: '1SAG3100216051', comparison: "the meter's month peak (2.589 kW) and PowerMeter's (2.1 kW) differ by 0.489 kW" },
};
const ids = Object.keys(noticeTable).filter((k): k is NoticeId => k in examples);

describe('the notice table, walked', () => {
  it('has an example for every notice', () => expect(ids).toHaveLength(Object.keys(noticeTable).length));

  it.each(ids)('%s: says a sentence, repeats as its table says, and ends only by its own signals', <K extends NoticeId>(id: K) => {
    const spec = noticeTable[id];
    const context: ContextOf<K> = examples[id];
    const board = new NoticeBoard();
    const first = board.say(id, 'scope=a', context);
    expect(first?.text).toMatch(/\S/);
    expect(first?.text).not.toMatch(/undefined|\[object/);
    expect(first?.scope).toBe('scope=a');
    const again = board.say(id, 'scope=a', context);
    if (spec.repeat === 'always') expect(again).not.toBeNull();
    else expect(again).toBeNull();
    // Another scope is another notice: one meter's trouble never silences another's.
    expect(board.say(id, 'scope=b', context)).not.toBeNull();
    const hourly = board.hourly().filter((n) => n.id === id);
    if (spec.repeat === 'hourly') expect(hourly.map((n) => n.text)).toEqual([spec.more!(1)]);
    else expect(hourly).toEqual([]);
    // Signals of others leave it; its own end it, in its scope only, saying so when the table says.
    const all: Signal[] = ['frame-decoded', 'bytes', 'frame-formed', 'keys-ok', 'clock-caught-up', 'price-known', 'checksums-pass', 'source-up', 'broker-up', 'store-saved', 'energy-plausible', 'counter-advanced'];
    for (const s of all.filter((s) => !spec.endedBy.includes(s))) {
      const out: Notice[] = [];
      board.signal(s, 'scope=a', out);
      if (spec.repeat !== 'always') expect(board.isActive(id, 'scope=a'), s).toBe(true);
    }
    for (const s of spec.endedBy) {
      const out: Notice[] = [];
      board.signal(s, 'scope=a', out);
      expect(board.isActive(id, 'scope=a')).toBe(false);
      expect(board.isActive(id, 'scope=b')).toBe(true);
      expect(out.map((n) => n.text)).toEqual(spec.ended ? [spec.ended.text] : []);
    }
  });

  it('has a "more" text for every hourly notice, and an end for every notice a user waits to hear the end of', () => {
    for (const id of ids) if (noticeTable[id].repeat === 'hourly') expect(noticeTable[id].more, id).toBeDefined();
    for (const id of ['no-bytes', 'no-frames', 'source-down', 'broker-down', 'broker-refused', 'store-failed', 'clock-back'] as const) expect(noticeTable[id].ended, id).toBeDefined();
  });
});
