import { describe, expect, it } from 'vitest';
import { OptionsError, parseOptions } from '../src/service/options.js';

const problems = (doc: unknown): string[] => {
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
});
