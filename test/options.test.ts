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
    expect(s).toMatchObject({ baud_rate: 2400, parity: 'none', discovery_prefix: 'homeassistant', base_topic: 'powermeter', log_level: 'info', tcp_port: 6638, data_timeout: 60 });
    expect(s.keys).toEqual({ encryption: undefined, authentication: undefined });
  });

  it('treats "" and null as not set, as the Supervisor writes them', () => {
    expect(problems({ source: 'tcp', tcp_host: 'bridge.local', encryption_key: '', mqtt_url: null })).toEqual([]);
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
        expect.stringMatching(/^tcp_host: is required when source is tcp/),
        expect.stringMatching(/^encryption_key: must be 32 hexadecimal digits/),
      ]),
    );
    expect(p.join('\n')).not.toContain(secret.slice(0, 12));
  });

  it('needs the source-specific option', () => {
    expect(problems({ source: 'serial' })).toEqual([expect.stringMatching(/^serial_port: is required/)]);
    expect(problems({ source: 'mqtt' })).toEqual([expect.stringMatching(/^mqtt_source_topic: is required/)]);
    expect(problems('nope')).toEqual(['options: must be a JSON object']);
  });
});
