import { describe, expect, it } from 'vitest';
import { SourceRecord } from '../../src/core/streams.js';
import type { SourceSpec } from '../../src/core/events.js';
import { MAX_STREAMS } from '../../src/source/source.js';

const spec: SourceSpec = { id: 's', name: 'mqtt topic han/+/raw', redial: false, remoteLine: true, keys: {}, baudRate: 2400, parity: 'none', multiStream: true };
const settings = { meterKeys: new Map(), dataTimeoutMs: 60_000, keepRaw: false, startedAt: 0 };

describe('a source\'s streams', () => {
  it('are made as they are heard, each with its own decoder and key check, named by topic in notices', () => {
    const source = new SourceRecord(spec, 1, settings);
    const a = source.stream('han/a/raw', 0);
    expect(source.stream('han/a/raw', 1)).toBe(a);
    expect(source.stream('han/b/raw', 2)).not.toBe(a);
    expect(a.scope).toBe('stream=han/a/raw');
    expect(source.suffix).toBe('_2');
    expect(source.keyed).toBe(false);
  });

  it(`are bounded: past ${MAX_STREAMS} the longest silent one is forgotten, and counted`, () => {
    const source = new SourceRecord(spec, 0, settings);
    for (let i = 0; i < MAX_STREAMS; i++) source.stream(`t/${i}`, i);
    source.stream('t/0', MAX_STREAMS); // heard again: now the most recent
    source.stream('t/new', MAX_STREAMS + 1);
    expect(source.streams.size).toBe(MAX_STREAMS);
    expect(source.evicted).toBe(1);
    expect(source.streams.has('t/0')).toBe(true);
    expect(source.streams.has('t/1')).toBe(false);
  });

  it('says the worst key check of its streams', () => {
    const source = new SourceRecord(spec, 0, settings);
    expect(source.security).toBe('no_data');
    source.stream('a', 0).keyCheck.bytes(30_000);
    source.stream('a', 0).keyCheck.tick(60_000);
    expect(source.security).toBe('no_frames');
    source.count('checksum');
    source.count('closing-flag');
    expect(source.rejectedFor('checksum', 'closing-flag')).toBe(2);
  });
});
