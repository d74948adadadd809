import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { billOfMaterials, connectionList, drawSchematic } from '../hw/draw.js';
import { nets, part, parts } from '../hw/netlist.js';
import { budget, inputs, table, type Case, type Condition } from '../hw/power-budget.js';
import { DEFAULT_TCP_PORT, parseOptions } from '../src/service/options.js';
import { root } from './support/addon.js';

const b = budget();
const readme = readFileSync(join(root, 'hw/README.md'), 'utf8');

/**
 * The hand calculation the cases are checked against, written out from the physical inputs and independent of the
 * model's step-by-step integration. Between R1's limit and the HAN supply the limiter is a resistance (Q3, R1 at its
 * largest, Q1): with C1 at V it passes (VHAN − V) / R. A load of constant current I then takes C1 along
 * V(t) = V∞ + (V0 − V∞)·e^(−t/RC), V∞ = VHAN − R·I, until the limiter reaches its limit at Vlim = VHAN − R·Ilim; from
 * there C1 falls in a straight line, ΔV = (I − Ilim)·t / C (charge = current × time, ΔV = Q / C). The converter's input
 * current, which grows as C1 falls, is taken at the stretch's mean voltage. At the end a transmission adds its ESR
 * step, ΔV = (I − Icharge) × ESR.
 */
const hand = (c: Condition) => {
  const cold = c.celsius <= 0;
  const r1Max = 10 * (1 + 0.01 + 100e-6 * Math.abs(c.celsius - 25));
  const onNominal = 1.242 * (1 + 147e3 / ((100e3 * 332e3) / (100e3 + 332e3)));
  const offNominal = 1.242 * (1 + (147e3 * 332e3) / (147e3 + 332e3) / 100e3);
  return {
    r: 0.1 + r1Max + 1,
    limit: (cold ? 0.72 : 0.55) / r1Max,
    farad: 5 * (cold ? 0.5 : 1),
    esr: 0.065 * (cold ? 4 : 1),
    off: offNominal * 1.03,
    onLow: onNominal * 0.97,
    // What C1 gives the converter for an ESP32 current (3.3 V, 85 %), plus 11 µA for U1 and 30 µA for U2.
    load: (esp: number, v: number) => (esp * 3.3) / (0.85 * v) + 11e-6 + 30e-6,
  };
};

function handStretch(c: Condition, v0: number, esp: number, seconds: number): { v: number; current: number; charge: number } {
  const h = hand(c);
  const rc = h.r * h.farad;
  const vLimit = c.han - h.r * h.limit;
  let v = v0;
  let current = 0;
  for (let round = 0; round < 8; round++) {
    current = h.load(esp, Math.max((v0 + v) / 2 - h.esr * current, 0.5));
    const vInfinity = c.han - h.r * current;
    if (v0 > vLimit && vInfinity >= vLimit) v = vInfinity + (v0 - vInfinity) * Math.exp(-seconds / rc);
    else if (v0 > vLimit) {
      const t1 = rc * Math.log((v0 - vInfinity) / (vLimit - vInfinity));
      v = t1 >= seconds ? vInfinity + (v0 - vInfinity) * Math.exp(-seconds / rc) : vLimit - ((current - h.limit) * (seconds - t1)) / h.farad;
    } else v = v0 - ((current - h.limit) * seconds) / h.farad;
  }
  return { v, current, charge: Math.min(h.limit, Math.max(0, (c.han - v) / h.r)) };
}

/** The hand calculation of a case: the lowest voltage U2 sees at its end, a transmission's ESR step on top. */
function handCase(k: Case): number {
  const h = hand(k.condition);
  let v = k.start;
  let last = { v, current: 0, charge: 0 };
  for (const segment of k.profile) {
    last = handStretch(k.condition, v, segment.current, segment.seconds);
    v = last.v;
  }
  let tx = h.load(0.24, v);
  for (let round = 0; round < 6; round++) tx = h.load(0.24, v - h.esr * (tx - last.charge));
  return Math.min(v - h.esr * (last.current - last.charge), v - h.esr * (tx - last.charge));
}

