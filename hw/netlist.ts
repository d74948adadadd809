/**
 * The ESP32 bridge as a netlist: every part with its value, part number, datasheet and every pin by its number and
 * name, each on a named net. hw/schematic.svg (the drawing), hw/netlist.txt (the connection list) and the bill of
 * materials in hw/README.md are made from this file by hw/draw.ts; test/hw.test.ts checks that the committed files are
 * what it makes, and that the values here are the ones hw/power-budget.ts computes with.
 *
 * Pin numbers are the makers' (package drawings in the datasheets linked below), except J1's, which are the HAN slot's
 * contact numbers of Kamstrup 5512-2584 §3.2 (hw/han-socket.svg): the 2×3 socket's own numbering depends on how it sits
 * on the board, so a layout maps them by that drawing.
 */

export type Side = 'left' | 'right';

export interface Pin {
  /** The maker's pin number (J1: the HAN contact number). */
  number: string;
  /** The pin's name in its datasheet (E, B, C; G, D, S; + and −; VIN, EN …). */
  name: string;
  /** The net it is on; null when it is left open on purpose. */
  net: string | null;
  side: Side;
}

export interface Part {
  ref: string;
  /** The value as number and unit, as the BOM prints it ("10 Ω", "4.7 µF"); for ICs the function. */
  value: string;
  /** The value in SI units where it has one (for the tests that tie the netlist to the budget). */
  si?: number;
  /** What the part is for, in a few words. */
  role: string;
  /** Package and what the BOM asks of it beyond the value (tolerance, temperature coefficient, voltage, rating). */
  spec: string;
  maker: string;
  partNumber: string;
  datasheet: string;
  /** Which block of the drawing it sits in, and where: column and row within the drawing's grid. */
  at: { x: number; y: number };
  pins: Pin[];
}

const l = (number: string, name: string, net: string | null): Pin => ({ number, name, net, side: 'left' });
const r = (number: string, name: string, net: string | null): Pin => ({ number, name, net, side: 'right' });

const TI = 'Texas Instruments';
const RESISTOR_1 = '0805 thick film, ±1 %, ±100 ppm/K';
const CRCW = 'https://www.vishay.com/docs/20035/dcrcwe3.pdf';
const SAMSUNG_MLCC = 'https://product.samsungsem.com/mlcc/';

/** Two-pin passives: pin 1 on the first net, pin 2 on the second. */
function two(ref: string, value: string, si: number, role: string, spec: string, maker: string, partNumber: string, datasheet: string, at: Part['at'], a: string, b: string, names: [string, string] = ['1', '2']): Part {
  return { ref, value, si, role, spec, maker, partNumber, datasheet, at, pins: [l('1', names[0], a), r('2', names[1], b)] };
}

