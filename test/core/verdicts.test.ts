import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/core/outbox.js';
import { SourceRecord } from '../../src/core/streams.js';
import { Verdicts } from '../../src/core/verdicts.js';
import type { SourceSpec } from '../../src/core/events.js';
import { FrameError, KeyMissingError, UnsupportedListError } from '../../src/base/errors.js';
import { decodeCapture } from '../../src/decode/decoder.js';
import { recordings } from '../../src/simulator/recordings.js';

const spec = (multiStream = false): SourceSpec => ({ id: 's', name: 'tcp bridge:6638', redial: true, remoteLine: true, keys: {}, baudRate: 2400, parity: 'none', multiStream });
const settings = { meterKeys: new Map(), dataTimeoutMs: 60_000, keepRaw: true, startedAt: 0 };
const said = (out: Outbox) => out.take().flatMap((e) => (e.kind === 'notice' ? [`${e.notice.level} ${e.notice.text}`] : []));

describe('the words for the verdicts', () => {
  it('counts every refusal by its reason, and says a list PowerMeter does not know, and the line settings after checksums fail', () => {
    const out = new Outbox();
    const v = new Verdicts(out, false);
    const source = new SourceRecord(spec(), 0, settings);
    const stream = source.stream('', 0);
    v.rejected(source, stream, new UnsupportedListError('a list of 11 values is not supported yet', 'none'));
    for (let i = 0; i < 5; i++) v.rejected(source, stream, new FrameError('checksum', 'the frame check sequence does not match'));
    expect(source.rejected.get('checksum')).toBe(5);
    expect(said(out).filter((l) => !l.startsWith('debug'))).toEqual([
      'error a list of 11 values is not supported yet; further frames like it are counted',
      expect.stringMatching(/^warn 5 frames failed their checksum and 0 decoded: the line settings \(now 2400 baud, parity none, as the bridge must read the meter\)/),
    ]);
  });

  it('says a meter without keys once by its system title on a source of many meters, and the key check only quietly', () => {
    const out = new Outbox();
    const v = new Verdicts(out, false);
    const source = new SourceRecord(spec(true), 0, settings);
    const stream = source.stream('han/a/raw', 0);
    v.rejected(source, stream, new KeyMissingError('encryption', '4B414D4501A4DC52'));
    v.rejected(source, stream, new KeyMissingError('encryption', '4B414D4501A4DC52'));
    stream.keyCheck.observe({ ok: false, error: new KeyMissingError('encryption', '4B414D4501A4DC52') }, 0);
    v.keysChanged(source, stream);
    expect(said(out)).toEqual([expect.stringMatching(/^error the meter with system title 4B414D4501A4DC52 \(on han\/a\/raw\) encrypts its frames and no keys are set for it/), expect.stringMatching(/^debug key check: keys missing: the meter encrypts its frames/)]);
  });

  it('says a good verdict once for a source whose streams share its scope (the demo\'s recordings), trouble for each', () => {
    const out = new Outbox();
    const v = new Verdicts(out, false);
    const source = new SourceRecord(spec(), 0, settings);
    const [clear] = decodeCapture(Buffer.from(recordings.find((r) => !r.encrypted)!.hex, 'hex'));
    expect(clear?.ok).toBe(true);
    for (const name of ['recorded 1', 'simulated']) {
      const stream = source.stream(name, 0);
      stream.keyCheck.observe(clear!, 0);
      v.keysChanged(source, stream);
    }
    const third = source.stream('broken', 0);
    third.keyCheck.observe({ ok: false, error: new KeyMissingError('encryption', '4B414D4501A4DC52') }, 0);
    v.keysChanged(source, third);
    expect(said(out)).toEqual([expect.stringMatching(/^info key check: not encrypted/), expect.stringMatching(/^debug key check: not encrypted/), expect.stringMatching(/^error key check: keys missing/)]);
  });

  it('logs a frame with what became of it', () => {
    const out = new Outbox();
    const v = new Verdicts(out, false);
    const source = new SourceRecord(spec(), 0, settings);
    v.logFrame(source, source.stream('', 0), { ok: false, error: new FrameError('checksum', 'bad') }, [Buffer.from([0x7e, 0x7e])], null, 5);
    expect(out.take()).toEqual([{ kind: 'frame', entry: { at: 5, source: 's', stream: '', raw: [Buffer.from([0x7e, 0x7e])], size: 2, list: null, meterId: null, systemTitle: null, verdict: 'checksum', detail: 'bad' } }]);
  });
});
