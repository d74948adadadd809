import { describe, expect, it } from 'vitest';
import { decipher, parseCiphered } from '../src/dlms/cipher.js';
import { parseDateTime, toIso } from '../src/dlms/datetime.js';
import { decodeCapture } from '../src/decode/decoder.js';
import { verdictOf } from '../src/core/key-check.js';
import { numberOf, readPushList, textOf, type Value } from '../src/dlms/push-list.js';
import { rawNotification } from './support/raw.js';
import { bytesOf, danish, danishKeys, extraVectors, keysOf, vector, vectors } from './support/vectors.js';

const rawValue = (d: Value | undefined): string | number | null => numberOf(d) ?? textOf(d);

describe('every real capture, down to its raw values', () => {
  const positives = vectors.filter((v) => !v.expect_problems && !(v.encrypted && !v.keys) && v.id !== 'greenbook-gcm-example-dlms-cosem');

  it.each(positives.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const n = rawNotification(v);
    const content = readPushList(n.apdu, n.bodyAt);
    const items = n.body.type === 'structure' || n.body.type === 'array' ? n.body.items : [];
    for (const [obis, want] of Object.entries(v.expected?.raw_by_obis ?? {})) {
      const entry = content.registers.find((e) => e.obis.toString() === obis);
      expect(entry, `${obis} present`).toBeDefined();
      const got = typeof entry!.value === 'object' && entry!.value.type === 'octet-string' && entry!.value.value.length === 12 ? toIso(parseDateTime(entry!.value.value)!).replace('T', ' ') : rawValue(entry!.value);
      if (typeof want === 'string' && typeof got === 'string' && want.includes(' dow=')) expect(want.startsWith(got)).toBe(true);
      else expect(got).toEqual(want);
    }
    for (const [index, want] of Object.entries(v.expected?.raw_by_index ?? {})) {
      expect(rawValue(items[Number(index)])).toEqual(want);
    }
    if (v.expected?.date_time_prefix) {
      expect(n.dateTime, 'date-time in the notification header').not.toBeNull();
      expect(toIso(n.dateTime!).replace('T', ' ').startsWith(v.expected.date_time_prefix)).toBe(true);
    }
  });

  it('the Green Book example authenticates and decrypts to its published plaintext', () => {
    const v = vector('greenbook-gcm-example-dlms-cosem');
    const plain = decipher(parseCiphered(bytesOf(v)), keysOf(v), () => false);
    expect(Buffer.from(plain).toString('hex')).toBe(v.expected!.plaintext_hex!.toLowerCase());
  });

  it('the Danish frame decrypts to the plaintext the source publishes', () => {
    const c = parseCiphered(Buffer.from(rawApdu()));
    expect(c.securityControl).toBe(0x30);
    expect(c.frameCounter).toBe(0x000788e1);
    expect(Buffer.from(decipher(c, danishKeys, () => false)).toString('hex')).toBe(danish.expected!.plaintext_hex);
  });
});

function rawApdu(): Uint8Array {
  // LLC E6 E7 00 ends at byte 11 of the Danish frame; the APDU runs to the FCS.
  const b = bytesOf(danish);
  return b.subarray(11, b.length - 3);
}

