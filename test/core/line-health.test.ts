import { describe, expect, it } from 'vitest';
import { LineHealth, lineRules } from '../../src/core/line-health.js';

const T = 60_000;

describe('line health: no bytes, bytes without frames, frames', () => {
  it('is ok until data_timeout has passed without a byte since the start, then no-bytes', () => {
    const line = new LineHealth(0, T);
    expect(line.state(T - 1)).toBe('ok');
    expect(line.state(T)).toBe('no-bytes');
    expect(line.dueAt(0)).toBe(T);
  });

  it('bytes that never form a frame: no-frames after data_timeout counted from when they began, with their rate', () => {
    const line = new LineHealth(0, T);
    line.restart(100_000); // the service started late: silence counts from then
    for (let t = 100_000; t <= 100_000 + T; t += 1000) line.bytes(240, t);
    expect(line.state(100_000 + T - 1)).toBe('ok');
    expect(line.state(100_000 + T)).toBe('no-frames');
    expect(line.bytesPerSecond(100_000 + T)).toBe(244); // 61 reads of 240 bytes (14 640) over 60 s
    line.framed(100_000 + T);
    expect(line.state(100_000 + T)).toBe('ok');
  });

  it('frames refused for a reason prove the line: ok, and no redial', () => {
    const line = new LineHealth(0, T);
    line.connectedAt = 0;
    for (let t = 0; t < 5 * T; t += 10_000) {
      line.bytes(500, t);
      line.framed(t);
      expect(line.redialDue(t)).toBe(false);
    }
    expect(line.state(5 * T)).toBe('ok');
  });

  it('redials a connected line once per data_timeout without bytes, never a disconnected one', () => {
    const line = new LineHealth(0, T);
    expect(line.redialDue(2 * T)).toBe(false); // not connected
    line.connectedAt = 0;
    expect(line.redialDue(T - 1)).toBe(false);
    expect(line.redialDue(T)).toBe(true);
    expect(line.redialDue(T + 1000)).toBe(false);
    expect(line.dueAt(T + 1000)).toBe(2 * T);
    expect(line.redialDue(2 * T)).toBe(true);
  });

  it('hints at the line settings after enough checksum failures, more than twice the good frames, and passes after enough good ones', () => {
    const line = new LineHealth(0, T);
    for (let i = 0; i < lineRules.checksumHintAfter - 1; i++) expect(line.checksumFailed()).toBe(false);
    expect(line.checksumFailed()).toBe(true);
    const two = new LineHealth(0, T);
    for (let i = 0; i < 3; i++) two.accepted(i);
    for (let i = 0; i < lineRules.checksumHintAfter; i++) expect(two.checksumFailed()).toBe(false); // 5 failed, 3 decoded: not more than twice
    for (let i = 1; i < lineRules.checksumsPassAfter; i++) expect(line.accepted(i)).toBe(false);
    expect(line.accepted(lineRules.checksumsPassAfter)).toBe(true);
    expect(line.windowFailed).toBe(0);
  });
});