/** C1 between frames, by hand: the limiter's resistance passes what the converter draws, (VHAN − V)/R = P/(ηV) + Iq, a
 *  quadratic in V whose upper root is where C1 settles. */
function handIdle(c: Condition): number {
  const h = hand(c);
  const esp = c.awake + (0.005 * (0.24 - c.awake) + 0.04 * (0.1 - c.awake)) / 10;
  const power = (esp * 3.3) / 0.85;
  const quiescent = 41e-6;
  const bq = c.han - h.r * quiescent;
  return (bq + Math.sqrt(bq * bq - 4 * h.r * power)) / 2;
}

describe('the supply of the ESP32 bridge', () => {
  it('keeps the meter under 75 mA at −20 °C with a 1 % R1, and says a 5 % one cannot', () => {
    // Vbe 0.72 V over R1 at its smallest (−1 %, −45 K × 100 ppm/K), plus R2's current at the HAN maximum.
    const coldMax = 0.72 / (10 * (1 - 0.01 - 0.0045)) + 4.4 / (100e3 * 0.99);
    expect(b.limiter.coldMax).toBeCloseTo(coldMax, 9);
    expect(coldMax).toBeLessThan(0.075);
    expect(coldMax).toBeGreaterThan(0.073);
    const loose = 0.72 / (10 * (1 - 0.05 - 0.009)) + 4.4 / (100e3 * 0.99);
    expect(b.limiter.coldMaxLooseResistor).toBeCloseTo(loose, 9);
    expect(loose).toBeGreaterThan(0.075);
    expect(b.lines.find((line) => line.includes('5 % R1'))).toMatch(/cannot: above the meter's 75 mA/);
  });

  it('gives C1 at least 54 mA hot and switches U1 on at 3.62 V and off at 2.51 V', () => {
    expect(b.limiter.hotMin).toBeCloseTo(0.55 / (10 * 1.0125), 9);
    const h = hand({ han: 3.9, celsius: 50, awake: 0.031 });
    expect(b.thresholds.on).toBeCloseTo(h.onLow / 0.97, 9);
    expect(b.thresholds.off).toBeCloseTo(h.off / 1.03, 9);
    expect(b.thresholds.on).toBeCloseTo(3.6, 1);
    expect(b.thresholds.off).toBeCloseTo(2.5, 1);
    // C1 can reach the highest on threshold at the HAN minimum (U2's 30 µA is all that flows then).
    expect(3.9 - 11.225 * 30e-6).toBeGreaterThan((h.onLow / 0.97) * 1.03);
    // The lowest off threshold stays above what U1 needs at full load.
    expect(h.off / 1.03 * 0.97).toBeGreaterThan(inputs.converter.vinMinFullLoad);
  });

  it('keeps Q1 in SOT-223 cool while it charges an empty C1, and gives its gate enough drive at the HAN minimum', () => {
    const current = b.limiter.coldMax;
    const watts = (4.4 - current * 10.1) * current;
    expect(b.limiter.q1Watts).toBeCloseTo(watts, 9);
    expect(watts * 110 + 50).toBeLessThan(100);
    expect(b.limiter.q1JunctionHot).toBeCloseTo(watts * 110 + 50, 6);
    expect(part('Q1').spec).toMatch(/SOT-223/);
    expect(b.limiter.gateDrive).toBeGreaterThan(inputs.limiter.q1ThresholdMax + 1);
  });

  it('settles C1 between frames where a hand calculation puts it, for every HAN voltage, temperature and awake current', () => {
    expect(b.steady).toHaveLength(12);
    for (const st of b.steady) {
      const idle = handIdle(st.condition);
      const h = hand(st.condition);
      expect(st.idle, JSON.stringify(st.condition)).not.toBeNull();
      expect(st.idle ?? 0).toBeCloseTo(idle, 6);
      // On the limiter's resistive side, below its limit: C1 refills after every burst.
      expect((st.condition.han - idle) / h.r).toBeLessThan(h.limit);
      expect(st.headroom).toBeGreaterThan(0.002);
    }
  });

  it('computes every case of the table within 20 mV of the hand calculation', () => {
    expect(b.cases).toHaveLength(5 * 12);
    for (const k of b.cases) {
      const expected = handCase(k);
      const label = `${k.event} ${JSON.stringify(k.condition)}`;
      expect(Math.abs(k.lowest - expected), label).toBeLessThan(0.02);
      // The margin stands on the hand calculation alone.
      expect(expected - hand(k.condition).off, label).toBeGreaterThan(0);
      expect(k.margin, label).toBeGreaterThan(0);
    }
  });

  it('carries the first start and a reconnection of up to 8 s at the HAN minimum, hot and cold, at 31, 40 and 44 mA', () => {
    for (const event of ['first start', 'reconnection 8 s'])
      for (const k of b.cases.filter((x) => x.event.startsWith(event) && x.condition.han === 3.9)) expect(k.margin).toBeGreaterThan(0.05);
  });

  it('prints the cases it cannot carry on lines of their own with "cannot" and what the bridge does then', () => {
    const lost = b.lines.filter((line) => line.startsWith('access point lost'));
    expect(lost).toHaveLength(2);
    for (const line of lost) expect(line).toMatch(/: cannot: U1 is cut after .* the bridge restarts every .* until the access point is back/);
    const update = b.lines.find((line) => line.startsWith('update over the air'));
    expect(update).toMatch(/cannot in \d+ of 12 conditions: .*old firmware.*updates need USB power/);
    // By hand: from C1 between frames at the HAN minimum, cold, 170 mA cannot last the 30 s of an update; at the HAN's
    // nominal voltage and +50 °C it can, and the table says where.
    const worst = { han: 3.9, celsius: -20, awake: 0.031 };
    expect(handStretch(worst, handIdle(worst), inputs.ota.current, inputs.ota.seconds).v).toBeLessThan(hand(worst).off);
    const best = { han: 4.15, celsius: 50, awake: 0.031 };
    expect(handStretch(best, handIdle(best), inputs.ota.current, inputs.ota.seconds).v).toBeGreaterThan(hand(best).off);
    expect(b.lines[b.lines.indexOf(update ?? '') + 1]).toMatch(/C1 holds one only at HAN 4\.15 V, \+50 °C/);
    // An access point gone for a minute drains C1 even in the best condition.
    expect(handStretch(best, handIdle(best), inputs.apLost.current, 60).v).toBeLessThan(hand(best).off);
  });

  it('times the shortest run after a restart like a hand calculation, and it is longer than safe mode needs', () => {
    // Cold, from U2's lowest on threshold: the boot peak, then trying to connect until U1 is cut.
    const c = { han: 3.9, celsius: -20, awake: 0.031 };
    const h = hand(c);
    const afterBoot = handStretch(c, h.onLow, inputs.esp32.bootPeak, inputs.esp32.bootPeakS).v;
    // Time for 140 mA to take C1 from there to the off threshold (plus the ESR step), solved by halving.
    let low = 0;
    let high = 200;
    for (let round = 0; round < 40; round++) {
      const mid = (low + high) / 2;
      const s = handStretch(c, afterBoot, inputs.apLost.current, mid);
      if (s.v - h.esr * (s.current - s.charge) > h.off) low = mid;
      else high = mid;
    }
    const seconds = low + inputs.esp32.bootPeakS;
    expect(b.shortestRunS).toBeGreaterThan(seconds * 0.95);
    expect(b.shortestRunS).toBeLessThan(seconds * 1.05);
    const config = parse(readFileSync(join(root, 'hw/esphome/powermeter-bridge.yaml'), 'utf8'), {
      customTags: [{ tag: '!secret', resolve: (name: string) => ({ secret: name }) }],
    }) as { safe_mode: Record<string, unknown>; preferences: Record<string, unknown> };
    const secondsOf = (value: unknown) => Number(/^(\d+)s$/.exec(String(value))?.[1] ?? NaN);
    const counted = secondsOf(config.safe_mode.boot_is_good_after) + secondsOf(config.preferences.flash_write_interval);
    expect(counted).toBeLessThan(seconds / 1.5);
    expect(b.lines.at(-1)).toMatch(/shortest run after a restart.* 1\d s$/);
  });

  it('a 2 F supercapacitor, or a coin-type one (ESR 30 Ω), would not do: the budget says so', () => {
    const small = budget({ ...inputs, supercap: { ...inputs.supercap, farad: 2 } });
    const cold = small.cases.filter((k) => k.event.startsWith('reconnection 8 s') && k.condition.celsius < 0);
    expect(Math.min(...cold.map((k) => k.margin))).toBeLessThan(0);
    expect(small.lines.some((line) => line.startsWith('reconnection 8 s') && line.includes(': cannot: U1 is cut'))).toBe(true);
    const coin = budget({ ...inputs, supercap: { ...inputs.supercap, esrOhm: 30 } });
    expect(Math.max(...coin.cases.filter((k) => k.event.startsWith('transmission')).map((k) => k.margin))).toBeLessThan(0);
  });

  it('hw/README.md shows the table the script prints', () => {
    expect(readme).toContain(table(b));
  });
});

describe('the netlist, the drawing and the bill of materials', () => {
  it('are the committed files: hw/schematic.svg and hw/netlist.txt are drawn from hw/netlist.ts, the README has its BOM', () => {
    expect(readFileSync(join(root, 'hw/schematic.svg'), 'utf8')).toBe(drawSchematic());
    expect(readFileSync(join(root, 'hw/netlist.txt'), 'utf8')).toBe(connectionList());
    expect(readme).toContain(billOfMaterials());
  });

  it('numbers every pin, names transistor pins E/B/C and G/D/S, and leaves no net with a single pin', () => {
    expect(new Set(parts.map((p) => p.ref)).size).toBe(parts.length);
    for (const p of parts) {
      expect(p.pins.length, p.ref).toBeGreaterThan(0);
      expect(new Set(p.pins.map((pin) => pin.number)).size, p.ref).toBe(p.pins.length);
      for (const pin of p.pins) expect(pin.number, p.ref).toMatch(/^\d+$/);
      expect(p.datasheet, p.ref).toMatch(/^https:\/\//);
      if (p.ref.startsWith('Q')) for (const pin of p.pins) expect(pin.name, p.ref).toMatch(/^(E|B|C|G|D|S)\b/);
    }
    for (const [net, on] of nets()) expect(on.length, net).toBeGreaterThan(1);
    const svg = drawSchematic();
    for (const p of parts) expect(svg, p.ref).toContain(`<g id="${p.ref}">`);
  });

  it('writes every passive value as number and unit, and the values are the ones the budget computes with', () => {
    for (const p of parts.filter((q) => /^[RCL]\d/.test(q.ref))) expect(p.value, p.ref).toMatch(/^\d+(\.\d+)? (Ω|kΩ|MΩ|nF|µF|F|µH)$/);
    expect(part('R1').si).toBe(inputs.limiter.r1);
    expect(part('R1').spec).toMatch(/±1 %.*100 ppm\/K/);
    expect(part('R2').si).toBe(inputs.limiter.r2);
    expect(part('R7').si).toBe(inputs.threshold.rTop);
    expect(part('R8').si).toBe(inputs.threshold.rBottom);
    expect(part('R9').si).toBe(inputs.threshold.rHysteresis);
    expect(part('C1').si).toBe(inputs.supercap.farad);
    expect(part('C1').partNumber).toBe('SCMT22C505PRBA0');
    expect([part('R5').si, part('R6').si]).toEqual([511e3, 91e3]);
    expect(0.5 * (1 + 511 / 91)).toBeCloseTo(inputs.converter.vout, 1);
    expect(part('R4').si).toBeGreaterThanOrEqual(10e3);
    expect(part('R4').si).toBeLessThanOrEqual(47e3);
    expect(part('Q1').partNumber).toBe('BSP171P');
    expect(part('U2').partNumber).toBe('TLV3012BIDBVR');
    expect(part('J1').partNumber).toBe('SSW-103-02-G-D-RA');
  });

  it('wires what the budget assumes: Q3 before the limiter, U2 driving U1’s EN, the meter’s data into GPIO16', () => {
    const map = nets();
    const on = (net: string) => (map.get(net) ?? []).map(({ ref, pin }) => `${ref}.${pin.number}`).sort();
    expect(on('HAN_VCC')).toEqual(['D1.1', 'J1.1', 'Q3.3']);
    expect(on('VCC_P')).toEqual(['Q2.2', 'Q3.2', 'R1.1']);
    expect(on('LIM_S')).toEqual(['Q1.3', 'Q2.1', 'R1.2']);
    expect(on('LIM_G')).toEqual(['Q1.1', 'Q2.3', 'R2.1']);
    expect(on('EN')).toEqual(['R9.1', 'U1.1', 'U2.1']);
    expect(on('SENSE')).toEqual(['C6.1', 'R7.2', 'R8.1', 'R9.2', 'U2.3']);
    expect(on('REF')).toEqual(['U2.4', 'U2.5']);
    expect(on('HAN_DATA')).toEqual(['D2.1', 'J1.5', 'R4.1']);
    expect(on('UART_RX')).toEqual(['R4.2', 'U3.27']);
    expect(part('U3').pins.find((pin) => pin.number === '27')?.name).toMatch(/GPIO16/);
    expect(part('U1').pins.find((pin) => pin.name === 'MODE')?.net).toBe('GND');
  });
});

describe('the ESPHome configuration', () => {
  const path = join(root, 'hw/esphome/powermeter-bridge.yaml');
  const text = readFileSync(path, 'utf8');
  const secret = { tag: '!secret', resolve: (name: string) => ({ secret: name }) };
  type Config = {
    uart: { rx_pin: string; baud_rate: number; data_bits: number; parity: string; stop_bits: number };
    stream_server: { port: number; uart_id: string };
    wifi: Record<string, unknown>;
    esp32: { cpu_frequency: string; framework: Record<string, unknown> };
    safe_mode: Record<string, unknown>;
    external_components: unknown;
    substitutions: Record<string, string>;
  };
  const config = parse(text, { customTags: [secret] }) as Config;

  it('parses, with ESPHome’s !secret tags, and names only secrets the example defines', () => {
    const secrets = parse(readFileSync(join(root, 'hw/esphome/secrets.example.yaml'), 'utf8')) as Record<string, string>;
    expect(config.wifi.ssid).toEqual({ secret: 'wifi_ssid' });
    for (const match of text.matchAll(/!secret (\w+)/g)) expect(secrets).toHaveProperty(match[1] ?? '');
  });

  it('reads the meter as the add-on expects: 2400 8N1, on the pin of the netlist, served on the default tcp_port', () => {
    const [meter] = parseOptions({ source: 'tcp', tcp_host: 'bridge' }).sources;
    expect(config.uart).toMatchObject({ baud_rate: meter.baudRate, data_bits: 8, parity: 'NONE', stop_bits: 1, rx_pin: 'GPIO16' });
    expect(meter.parity).toBe('none');
    expect(config.stream_server.port).toBe(DEFAULT_TCP_PORT);
    expect(meter.connection).toEqual({ kind: 'tcp', host: 'bridge', port: DEFAULT_TCP_PORT });
    expect(drawSchematic()).toContain(config.uart.rx_pin);
  });

  it('sets the CPU to 80 MHz once, through ESPHome’s option, and never sleeps through a frame', () => {
    expect(config.esp32.cpu_frequency).toBe('80MHZ');
    expect(text.match(/^\s*cpu_frequency:/gm)).toHaveLength(1);
    expect(text).not.toMatch(/^\s*CONFIG_/m);
    expect(config.esp32.framework).not.toHaveProperty('sdkconfig_options');
    expect(config.wifi.power_save_mode).toBe('light'); // ESPHome's modem sleep: the radio rests, the CPU and UART run
    expect(text).toMatch(/espressif\/esp-idf issues 7341 and 8373/);
  });

  it('connects without scanning first, and offers a static address through substitutions', () => {
    expect(config.wifi.fast_connect).toBe(true);
    const staticText = readFileSync(join(root, 'hw/esphome/powermeter-bridge-static-ip.yaml'), 'utf8');
    const include = { tag: '!include', resolve: (file: string) => parse(readFileSync(join(root, 'hw/esphome', file), 'utf8'), { customTags: [secret] }) as Config };
    const variant = parse(staticText, { customTags: [secret, include] }) as {
      substitutions: Record<string, string>;
      packages: { bridge: Config };
      wifi: { manual_ip: Record<string, string> };
    };
    expect(variant.packages.bridge).toEqual(config);
    expect(Object.keys(variant.substitutions).sort()).toEqual(['dns', 'gateway', 'static_ip', 'subnet']);
    const referenced = Object.values(variant.wifi.manual_ip).map((v) => /^\$\{(\w+)\}$/.exec(v)?.[1]);
    expect(referenced.sort()).toEqual(['dns', 'gateway', 'static_ip', 'subnet']);
    expect(Object.keys(variant.wifi.manual_ip).sort()).toEqual(['dns1', 'gateway', 'static_ip', 'subnet']);
    for (const value of Object.values(variant.substitutions)) expect(value).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // The main file sets no address of its own, so that the package merge adds manual_ip and changes nothing else.
    expect(config.wifi).not.toHaveProperty('manual_ip');
  });

  it('keeps safe mode for a crashing firmware, with settings power cycles cannot reach, and says updates need USB power', () => {
    expect(config.safe_mode).toEqual({ boot_is_good_after: '5s', num_attempts: 10, reboot_timeout: '1min' });
    expect(config.safe_mode).not.toHaveProperty('disabled');
    expect(text).toMatch(/UPDATES NEED USB POWER/);
    expect(readme).toMatch(/updates need USB power/i);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/USB power/);
  });

  it('takes the stream server from one pinned commit, not a branch', () => {
    expect(config.external_components).toEqual([
      { source: { type: 'git', url: 'https://github.com/oxan/esphome-stream-server', ref: expect.stringMatching(/^[0-9a-f]{40}$/) as string }, components: ['stream_server'] },
    ]);
  });
});

describe('the HAN slot drawing', () => {
  it('shows the slot as seen when plugging in, every contact numbered, pin 1 marked, and the wiring of both options', () => {
    const svg = readFileSync(join(root, 'hw/han-socket.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const numbers = [...svg.matchAll(/<text[^>]*>([1-6])<\/text>/g)].map((m) => m[1]).sort();
    expect(numbers).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(svg).toMatch(/PIN 1 \(VCC 4\.15 V\): bottom left/);
    for (const wire of ['pin 5 DATA OUT  →  adapter RX', 'pin 6 GND  →  adapter GND', 'pin 1 VCC  →  Q3  →  R1', `R4 ${part('R4').value}  →  GPIO16`]) expect(svg, wire).toContain(wire);
    expect(readme).toContain('(han-socket.svg)');
  });
});