describe('decode, profile level, on the Kamstrup captures', () => {
  const readings = (id: string, keys = {}, energyMultiplier?: number) => {
    const [r] = decodeCapture(bytesOf(vector(id)), { keys, energyMultiplier });
    if (!r?.ok) throw new Error(`${id}: ${r ? r.error.message : 'nothing'}`);
    return { frame: r.frame, value: Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value])), unit: Object.fromEntries(r.frame.readings.map((x) => [x.key, x.unit])) };
  };

  it('Danish DLMS push 1 (Radius keys): meter 27 581 522 and its readings in Home Assistant units', () => {
    const { frame, value, unit } = readings(danish.id, danishKeys);
    expect(frame).toMatchObject({ meterId: '27581522', meterTime: '2020-01-07T14:47:20', list: 'kamstrup-dlms-push-1', protection: 'authenticated-encrypted', manufacturer: 'Kamstrup' });
    expect(value).toMatchObject({
      active_energy_import: 8666.36,
      active_energy_export: 0,
      reactive_energy_import: 177.08,
      voltage_l1: 224,
      voltage_l2: 223,
      voltage_l3: 223,
      power_factor: 1,
      power_factor_l1: 1,
      active_energy_import_l1: 2889.32,
      active_energy_import_l2: 2886.52,
      active_energy_import_l3: 2890.51,
    });
    expect(unit).toMatchObject({ active_energy_import: 'kWh', reactive_energy_import: 'kvarh', voltage_l1: 'V', current_l1: 'A', active_power_import: 'W', reactive_power_import: 'var', power_factor: null });
    expect(frame.readings).toHaveLength(30);
    expect(frame.readings.find((r) => r.key === 'active_energy_import')?.obis).toBe('1-1:1.8.0.255');
  });

  it('Danish single-phase push 1: only what the frame carries, nothing invented', () => {
    const { value } = readings('dk-kamstrup-omnipower-gh517-2-decrypted-apdu');
    expect(value).toMatchObject({ active_power_import: 485, voltage_l1: 232, current_l1: 2.44, active_energy_import: 13529.97 });
    expect(value).not.toHaveProperty('voltage_l2');
    expect(value).not.toHaveProperty('current_l3');
  });

  it('Danish meter with HAN-NVE list 1 in clear: GS1 id, model, no energy', () => {
    const { frame, value } = readings('dk-kamstrup-omnipower-gh741-1-unencrypted');
    expect(frame).toMatchObject({ meterId: '5706567282299475', model: '6841138BN143101010', list: 'kamstrup-han-nve-list-1', meterTime: '2024-03-01T12:37:20', protection: 'none' });
    expect(value).toMatchObject({ active_power_import: 21, reactive_power_export: 191, current_l1: 0.79, current_l2: 0.48, current_l3: 1.23, voltage_l2: 221 });
    expect(value).not.toHaveProperty('active_energy_import');
  });

  it('Norwegian HAN-NVE list 2 (hourly): clock from the list, energy registers', () => {
    const { frame, value } = readings('no-kamstrup-list2-hourly-roarfred-20171020');
    expect(frame).toMatchObject({ list: 'kamstrup-han-nve-list-2', meterTime: '2017-10-20T04:00:05' });
    expect(value).toMatchObject({ active_power_import: 2531, active_energy_import: 4272.44, reactive_energy_import: 0.8, reactive_energy_export: 618.13 });
  });

  it('the energy multiplier is overridable (Swedish meters that send plain Wh)', () => {
    expect(readings('se-kamstrup-gh239-2-hourly-wh', {}, 1).value.active_power_import).toBe(2269);
    const wh = readings('no-kamstrup-em001-1', {}, 1).value.active_energy_import;
    expect(wh).toBe(8582.328);
  });

  it('encrypted captures without a key say which key is missing', () => {
    for (const id of ['dk-kamstrup-omnipower-gh517-1-encrypted-nokey', 'dk-kamstrup-omnipower-gh73-1-encrypted-nokey', 'ch-kamstrup-omnipower-gh350-1-encrypted-nokey']) {
      const [r] = decodeCapture(bytesOf(vector(id)));
      expect(r?.ok).toBe(false);
      if (r && !r.ok) expect(r.error.reason).toBe('key-missing');
    }
  });

  it('meters without a profile yet are reported as an unsupported list, not a crash, and the keys still judged', () => {
    const v = vector('at-iskra-am550-gh787-1-encrypted');
    const [r] = decodeCapture(bytesOf(v), { keys: keysOf(v), profile: 'kaifa-nordic' });
    expect(r?.ok === false && r.error.reason).toBe('unsupported-list');
    expect(r && verdictOf(r)).toBe('encryption_only');
  });
});

