import { describe, expect, it } from 'vitest';
import { OptionsError, parseOptions, userOptions } from '../src/service/options.js';

const problems = (doc: unknown): readonly string[] => {
  try {
    parseOptions(doc);
    return [];
  } catch (error) {
    if (error instanceof OptionsError) return error.problems;
    throw error;
  }
};

describe('options', () => {
  it('fills defaults: 2400 8N1, homeassistant, powermeter, info', () => {
    const s = parseOptions({ source: 'serial', serial_port: '/dev/serial/by-id/usb-FTDI' });
    expect(s).toMatchObject({ discoveryPrefix: 'homeassistant', baseTopic: 'powermeter', logLevel: 'info', dataTimeoutMs: 60_000, captureMinutes: 0 });
    expect(s.broker).toEqual({ url: null, username: undefined, password: undefined });
    expect(s.sources).toEqual([
      { connection: { kind: 'serial', path: '/dev/serial/by-id/usb-FTDI' }, baudRate: 2400, parity: 'none', keys: { encryption: undefined, authentication: undefined }, energyMultiplier: undefined, meterProfile: 'auto' },
    ]);
  });

  it('gives each kind of source exactly what it needs', () => {
    expect(parseOptions({ source: 'tcp', tcp_host: ' bridge.local ', serial_port: '/dev/ttyUSB0' }).sources[0].connection).toEqual({ kind: 'tcp', host: 'bridge.local', port: 6638 });
    expect(parseOptions({ source: 'mqtt', mqtt_source_topic: 'han/raw' }).sources[0].connection).toEqual({ kind: 'mqtt', topic: 'han/raw' });
  });

  it('treats "" and null as not set, as the Supervisor writes emptied optional fields', () => {
    expect(problems({ source: 'tcp', tcp_host: 'bridge.local', encryption_key: '', mqtt_url: null, serial_port: '' })).toEqual([]);
  });

  it('reports every problem as one readable line, naming the option and never the secret', () => {
    const secret = 'A1B2C3D4E5F60718293A4B5C6D7E8F';
    const p = problems({ source: 'tcp', baud_rate: 2401, parity: 'mark', encryption_key: secret, mqtt_url: 'localhost', colour: 'red', discovery_prefix: 'home/#' });
    expect(p).toEqual(
      expect.arrayContaining([
        'baud_rate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200',
        'parity: must be one of none, even, odd',
        'colour: is not an option PowerMeter knows (check its spelling)',
        'mqtt_url: must look like mqtt://host:1883 (or mqtts://, ws://, wss://)',
        'discovery_prefix: must be an MQTT topic without wildcards (# or +)',
      ]),
    );
    expect(p.join('\n')).not.toContain(secret.slice(0, 12));
    const q = problems({ source: 'tcp', encryption_key: secret });
    expect(q).toEqual([expect.stringMatching(/^tcp_host: is required when source is tcp/), expect.stringMatching(/^encryption_key: must be 32 hexadecimal digits/)]);
    expect(q.join('\n')).not.toContain(secret.slice(0, 12));
  });

  it('needs the source-specific option', () => {
    expect(problems({ source: 'serial' })).toEqual([expect.stringMatching(/^serial_port: is required/)]);
    expect(problems({ source: 'mqtt' })).toEqual([expect.stringMatching(/^mqtt_source_topic: is required/)]);
    expect(problems('nope')).toEqual(['options: must be a JSON object']);
  });

  it('refuses a password without a user name, and empty topics, instead of guessing', () => {
    expect(problems({ source: 'tcp', tcp_host: 'b', mqtt_password: 'secret-password' })).toEqual([expect.stringMatching(/^mqtt_password: needs mqtt_username as well/)]);
    expect(problems({ source: 'tcp', tcp_host: 'b', mqtt_username: 'u', mqtt_password: 'p' })).toEqual([]);
    expect(problems({ source: 'tcp', tcp_host: 'b', discovery_prefix: '', base_topic: '  ' })).toEqual([
      expect.stringMatching(/^discovery_prefix: must not be empty/),
      expect.stringMatching(/^base_topic: must not be empty/),
    ]);
  });

  describe('several meters', () => {
    const first = { source: 'tcp', tcp_host: 'bridge.local' };
    const key = '5AD84121D9D20B364B7A11F3C1B5827F';

    it('names each problem of an item by its place in the list, counted from 1 as the form shows it', () => {
      expect(problems({ ...first, more_meters: [{ source: 'tcp', tcp_host: 'annex' }, { source: 'tcp' }, { source: 'serial', encryption_key: '12' }] })).toEqual([
        'more_meters[2].tcp_host: is required when source is tcp (the address of the bridge at the meter)',
        "more_meters[3].serial_port: is required when source is serial (the adapter's /dev/serial/by-id/... name: PowerMeter's page lists the ports it sees)",
        expect.stringMatching(/^more_meters\[3\]\.encryption_key: /) as string,
      ]);
      expect(problems({ ...first, more_meters: [{ source: 'tcp', tcp_host: 'x', tcp_prot: 1 }] })).toEqual(['tcp_prot: is not an option PowerMeter knows (check its spelling)']);
    });

    it('takes MQTT wildcards in a raw-frame topic only, where MQTT allows them', () => {
      for (const topic of ['han/+/raw', 'han/#', '#', '+', 'site/+/+/frames']) expect(problems({ source: 'mqtt', mqtt_source_topic: topic }), topic).toEqual([]);
      for (const topic of ['han/#/raw', 'han/a+/raw', 'han#']) expect(problems({ source: 'mqtt', mqtt_source_topic: topic })[0], topic).toMatch(/wildcards only as whole levels/);
      expect(problems({ ...first, base_topic: 'powermeter/+' })).toEqual(['base_topic: must be an MQTT topic without wildcards (# or +)']);
    });

    it('reads keys by system title, in upper case, each title once', () => {
      const s = parseOptions({ ...first, meter_keys: [{ system_title: ' 4b414d4501a4dc52 ', encryption_key: key }] });
      expect(s.meterKeys).toEqual([{ systemTitle: '4B414D4501A4DC52', keys: { encryption: Uint8Array.from(Buffer.from(key, 'hex')), authentication: undefined } }]);
      expect(problems({ ...first, meter_keys: [{ system_title: '4B414D4501A4DC52', encryption_key: key }, { system_title: '4b414d4501a4dc52', encryption_key: key }] })).toEqual(['meter_keys[2].system_title: 4B414D4501A4DC52 is listed twice']);
      expect(problems({ ...first, meter_keys: [{ system_title: '4B414D4501A4DC52' }] })).toEqual(['meter_keys[1]: needs an encryption_key (and an authentication_key when the meter authenticates)']);
    });

    it('takes a partition only whole and in range', () => {
      expect(parseOptions({ ...first, partition_index: 2, partition_count: 3 }).partition).toEqual({ index: 2, count: 3 });
      expect(parseOptions(first).partition).toBeNull();
      expect(problems({ ...first, partition_index: 1 })).toEqual(['partition_index, partition_count: set both, or neither']);
      expect(problems({ ...first, partition_index: 2, partition_count: 2 })).toEqual(['partition_index: must be below partition_count (2): instances count from 0']);
    });
  });

  it('keeps what the user set and leaves out the defaults the Supervisor merges in, when the service saves options', () => {
    // supervisor/apps/app.py options: the defaults of config.yaml merged with the user's; a POST is stored whole.
    const effective = { source: 'serial', serial_port: '/dev/ttyUSB0', baud_rate: 2400, parity: 'even', tcp_port: 6638, encryption_key: 'AA'.repeat(16), authentication_key: '', log_level: 'info', data_timeout: 60, more_meters: [], meter_keys: [] };
    expect(userOptions(effective)).toEqual({ serial_port: '/dev/ttyUSB0', parity: 'even', encryption_key: 'AA'.repeat(16), more_meters: [], meter_keys: [] });
  });

  it('reads the first 64 more meters and says the rest are left out, rather than refuse to start', () => {
    const more = Array.from({ length: 70 }, (_, i) => ({ source: 'tcp', tcp_host: `bridge-${i}` }));
    const s = parseOptions({ source: 'tcp', tcp_host: 'first', more_meters: more });
    expect(s.sources).toHaveLength(65);
    expect(s.notes).toEqual([expect.stringMatching(/^more_meters lists 70 meters: PowerMeter reads the first 64 and leaves out the rest \(items 65 to 70\)/)]);
  });
});