export const parts: Part[] = [
  // HAN port, protection.
  {
    ref: 'J1',
    value: '2×3 socket, 2.54 mm',
    role: 'plug into the meter’s HAN slot',
    spec: 'right-angle female socket strip, 2 rows of 3, 2.54 mm, gold; as peer designs use on this port (mikkel75/KamstrupHAN, "Header-Female-2.54_2x3 right angle")',
    maker: 'Samtec',
    partNumber: 'SSW-103-02-G-D-RA',
    datasheet: 'https://www.samtec.com/products/ssw',
    at: { x: 0, y: 0 },
    pins: [r('1', 'VCC', 'HAN_VCC'), r('2', 'DATA IN', null), r('3', 'n.c.', null), r('4', 'n.c.', null), r('5', 'DATA OUT', 'HAN_DATA'), r('6', 'GND', 'GND')],
  },
  {
    ref: 'D1',
    value: 'ESD, 5.5 V',
    role: 'ESD clamp on the HAN supply',
    spec: 'bidirectional TVS, 5.5 V working, 12 pF, 0402 (DPY)',
    maker: TI,
    partNumber: 'TPD1E10B06DPYR',
    datasheet: 'https://www.ti.com/lit/ds/symlink/tpd1e10b06.pdf',
    at: { x: 0, y: 1 },
    pins: [l('1', 'IO', 'HAN_VCC'), r('2', 'GND', 'GND')],
  },
  {
    ref: 'D2',
    value: 'ESD, 5.5 V',
    role: 'ESD clamp on the data line',
    spec: 'bidirectional TVS, 5.5 V working, 12 pF, 0402 (DPY)',
    maker: TI,
    partNumber: 'TPD1E10B06DPYR',
    datasheet: 'https://www.ti.com/lit/ds/symlink/tpd1e10b06.pdf',
    at: { x: 0, y: 2 },
    pins: [l('1', 'IO', 'HAN_DATA'), r('2', 'GND', 'GND')],
  },
  {
    ref: 'Q3',
    value: 'P-MOSFET, −20 V',
    role: 'reverse polarity: a mirrored plug puts −4 V on its drain and it stays off',
    spec: 'SOT-23, RDS(on) under 0.1 Ω at VGS −2.5 V, VGS ±8 V',
    maker: 'Diodes Incorporated',
    partNumber: 'DMG2305UX-7',
    datasheet: 'https://www.diodes.com/assets/Datasheets/DMG2305UX.pdf',
    at: { x: 0, y: 3 },
    pins: [l('3', 'D', 'HAN_VCC'), l('1', 'G', 'Q3_GATE'), r('2', 'S', 'VCC_P')],
  },
  two('R3', '10 kΩ', 10e3, 'Q3 gate to ground', RESISTOR_1, 'Vishay', 'CRCW080510K0FKEA', CRCW, { x: 0, y: 4 }, 'Q3_GATE', 'GND'),
  // Current limiter.
  two('R1', '10 Ω', 10, 'current sense: limit = Vbe(Q2) / R1, 54–73 mA', '0805 thin film, ±1 % or better, TCR ≤ ±100 ppm/K (the part named: ±0.1 %, ±25 ppm/K); not a 5 % part: the cold limit would pass 75 mA', 'Vishay', 'TNPW080510R0BEEA', 'https://www.vishay.com/docs/28758/tnpw_e3.pdf', { x: 1, y: 0 }, 'VCC_P', 'LIM_S'),
  {
    ref: 'Q2',
    value: 'PNP, 45 V',
    role: 'current sense: pulls Q1’s gate up when R1 drops Vbe',
    spec: 'SOT-23, hFE group 25',
    maker: 'Nexperia',
    partNumber: 'BC807-25',
    datasheet: 'https://assets.nexperia.com/documents/data-sheet/BC807_SER.pdf',
    at: { x: 1, y: 1 },
    pins: [l('2', 'E', 'VCC_P'), l('1', 'B', 'LIM_S'), r('3', 'C', 'LIM_G')],
  },
  {
    ref: 'Q1',
    value: 'P-MOSFET, −60 V',
    role: 'pass element of the current limiter; up to 0.27 W while C1 charges from empty',
    spec: 'SOT-223 (not SOT-23) on ≥ 1 cm² of drain copper: 110 K/W; VGS(th) −1 to −2 V',
    maker: 'Infineon',
    partNumber: 'BSP171P',
    datasheet: 'https://www.infineon.com/cms/en/product/power/mosfet/p-channel/bsp171p/',
    at: { x: 1, y: 2 },
    pins: [l('3', 'S', 'LIM_S'), l('1', 'G', 'LIM_G'), r('2', 'D', 'VCAP'), r('4', 'D (tab)', 'VCAP')],
  },
  two('R2', '100 kΩ', 100e3, 'holds Q1’s gate low', RESISTOR_1, 'Vishay', 'CRCW0805100KFKEA', CRCW, { x: 1, y: 3 }, 'LIM_G', 'GND'),
  // Storage and the on/off switch.
  two('C1', '5 F', 5, 'supercapacitor: carries reconnections, starts and transmissions', '5.0 V, +100 %/−0 %, ESR 65 mΩ, −40 to +65 °C, two cells in series; radial, 12.5 × 25 mm; polarised', 'KYOCERA AVX', 'SCMT22C505PRBA0', 'https://www.kyocera-avx.com/products/supercapacitors/', { x: 2, y: 0 }, 'VCAP', 'GND', ['+', '−']),
  {
    ref: 'U2',
    value: 'comparator, 1.242 V ref',
    role: 'switches U1 on at 3.62 V, off at 2.51 V',
    spec: 'SOT-23-6 (DBV), push-pull output, 2.8 µA, 1.65–5.5 V, power-on reset holds the output low',
    maker: TI,
    partNumber: 'TLV3012BIDBVR',
    datasheet: 'https://www.ti.com/lit/ds/symlink/tlv3012.pdf',
    at: { x: 2, y: 1 },
    pins: [l('6', 'V+', 'VCAP'), l('3', 'IN+', 'SENSE'), l('4', 'IN−', 'REF'), r('5', 'REF', 'REF'), r('1', 'OUT', 'EN'), r('2', 'V−', 'GND')],
  },
  two('R7', '147 kΩ', 147e3, 'upper threshold divider', RESISTOR_1, 'Vishay', 'CRCW0805147KFKEA', CRCW, { x: 2, y: 2 }, 'VCAP', 'SENSE'),
  two('R8', '100 kΩ', 100e3, 'lower threshold divider', RESISTOR_1, 'Vishay', 'CRCW0805100KFKEA', CRCW, { x: 2, y: 3 }, 'SENSE', 'GND'),
  two('R9', '332 kΩ', 332e3, 'hysteresis: off at 2.51 V', RESISTOR_1, 'Vishay', 'CRCW0805332KFKEA', CRCW, { x: 2, y: 4 }, 'EN', 'SENSE'),
  two('C6', '100 nF', 100e-9, 'filters SENSE (5 ms): a transmission’s ESR dip does not switch U1 off', '0402 X7R, 16 V', 'Samsung', 'CL05B104KO5NNNC', SAMSUNG_MLCC, { x: 2, y: 5 }, 'SENSE', 'GND'),
  two('C5', '100 nF', 100e-9, 'U2 supply decoupling', '0402 X7R, 16 V', 'Samsung', 'CL05B104KO5NNNC', SAMSUNG_MLCC, { x: 2, y: 6 }, 'VCAP', 'GND'),
  // The converter.
  {
    ref: 'U1',
    value: 'buck-boost, 3.3 V',
    role: 'makes 3.3 V from C1 (2.3–5.5 V at 2 A), load disconnect when off',
    spec: 'VSON-HR-10 (DLA), 3 × 2 mm; MODE low: power save, no reverse current',
    maker: TI,
    partNumber: 'TPS63802DLAR',
    datasheet: 'https://www.ti.com/lit/ds/symlink/tps63802.pdf',
    at: { x: 3, y: 0 },
    pins: [l('10', 'VIN', 'VCAP'), l('1', 'EN', 'EN'), l('2', 'MODE', 'GND'), l('9', 'L1', 'SW1'), l('3', 'AGND', 'GND'), r('6', 'VOUT', '+3V3'), r('4', 'FB', 'FB'), r('5', 'PG', null), r('7', 'L2', 'SW2'), r('8', 'GND', 'GND')],
  },
  two('L1', '0.47 µH', 0.47e-6, 'U1’s inductor (datasheet figure 10-1)', '2.0 × 1.6 mm, ±20 %, Isat 5.5 A, 26 mΩ: above U1’s switch current limit', 'Murata', 'DFE201612E-R47M=P2', 'https://www.murata.com/en-global/products/productdetail?partno=DFE201612E-R47M%3DP2', { x: 3, y: 1 }, 'SW1', 'SW2'),
  two('C2', '10 µF', 10e-6, 'U1 input, next to VIN', '0805 X5R, 25 V', 'Samsung', 'CL21A106KAYNNNE', SAMSUNG_MLCC, { x: 3, y: 2 }, 'VCAP', 'GND'),
  two('C3', '22 µF', 22e-6, 'U1 output', '0805 X5R, 6.3 V', 'Samsung', 'CL21A226MQQNNNE', SAMSUNG_MLCC, { x: 3, y: 3 }, '+3V3', 'GND'),
  two('C4', '22 µF', 22e-6, 'U1 output, carries the transmission peaks', '0805 X5R, 6.3 V', 'Samsung', 'CL21A226MQQNNNE', SAMSUNG_MLCC, { x: 3, y: 4 }, '+3V3', 'GND'),
  two('R5', '511 kΩ', 511e3, 'feedback, upper: VOUT = 0.5 V × (1 + R5/R6) = 3.31 V', RESISTOR_1, 'Vishay', 'CRCW0805511KFKEA', CRCW, { x: 3, y: 5 }, '+3V3', 'FB'),
  two('R6', '91 kΩ', 91e3, 'feedback, lower (TPS63802 datasheet figure 10-1: 511 kΩ / 91 kΩ)', RESISTOR_1, 'Vishay', 'CRCW080591K0FKEA', CRCW, { x: 3, y: 6 }, 'FB', 'GND'),
  // The ESP32 and its programming header.
  {
    ref: 'U3',
    value: 'ESP32 module, 4 MB',
    role: 'reads the UART, forwards it over Wi-Fi (hw/esphome)',
    spec: 'ESP32-WROOM-32E-N4 (not a WROVER: its PSRAM takes GPIO16); pins not listed are left open',
    maker: 'Espressif',
    partNumber: 'ESP32-WROOM-32E-N4',
    datasheet: 'https://www.espressif.com/sites/default/files/documentation/esp32-wroom-32e_esp32-wroom-32ue_datasheet_en.pdf',
    at: { x: 4, y: 0 },
    pins: [l('2', '3V3', '+3V3'), l('3', 'EN', 'ESP_EN'), l('27', 'IO16 (GPIO16)', 'UART_RX'), l('25', 'IO0', 'IO0'), r('35', 'TXD0', 'TXD0'), r('34', 'RXD0', 'RXD0'), r('1', 'GND', 'GND'), r('15', 'GND', 'GND'), r('38', 'GND', 'GND'), r('39', 'GND (pad)', 'GND')],
  },
  two('R4', '22 kΩ', 22e3, 'data line: an unpowered ESP32 is back-powered with under 0.15 mA (1 kΩ gave 1.2 mA)', RESISTOR_1, 'Vishay', 'CRCW080522K0FKEA', CRCW, { x: 4, y: 1 }, 'HAN_DATA', 'UART_RX'),
  two('R10', '10 kΩ', 10e3, 'ESP32 EN pull-up (with C7: start delay)', RESISTOR_1, 'Vishay', 'CRCW080510K0FKEA', CRCW, { x: 4, y: 2 }, '+3V3', 'ESP_EN'),
  two('C7', '1 µF', 1e-6, 'ESP32 EN delay', '0402 X5R, 10 V', 'Samsung', 'CL05A105KP5NNNC', SAMSUNG_MLCC, { x: 4, y: 3 }, 'ESP_EN', 'GND'),
  two('R11', '10 kΩ', 10e3, 'IO0 pull-up: boot from flash', RESISTOR_1, 'Vishay', 'CRCW080510K0FKEA', CRCW, { x: 4, y: 4 }, '+3V3', 'IO0'),
  two('C8', '100 nF', 100e-9, 'U3 supply decoupling, at its 3V3 pin', '0402 X7R, 16 V', 'Samsung', 'CL05B104KO5NNNC', SAMSUNG_MLCC, { x: 4, y: 5 }, '+3V3', 'GND'),
  {
    ref: 'J2',
    value: '1×6 header, 2.54 mm',
    role: 'flashing over serial, and USB power for updates (an adapter giving 500 mA at 3.3 V)',
    spec: 'straight pin header, 1 row of 6, 2.54 mm',
    maker: 'Würth Elektronik',
    partNumber: '61300611121',
    datasheet: 'https://www.we-online.com/components/products/datasheet/61300611121.pdf',
    at: { x: 4, y: 6 },
    pins: [l('1', '3V3', '+3V3'), l('2', 'TXD0', 'TXD0'), l('3', 'RXD0', 'RXD0'), r('4', 'IO0', 'IO0'), r('5', 'EN', 'ESP_EN'), r('6', 'GND', 'GND')],
  },
];

export function part(ref: string): Part {
  const p = parts.find((x) => x.ref === ref);
  if (p === undefined) throw new Error(`no part ${ref} in hw/netlist.ts`);
  return p;
}

/** Every net with the pins on it, in the order the parts are listed. */
export function nets(list: Part[] = parts): Map<string, { ref: string; pin: Pin }[]> {
  const map = new Map<string, { ref: string; pin: Pin }[]>();
  for (const p of list)
    for (const pin of p.pins) {
      if (pin.net === null) continue;
      const on = map.get(pin.net) ?? [];
      on.push({ ref: p.ref, pin });
      map.set(pin.net, on);
    }
  return map;
}