describe('every other meter in the public captures, profile level', () => {
  const decoded = (id: string) => {
    const v = vector(id);
    const [r] = decodeCapture(bytesOf(v), { keys: keysOf(v) });
    if (!r?.ok) throw new Error(`${id}: ${r ? r.error.message : 'nothing'}`);
    return { ...r.frame, value: Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value])) };
  };

  it.each([
    ['no-aidon-gh1119-1-list3', 'aidon-list-3', '7359992890497997', { active_power_import: 4027, voltage_l1: 233, current_l3: 16.8, active_energy_import: 109552.25, reactive_energy_export: 15319.72 }],
    ['se-aidon-gh156-1', 'dlms-scaled', null, { active_power_import: 2021, voltage_l1: 227.5, active_power_import_l3: 1017, active_energy_import: 63068.772 }],
    ['no-kaifa-ma304h3e-list1-roarfred', 'kaifa-list-1', null, { active_power_import: 1320 }],
    ['no-kaifa-gh180-2-list2', 'kaifa-list-2', '6970631403275928', { active_power_import: 4097, reactive_power_import: 195, current_l1: 12.056, voltage_l1: 239.2, voltage_l2: 0 }],
    ['no-kaifa-gh493-1-list3', 'kaifa-list-2', '6970631409168767', { active_power_import: 2269, reactive_power_export: 720 }],
    ['pl-kaifa-ma309-gh905-1-mbus-encrypted', 'kaifa-ma309', '1KFM0200169986', { active_power_import: 2867, voltage_l1: 227.1, current_l1: 12.41, active_energy_import: 278.041 }],
    ['at-kaifa-ma309-gh539-4-decrypted-apdu', 'kaifa-ma309', '1KFM0200182517', { active_power_export: 24, active_energy_export: 1103.174 }],
    ['at-landisgyr-e450-gh501-1-encrypted', 'landis-gyr-e450-at', '30137181', { voltage_l1: 236, voltage_l2: 237, voltage_l3: 236, current_l3: 0.26, active_power_import: 29 }],
    ['ch-landisgyr-e450-gh740-gbt-3frames', 'landis-gyr-e450-ch', '63326413', { active_power_import: 362, current_l1: 0.51, current_l2: 1.05, current_l3: 0.52, active_energy_import: 2302.502 }],
    ['at-sagemcom-t210d-gh867-2-decrypted-apdu', 'dlms-scaled', '178210128502', { active_energy_import: 4752.026, voltage_l1: 233.4, current_l3: 0.83 }],
    ['ch-kamstrup-omnipower-gh350-2-decrypted', 'kamstrup-dlms-push-1', '34374909', { active_energy_import: 1717.35, voltage_l2: 236, current_l3: 1.71, power_factor: 0.99 }],
    ['ch-kamstrup-gh196-1', 'kamstrup-han-nve-list-1', '5706567329747082', { active_power_import: 4629, voltage_l1: 234 }],
    ['at-iskra-am550-gh787-1-encrypted', 'iskra-am550-at', '1121378381199', { active_energy_import: 14370.048, active_energy_export: 420.837, active_power_import: 9, active_power_export: 0 }],
    ['si-iskra-am550-gh615-1-unencrypted', 'iskra-am550-si-5s', 'ISK1030789375606', { active_power_import: 1393, voltage_l1: 237.9, current_l3: 5.97, active_power_import_l3: 1325 }],
  ] as const)('%s: %s', (id, list, meterId, values) => {
    const f = decoded(id);
    expect(f.list).toBe(list);
    expect(f.meterId).toBe(meterId);
    expect(f.value).toMatchObject(values);
  });

  it('clocks: Aidon counts local time despite its deviation 0; Kaifa AT and Sagemcom state their offset', () => {
    expect(decoded('no-aidon-gh1119-1-list3').meterTime).toBe('2025-12-14T16:00:00');
    expect(decoded('pl-kaifa-ma309-gh905-1-mbus-encrypted').meterTime).toBe('2021-09-27T20:56:00+02:00');
    expect(decoded('at-sagemcom-t210d-gh867-2-decrypted-apdu').meterTime).toBe('2024-11-15T14:45:45+01:00');
  });

  it('a forced profile is used, and one that does not fit is said', () => {
    const [r] = decodeCapture(bytesOf(vector('ch-kamstrup-gh196-1')), { profile: 'kaifa-nordic' });
    expect(r?.ok === false && r.error.message).toMatch(/the forced profile "kaifa-nordic" does not fit/);
    const [k] = decodeCapture(bytesOf(vector('ch-kamstrup-gh196-1')), { profile: 'kamstrup' });
    expect(k?.ok).toBe(true);
  });

  it('a forced profile that a frame of another meter fits is an error naming both, never a silent misreading', () => {
    // The Danish Kamstrup frame read with the Aidon profile would give energy ten times too low.
    const [r] = decodeCapture(bytesOf(danish), { keys: keysOf(danish), profile: 'aidon' });
    expect(r?.ok).toBe(false);
    expect(!r?.ok && r?.error.message).toMatch(/^the forced profile "aidon" does not fit this frame: it is list "kamstrup-dlms-push-1" of the profile "kamstrup"; set the profile to auto or to kamstrup/);
  });
});

