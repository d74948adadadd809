/**
 * Power budget of the ESP32 bridge fed by the Kamstrup HAN port. Inputs first, each with its source; run
 * `npm run power-budget` to print the table. The test (test/hw.test.ts) holds the design to its two limits:
 * the meter's 75 mA, and the LDO's dropout at the end of the worst burst.
 */
export const inputs = {
  han: {
    /** Kamstrup "OMNIPOWER HAN interface specification" 5512-2584 §3.2: pin 1, 4.15 V ±0.25 V, max 75 mA. */
    voltageMin: 3.9,
    voltageNominal: 4.15,
    currentMax: 0.075,
  },
  limiter: {
    /** Two-transistor current limiter (Q1, Q2 BC807, R1 10 Ω): limit = Vbe / R1. */
    senseOhm: 10,
    /** Vbe of the sense transistor: 0.55 V hot to 0.70 V cold (BC807 datasheet, VBE(on) curves). */
    vbeMin: 0.55,
    vbeMax: 0.7,
    /** Q1 collector-emitter saturation at light load (BC807 datasheet, VCE(sat) at 10 mA: about 0.1 V). */
    vceSat: 0.1,
    /** Base bias of Q1 (R2 4.7 kΩ to ground): a current the HAN supply also delivers. */
    biasCurrent: 3.3 / 4700,
  },
  supercap: {
    /** 1 F, 5.5 V, dual cell. ESR is what to choose the part by: low-ESR dual cells reach 0.08 Ω (CAP-XX HW203,
     *  0.5 F); coin-type supercaps have 30–75 Ω (CAP-XX HF series) and cannot carry a Wi-Fi burst. */
    farad: 1,
    esrOhm: 0.2,
  },
  ldo: {
    /** Microchip (Micrel) MIC5249-3.3: 300 mA, dropout typically 300 mV at 300 mA (linear in load current),
     *  ground current 85 µA, open-drain power-on reset. Verify against the datasheet revision you buy. */
    vout: 3.3,
    dropoutAt300mA: 0.3,
    groundCurrent: 85e-6,
    /** 100 kΩ pull-up from 3.3 V to EN (with EN held low, it sinks 33 µA). */
    pullUpCurrent: 3.3 / 100e3,
  },
  esp32: {
    /** ESP32 datasheet (Espressif, "Current consumption depending on RF modes"): TX 802.11b 1 Mbps, average
     *  233 mA, peak 368 mA; RX 110 mA. Peaks last microseconds and come from the output capacitors. */
    txAverage: 0.233,
    txPeak: 0.368,
    rx: 0.11,
    /** ESP-WROOM-32 datasheet, "Power consumption by power modes": modem-sleep, CPU at normal speed, 5–10 mA
     *  (10 mA taken); light-sleep 0.8 mA; association sleep pattern with light sleep, DTIM3: 0.9 mA. */
    modemSleep80MHz: 0.01,
    lightSleepAssociated: 0.0009,
  },
  cycle: {
    /** The meter pushes a frame every 10 s (KAM-HAN §5). */
    periodS: 10,
    /** 491 bytes at 2400 baud, 10 bits a byte: the CPU stays awake to empty the UART. */
    uartAwakeS: (491 * 10) / 2400,
    /** One TCP segment of 491 bytes and its acknowledgement: a few ms of transmission, tens of ms listening. */
    txS: 0.005,
    rxS: 0.04,
  },
  reconnect: {
    /** Wi-Fi (re)association and DHCP: about 2.5 s mostly listening at RX current with short transmissions. */
    seconds: 2.5,
    averageCurrent: 0.14,
  },
};

export type Inputs = typeof inputs;

export interface Budget {
  rows: [string, string][];
  averageCurrent: number;
  limiterMax: number;
  limiterMin: number;
  capVoltageIdle: number;
  txBurst: { endVoltage: number; needed: number; margin: number };
  reconnectBurst: { endVoltage: number; needed: number; margin: number };
  chargeTimeS: { atLimiterMin: number; at75mA: number };
}

const mA = (a: number) => `${(a * 1000).toFixed(2)} mA`;
const V = (v: number) => `${v.toFixed(3)} V`;

