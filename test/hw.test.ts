import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { budget, inputs, table } from '../hw/power-budget.js';
import { DEFAULT_TCP_PORT, parseOptions } from '../src/service/options.js';
import { root } from './support/addon.js';

describe('the ESP32 bridge power budget', () => {
  const b = budget();

  it('stays within the meter’s 75 mA, on average and while the supercapacitor charges', () => {
    expect(b.averageCurrent).toBeLessThan(inputs.han.currentMax);
    expect(b.limiterMax).toBeLessThan(inputs.han.currentMax);
    // the limiter must still recharge the supercapacitor while the bridge runs
    expect(b.limiterMin).toBeGreaterThan(5 * b.averageCurrent);
  });

  it('keeps the LDO out of dropout at the end of a transmission and of a Wi-Fi reconnection, with the HAN supply at its minimum', () => {
    expect(b.txBurst.margin).toBeGreaterThan(0);
    expect(b.reconnectBurst.margin).toBeGreaterThan(0);
  });

  it('a coin-type supercapacitor (ESR 30 Ω) would not do: the budget says so', () => {
    expect(budget({ ...inputs, supercap: { ...inputs.supercap, esrOhm: 30 } }).txBurst.margin).toBeLessThan(0);
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

  it('runs the CPU at 80 MHz with light sleep and Wi-Fi power saving', () => {
    expect(config.esp32.framework.sdkconfig_options).toMatchObject({ CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_80: 'y', CONFIG_PM_ENABLE: 'y' });
    expect(config.wifi.power_save_mode).toBe('light');
  });
});

describe('the schematic', () => {
  it('shows the HAN connector, the supercapacitor with its current limiter, the MIC5249, the reset line to EN and the UART pin', () => {
    const svg = readFileSync(join(root, 'hw/schematic.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const part of ['HAN port', 'VCC 4.15 V', 'DATA OUT', 'GND', 'C1 1 F', 'R1 10 Ω', 'MIC5249', '/RST', '100 kΩ', 'EN', 'GPIO16']) expect(svg, part).toContain(part);
  });
});