describe('registers without a name', () => {
  it('are published by OBIS code, with the unit the frame gives, under a readable name', async () => {
    const { sensorName } = await import('../src/ha/sensors.js');
    const { hdlcFrame, dataNotification } = await import('../src/simulator/encode.js');
    const register = (c: number, value: number, scaler: number, unit: number) => ({
      type: 'structure' as const,
      items: [
        { type: 'octet-string' as const, value: Uint8Array.of(1, 0, c, 7, 0, 255) },
        { type: 'double-long-unsigned' as const, value },
        { type: 'structure' as const, items: [{ type: 'integer' as const, value: scaler }, { type: 'enum' as const, value: unit }] },
      ],
    });
    const body = { type: 'array' as const, items: [register(1, 1500, 0, 27), register(9, 1700, 0, 27), register(14, 500, -1, 44)] };
    const [r] = decodeCapture(hdlcFrame(dataNotification(body, null)));
    if (!r?.ok) throw new Error('not decoded');
    expect(r.frame.list).toBe('dlms-scaled');
    // 1-0:9.7.0 in W: unknown register, known unit → generic sensor; 1-0:14.7.0 in Hz (unit 44): no quantity → left out
    expect(r.frame.readings.map((x) => [x.key, x.value, x.unit])).toEqual([
      ['active_power_import', 1500, 'W'],
      ['obis_1_0_9_7_0', 1700, 'W'],
    ]);
    expect(sensorName('obis_1_0_9_7_0')).toBe('OBIS 1-0:9.7.0');
    expect(sensorName('active_energy_import_tariff_2')).toBe('Energy import tariff 2');
  });

  it('reactive energy by tariff is named like the active tariffs and created disabled like them', async () => {
    const { sensorName } = await import('../src/ha/sensors.js');
    const { enabledByDefault } = await import('../src/ha/discovery.js');
    expect(sensorName('reactive_energy_export_tariff_2')).toBe('Reactive energy export tariff 2');
    for (const key of ['active_energy_import_tariff_1', 'reactive_energy_import_tariff_1', 'reactive_energy_export_tariff_2']) expect(enabledByDefault(key), key).toBe(false);
    expect(enabledByDefault('active_energy_import')).toBe(true);
  });
});

