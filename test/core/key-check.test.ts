import { describe, expect, it } from 'vitest';
import { KeyCheck, securityAdvice, securityStates, verdictOf } from '../../src/core/key-check.js';
import { AuthenticationError, FrameError, KeyMissingError } from '../../src/base/errors.js';
import type { DecodeResult } from '../../src/decode/decoder.js';

const fail = (error: KeyMissingError | AuthenticationError | FrameError): DecodeResult => ({ ok: false, error });

describe('the key check', () => {
  it('has advice for every state, and reads the verdict of a result; a checksum says nothing of the keys', () => {
    for (const s of securityStates) expect(securityAdvice[s], s).toMatch(/\S/);
    expect(verdictOf(fail(new KeyMissingError('encryption')))).toBe('key_missing');
    expect(verdictOf(fail(new AuthenticationError('authentication')))).toBe('wrong_authentication_key');
    expect(verdictOf(fail(new AuthenticationError('encryption')))).toBe('wrong_encryption_key');
    expect(verdictOf(fail(new FrameError('checksum', 'x')))).toBeNull();
  });

  it('after data_timeout without a verdict: no_frames while bytes come, no_data when nothing does; each change said', () => {
    const changes: string[] = [];
    const k = new KeyCheck(60_000, (s) => changes.push(s), 0);
    expect(k.state).toBe('no_data');
    k.bytes(30_000);
    expect(k.dueAt).toBe(60_000);
    k.tick(60_000);
    expect(k.state).toBe('no_frames');
    expect(k.dueAt).toBe(90_000);
    k.tick(90_000);
    expect(k.state).toBe('no_data');
    k.observe(fail(new AuthenticationError('authentication')), 100_000);
    expect(k.dueAt).toBe(160_000);
    expect(changes).toEqual(['no_frames', 'no_data', 'wrong_authentication_key']);
  });
});

describe('one vocabulary: the log says each state as the page does', () => {
  it('is the page\'s English word and advice for every state', async () => {
    const { en } = await import('../../web/i18n/en.data.js');
    for (const s of securityStates) {
      const page = en.security[s];
      const spoken = `${page.word.charAt(0).toLowerCase()}${page.word.slice(1)}: ${page.advice.charAt(0).toLowerCase()}${page.advice.slice(1)}`.replace(/\.$/, '');
      expect(securityAdvice[s], s).toBe(spoken);
    }
  });
});
