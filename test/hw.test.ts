import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { budget, inputs, table } from '../hw/power-budget.js';
import { DEFAULT_TCP_PORT, parseOptions } from '../src/service/options.js';
import { root } from './support/addon.js';

describe('the ESP32 bridge power budget', () => {
  const b = budget();

  it('counts the ESP32 as its firmware runs it: awake at 80 MHz in modem sleep, 20–31 mA by the datasheet, the upper bound', () => {
    expect(inputs.esp32.modemSleep80MHz).toBe(0.031);
    expect(b.espAverage).toBeGreaterThan(inputs.esp32.modemSleep80MHz);
    expect(b.rows.map(([k]) => k)).toContain('ESP32 average over a 10 s frame cycle (80 MHz, modem sleep)');
  });

  it('stays within the meter’s 75 mA, on average and while the supercapacitor charges', () => {
    expect(b.averageCurrent).toBeLessThan(inputs.han.currentMax);
    expect(b.limiterMax).toBeLessThan(inputs.han.currentMax);
  });

  it('recovers the supercapacitor between bursts: the hot current limit is well above the average', () => {
    expect(b.limiterMin - b.averageCurrent).toBeGreaterThan(0.01);
    expect(b.recoveryS).toBeLessThan(60);
  });

  it('keeps the converter on through a transmission, a Wi-Fi reconnection and the first start, with the HAN supply at its minimum', () => {
    for (const burst of [b.txBurst, b.reconnectBurst, b.firstStart]) {
      expect(burst.margin).toBeGreaterThan(0.05);
      expect(burst.needed).toBeGreaterThanOrEqual(inputs.converter.vinMinFullLoad);
    }
  });

  it('a coin-type supercapacitor (ESR 30 Ω), or a 1 F one, would not do: the budget says so', () => {
    expect(budget({ ...inputs, supercap: { ...inputs.supercap, esrOhm: 30 } }).txBurst.margin).toBeLessThan(0);
    expect(budget({ ...inputs, supercap: { ...inputs.supercap, farad: 1 } }).reconnectBurst.margin).toBeLessThan(0);
  });

  it('hw/README.md shows the table the script prints', () => {
    expect(readFileSync(join(root, 'hw/README.md'), 'utf8')).toContain(table(b));
  });
});

describe('the ESPHome configuration', () => {
  const path = join(root, 'hw/esphome/powermeter-bridge.yaml');
  const secret = { tag: '!secret', resolve: (name: string) => ({ secret: name }) };
  const config = parse(readFileSync(path, 'utf8'), { customTags: [secret] }) as {
    uart: { rx_pin: string; baud_rate: number; data_bits: number; parity: string; stop_bits: number };
    stream_server: { port: number; uart_id: string };
    wifi: Record<string, unknown>;
    esp32: { framework: { sdkconfig_options: Record<string, unknown> } };
    external_components: unknown;
  };

  it('parses, with ESPHome’s !secret tags, and names only secrets the example defines', () => {
    const secrets = parse(readFileSync(join(root, 'hw/esphome/secrets.example.yaml'), 'utf8')) as Record<string, string>;
    expect(config.wifi.ssid).toEqual({ secret: 'wifi_ssid' });
    for (const name of readFileSync(path, 'utf8').match(/!secret (\w+)/g)!.map((s) => s.split(' ')[1]!)) expect(secrets).toHaveProperty(name);
  });

  it('reads the meter as the add-on expects: 2400 8N1, on the pin of the schematic, served on the default tcp_port', () => {
    const [meter] = parseOptions({ source: 'tcp', tcp_host: 'bridge' }).sources;
    expect(config.uart).toMatchObject({ baud_rate: meter.baudRate, data_bits: 8, parity: 'NONE', stop_bits: 1 });
    expect(meter.parity).toBe('none');
    expect(config.stream_server.port).toBe(DEFAULT_TCP_PORT);
    expect(meter.connection).toEqual({ kind: 'tcp', host: 'bridge', port: DEFAULT_TCP_PORT });
    expect(readFileSync(join(root, 'hw/schematic.svg'), 'utf8')).toContain(config.uart.rx_pin);
  });

  it('runs the CPU at 80 MHz and never sleeps through a frame: no automatic light sleep, Wi-Fi modem sleep only', () => {
    const sdk = config.esp32.framework.sdkconfig_options;
    expect(sdk).toMatchObject({ CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_80: 'y' });
    expect(sdk).not.toHaveProperty('CONFIG_PM_ENABLE');
    expect(sdk).not.toHaveProperty('CONFIG_FREERTOS_USE_TICKLESS_IDLE');
    expect(config.wifi.power_save_mode).toBe('light'); // ESPHome's modem sleep: the radio rests, the CPU and UART run
    expect(readFileSync(path, 'utf8')).toMatch(/espressif\/esp-idf issues 7341 and 8373/);
  });

  it('takes the stream server from one pinned commit, not a branch', () => {
    expect(config.external_components).toEqual([
      { source: { type: 'git', url: 'https://github.com/oxan/esphome-stream-server', ref: expect.stringMatching(/^[0-9a-f]{40}$/) as string }, components: ['stream_server'] },
    ]);
  });
});

describe('the schematic and the HAN slot drawing', () => {
  it('shows the HAN slot, the supercapacitor with its current limiter, the supervisor, the buck-boost converter and the UART pin', () => {
    const svg = readFileSync(join(root, 'hw/schematic.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const part of ['HAN port', 'VCC 4.15 V', 'DATA OUT', 'GND', 'C1 2 F', 'R1 10 Ω', 'TPS3840PL31', 'TPS63802', '/RESET', 'EN', 'GPIO16']) expect(svg, part).toContain(part);
    expect(svg).not.toContain('MIC5249');
  });

  it('shows the slot as seen when plugging in, every contact numbered, pin 1 marked, and the wiring of both options', () => {
    const svg = readFileSync(join(root, 'hw/han-socket.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const numbers = [...svg.matchAll(/<text[^>]*>([1-6])<\/text>/g)].map((m) => m[1]).sort();
    expect(numbers).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(svg).toMatch(/PIN 1 \(VCC 4\.15 V\): bottom left/);
    for (const wire of ['pin 5 DATA OUT  →  adapter RX', 'pin 6 GND  →  adapter GND', 'pin 1 VCC  →  R1', 'GPIO16']) expect(svg, wire).toContain(wire);
    expect(readFileSync(join(root, 'hw/README.md'), 'utf8')).toContain('(han-socket.svg)');
  });
});
