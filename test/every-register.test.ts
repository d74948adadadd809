import { describe, expect, it } from 'vitest';
import { bareApdu } from '../src/decode/decoder.js';
import { parseNotificationHeader } from '../src/dlms/apdu.js';
import { decipher, parseCiphered } from '../src/dlms/cipher.js';
import { codeOf, matchKeyOf } from '../src/dlms/obis.js';
import { readPushList, type PushList } from '../src/dlms/push-list.js';
import { Framer } from '../src/framing/framer.js';
import { applyProfile, type Mapped } from '../src/obis/mapping.js';
import { findList, type FrameContext, type Position, type Profile } from '../src/obis/profile.js';
import { profiles } from '../src/obis/profiles/index.js';
import { registerOf } from '../src/obis/registers.js';
import { extraVectors, vectors } from './support/vectors.js';

/**
 * Every register a supported list sends is published or skipped with its reason (issue #24): a list's value that
 * is silently dropped is a sensor a user never gets. Lists without OBIS codes are checked position by position in
 * their profile; lists that name their registers are checked on every capture of test/fixtures/.
 */

/** Why a position of a list without OBIS codes is not right: null when it is. */
function positionFault(p: Position): string | null {
  if ('obis' in p) return registerOf(codeOf(p.obis)) ? null : `${p.obis} is not in the register table (a position has no unit: only a named register can be published)`;
  if ('skip' in p) return p.skip.trim() === '' ? 'skipped without a reason' : null;
  return null;
}

/** Each fault of a profile's positions and skip list, as "list: position: fault". */
function profileFaults(profile: Profile): string[] {
  const faults: string[] = [];
  for (const spec of profile.lists) {
    (spec.positions ?? []).forEach((p, i) => {
      const fault = positionFault(p);
      if (fault) faults.push(`${spec.id}: position ${i}: ${fault}`);
    });
  }
  for (const [pattern, why] of Object.entries(profile.skipped ?? {})) if (why.trim() === '') faults.push(`${pattern}: skipped without a reason`);
  return faults;
}

/** The registers of a decoded list that are neither published, nor the meter's id, model or clock, nor skipped with a reason. */
function unaccounted(profile: Profile, list: PushList, mapped: Mapped): string[] {
  const identity = new Set([...profile.meterId, profile.clock, profile.model].flatMap((p) => (p ? [matchKeyOf(p)] : [])));
  const skipped = new Set(Object.keys(profile.skipped ?? {}).map(matchKeyOf));
  const faults: string[] = [];
  for (const r of list.registers) {
    const published = mapped.readings.some((x) => x.obis === r.obis.toString());
    const isSkipped = skipped.has(r.obis.matchKey);
    if (published && isSkipped) faults.push(`${r.obis.toString()} is published and listed as skipped`);
    else if (!published && !isSkipped && !identity.has(r.obis.matchKey)) faults.push(`${r.obis.toString()} is neither published nor skipped with a reason`);
  }
  return faults;
}

interface Capture {
  readonly id: string;
  readonly hex: string;
  readonly keys: { readonly encryption: string | null; readonly authentication: string | null } | null;
}

/** A capture down to its push list, as the decoder reads it (framed, or one bare APDU), or null when it holds none. */
function pushListOf(c: Capture): { list: PushList; ctx: FrameContext } | null {
  const bytes = Buffer.from(c.hex, 'hex');
  const framer = new Framer();
  const apdus = [...framer.push(bytes), ...framer.end()].flatMap((o) => (o.ok ? [o.value.apdu] : []));
  let apdu = apdus.length === 1 ? apdus[0]! : apdus.length === 0 ? bareApdu(bytes) : null;
  if (!apdu) return null;
  let flag: string | null = null;
  if (apdu[0] === 0xdb) {
    if (!c.keys?.encryption) return null;
    const ciphered = parseCiphered(apdu);
    flag = Buffer.from(ciphered.systemTitle.subarray(0, 3)).toString('latin1');
    const keys = { encryption: Buffer.from(c.keys.encryption, 'hex'), ...(c.keys.authentication ? { authentication: Buffer.from(c.keys.authentication, 'hex') } : {}) };
    apdu = decipher(ciphered, keys, () => true);
  }
  if (apdu[0] !== 0x0f) return null;
  return { list: readPushList(apdu, parseNotificationHeader(apdu).bodyAt), ctx: { flag } };
}

const captures: Capture[] = [...vectors.filter((v) => !v.expect_problems), ...extraVectors];

/** Every capture that decodes to a supported list, with what the profile makes of it. */
const decoded = captures.flatMap((c) => {
  const read = pushListOf(c);
  const match = read ? findList(profiles, read.list, read.ctx) : null;
  if (!read || !match) return [];
  return [{ id: c.id, ...match, list: read.list, mapped: applyProfile(match.profile, match.spec, read.list, read.ctx, {}) }];
});

describe('every register a supported list sends is published or skipped with its reason', () => {
  it.each(profiles.map((p) => [p.id, p] as const))('%s: every position and every skipped register says why', (_id, profile) => {
    expect(profileFaults(profile)).toEqual([]);
  });

  it.each(decoded.map((d) => [d.id, d] as const))('%s', (_id, d) => {
    expect(unaccounted(d.profile, d.list, d.mapped), `${d.profile.id}, list ${d.spec.id}`).toEqual([]);
  });

  it('every profile is checked on at least one capture', () => {
    const seen = new Set(decoded.map((d) => d.profile.id));
    expect(profiles.map((p) => p.id).filter((id) => !seen.has(id))).toEqual([]);
  });
});

describe('the check itself', () => {
  it('finds a register that a profile neither publishes nor skips', () => {
    const d = decoded.find((x) => x.id === 'cz-sagemcom-xt211-dlms-parser-raw')!;
    const withoutSkips: Profile = { ...d.profile, skipped: {} };
    expect(unaccounted(withoutSkips, d.list, d.mapped)).toEqual(['0-0:96.14.0.255 is neither published nor skipped with a reason']);
  });

  it('finds a register listed as skipped that is published after all', () => {
    const d = decoded.find((x) => x.id === 'lgz-e450-gbt-pairs-dlms-parser')!;
    const contradicting: Profile = { ...d.profile, skipped: { '1-*:3.8.1': 'read past' } };
    expect(unaccounted(contradicting, d.list, d.mapped)).toEqual(['1-0:3.8.1.255 is published and listed as skipped']);
  });

  it('finds a position read past without a reason, and one whose register has no name', () => {
    const profile: Profile = { ...profiles[0]!, skipped: { '0-*:96.14.0': ' ' }, lists: [{ id: 'made-up', name: 'made up', positions: [{ skip: '' }, { obis: '1-*:9.7.0' }, { role: 'meter-id' }] }] };
    expect(profileFaults(profile)).toEqual([
      'made-up: position 0: skipped without a reason',
      'made-up: position 1: 1-*:9.7.0 is not in the register table (a position has no unit: only a named register can be published)',
      '0-*:96.14.0: skipped without a reason',
    ]);
  });
});