describe('captures beyond the shared collection (test/fixtures/extra-vectors.json)', () => {
  const extra = extraVectors;

  it.each(extra.map((e) => [e.id, e] as const))('%s decodes to the values its source states', (_id, e) => {
    const keys = e.keys ? { encryption: Buffer.from(e.keys.encryption, 'hex'), ...(e.keys.authentication ? { authentication: Buffer.from(e.keys.authentication, 'hex') } : {}) } : {};
    const results = decodeCapture(Buffer.from(e.hex, 'hex'), { keys });
    expect(results).toHaveLength(1);
    const r = results[0]!;
    if (!r.ok) throw r.error;
    expect(r.frame.meterId).toBe(e.expected.meter_id);
    if (e.expected.list) expect(r.frame.list).toBe(e.expected.list);
    if (e.expected.meter_time) expect(r.frame.meterTime).toBe(e.expected.meter_time);
    const values = Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value]));
    for (const [key, value] of Object.entries(e.expected.readings)) expect(values[key], key).toBe(value);
  });

  it('Wels: the energy two frames count between them agrees with the power they carry, so A+ and P+ are where the profile reads them', () => {
    const frame = (id: string) => {
      const e = extra.find((x) => x.id === id)!;
      const [r] = decodeCapture(Buffer.from(e.hex, 'hex'), { keys: { encryption: Buffer.from(e.keys!.encryption, 'hex') } });
      if (!r?.ok) throw new Error(id);
      return { at: Date.parse(r.frame.meterTime!), value: Object.fromEntries(r.frame.readings.map((x) => [x.key, x.value])) };
    };
    const [a, b] = [frame('at-siemens-im350-wels-shrdzm-1'), frame('at-siemens-im350-wels-shrdzm-2')];
    const hours = (b.at - a.at) / 3_600_000;
    expect(hours * 3600).toBe(561);
    // Of the four counters, the one whose growth over the 561 s is nearest the power both frames carry (146 W, 190 W)
    // must be A+: were two positions swapped, another counter would be (R+ grows as 353 W, R− as 45 W, A− not at all).
    const meanPower = (a.value.active_power_import! + b.value.active_power_import!) / 2;
    const counters = ['active_energy_import', 'active_energy_export', 'reactive_energy_import', 'reactive_energy_export'];
    const gap = (key: string) => Math.abs(((b.value[key]! - a.value[key]!) * 1000) / hours - meanPower);
    expect(counters.reduce((best, key) => (gap(key) < gap(best) ? key : best))).toBe('active_energy_import');
    expect(Math.round(((b.value.active_energy_import! - a.value.active_energy_import!) * 1000) / hours)).toBe(244);
  });

  it('the Siemens IM350 names its maker, and a Wiener Netze list without a meter id is named by the system title', () => {
    const first = (id: string) => {
      const e = extra.find((x) => x.id === id)!;
      const [r] = decodeCapture(Buffer.from(e.hex, 'hex'), { keys: { encryption: Buffer.from(e.keys!.encryption, 'hex') } });
      if (!r?.ok) throw new Error(id);
      return r.frame;
    };
    const vienna = first('at-siemens-im350-wien-energyagent-10-values');
    expect(vienna).toMatchObject({ manufacturer: 'Siemens', protection: 'encrypted' });
    expect(vienna.unitRule).toContain('Wh, varh, W and var');
    expect(first('at-landisgyr-e450-wien-energyagent-9-values')).toMatchObject({ manufacturer: 'Landis+Gyr', meterId: '4C475A67726D311E', systemTitle: '4C475A67726D311E' });
    expect(first('at-siemens-im350-shrdzm-11-values').manufacturer).toBe('Siemens');
  });

  it('Sagemcom XT211: values with untagged attribute descriptors, in W and Wh', () => {
    const e = extra.find((x) => x.id === 'cz-sagemcom-xt211-dlms-parser-raw')!;
    const [r] = decodeCapture(Buffer.from(e.hex, 'hex'));
    expect(r?.ok && r.frame.list).toBe('sagemcom-xt211-cz');
    expect(r?.ok && r.frame.manufacturer).toBe('Sagemcom');
    expect(r?.ok && r.frame.readings.find((x) => x.key === 'active_energy_import')?.unit).toBe('kWh');
  });
});