/** Voltage at the end of a burst that draws `current` for `seconds` from the supercap topped up by the limiter. */
function burst(i: Inputs, startVoltage: number, current: number, seconds: number, limit: number) {
  const fromCap = Math.max(0, current - limit);
  const endVoltage = startVoltage - current * i.supercap.esrOhm - (fromCap * seconds) / i.supercap.farad;
  const needed = i.ldo.vout + i.ldo.dropoutAt300mA * (current / 0.3);
  return { endVoltage, needed, margin: endVoltage - needed };
}

export function budget(i: Inputs = inputs): Budget {
  const c = i.cycle;
  const sleepS = c.periodS - c.uartAwakeS - c.txS - c.rxS;
  const espAverage =
    (c.uartAwakeS * i.esp32.modemSleep80MHz + c.txS * i.esp32.txAverage + c.rxS * i.esp32.rx + sleepS * i.esp32.lightSleepAssociated) / c.periodS;
  // What the HAN port delivers on average: the ESP32 through the LDO, the LDO itself, the limiter's bias.
  const averageCurrent = espAverage + i.ldo.groundCurrent + i.limiter.biasCurrent;
  const limiterMax = i.limiter.vbeMax / i.limiter.senseOhm + i.limiter.biasCurrent;
  const limiterMin = i.limiter.vbeMin / i.limiter.senseOhm;
  const capVoltageIdle = i.han.voltageMin - averageCurrent * i.limiter.senseOhm - i.limiter.vceSat;
  const txBurst = burst(i, capVoltageIdle, i.esp32.txAverage, c.txS, limiterMin);
  const reconnectBurst = burst(i, capVoltageIdle, i.reconnect.averageCurrent, i.reconnect.seconds, limiterMin);
  const full = i.han.voltageNominal - i.limiter.vceSat;
  const chargeTimeS = { atLimiterMin: (i.supercap.farad * full) / limiterMin, at75mA: (i.supercap.farad * full) / i.han.currentMax };
  const rows: [string, string][] = [
    ['ESP32 average over a 10 s frame cycle', mA(espAverage)],
    ['  awake for the UART (2.05 s at 80 MHz, modem sleep)', mA((c.uartAwakeS * i.esp32.modemSleep80MHz) / c.periodS)],
    ['  Wi-Fi transmit and acknowledgement', mA((c.txS * i.esp32.txAverage + c.rxS * i.esp32.rx) / c.periodS)],
    ['  light sleep, associated (DTIM3)', mA((sleepS * i.esp32.lightSleepAssociated) / c.periodS)],
    ['average drawn from the HAN port (with LDO and limiter bias)', mA(averageCurrent)],
    ['HAN port limit', mA(i.han.currentMax)],
    ['current limiter, cold (Vbe 0.70 V) incl. bias', mA(limiterMax)],
    ['current limiter, hot (Vbe 0.55 V)', mA(limiterMin)],
    ['peak current during a transmission (from the output capacitors)', mA(i.esp32.txPeak)],
    ['supercap voltage between frames, HAN at its minimum', V(capVoltageIdle)],
    ['end of a transmission (233 mA for 5 ms): supercap', V(txBurst.endVoltage)],
    ['  needed by the LDO (3.3 V + dropout)', V(txBurst.needed)],
    ['  margin', V(txBurst.margin)],
    ['end of a Wi-Fi reconnection (140 mA for 2.5 s): supercap', V(reconnectBurst.endVoltage)],
    ['  needed by the LDO (3.3 V + dropout)', V(reconnectBurst.needed)],
    ['  margin', V(reconnectBurst.margin)],
    ['charge time from empty at the hot current limit', `${chargeTimeS.atLimiterMin.toFixed(0)} s`],
    ['charge time from empty at 75 mA', `${chargeTimeS.at75mA.toFixed(0)} s`],
  ];
  return { rows, averageCurrent, limiterMax, limiterMin, capVoltageIdle, txBurst, reconnectBurst, chargeTimeS };
}

export function table(b: Budget): string {
  const width = Math.max(...b.rows.map(([k]) => k.length));
  return b.rows.map(([k, v]) => `${k.padEnd(width)}  ${v.padStart(10)}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(table(budget()));
