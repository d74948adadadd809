/**
 * Power budget of the ESP32 bridge fed by the Kamstrup HAN port, for what its firmware (hw/esphome) really does: the
 * CPU awake at 80 MHz all the time (no automatic light sleep, which would lose UART bytes), the radio in modem sleep
 * between Wi-Fi beacons, one frame of 491 bytes sent every 10 s. Inputs first, each with its source; run
 * `npm run power-budget` to print the table. The test (test/hw.test.ts) holds the design to the meter's 75 mA and
 * keeps the converter running through the worst bursts.
 *
 * Why a buck-boost converter and not an LDO: awake at 80 MHz the ESP32 draws about 31 mA on average, not the 3 mA of
 * a sleeping one. Through the 10 Ω current-sense resistor that leaves 3.48 V on the supercapacitor with the HAN supply
 * at its 3.9 V minimum, and an LDO making 3.3 V needs its dropout on top (0.24 V at a 240 mA transmission for the
 * MIC5249 of the first design): no capacitor, transmit power or current limit makes that fit. A buck-boost converter
 * keeps 3.3 V from anywhere between 2.3 V and 5.5 V, so the supercapacitor can give up half a volt and more.
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
    /** 2 F, 5.5 V (a dual cell, or two 4 F 2.7 V cells in series with balancing resistors). ESR is what to choose the
     *  part by: low-ESR dual cells reach 0.08 Ω (CAP-XX HW203, 0.5 F); coin-type supercaps have 30–75 Ω (CAP-XX HF
     *  series) and cannot carry a Wi-Fi burst. 2 F, not 1 F: with the supervisor below, 1 F would end a Wi-Fi
     *  reconnection at the HAN minimum just under the threshold that switches the converter off. */
    farad: 2,
    esrOhm: 0.2,
  },
  converter: {
    /** Texas Instruments TPS63802 buck-boost converter, datasheet SLVSEU9D (January 2021), Features: input 1.3–5.5 V,
     *  2 A output for VI ≥ 2.3 V at VO = 3.3 V, 11 µA operating quiescent current, true shutdown with load
     *  disconnect. Efficiency taken as 85 %, below its efficiency curves for tens to hundreds of mA. */
    vout: 3.3,
    efficiency: 0.85,
    quiescent: 11e-6,
    vinMinFullLoad: 2.3,
  },
  supervisor: {
    /** Texas Instruments TPS3840PL31 voltage supervisor, datasheet SNVSB03D (January 2020): push-pull active-low
     *  output, VIT- 3.1 V, hysteresis 200 mV for 3.1 V ≤ VIT- ≤ 4.9 V, 300 nA typical, reset delay 6.2 s with a 10 µF
     *  CT capacitor. It holds the converter off (EN low) until the supercapacitor holds enough for the ESP32 to start
     *  and connect, so that a charging bridge never brown-out loops; the 200 mV of hysteresis is why 3.1 V and not 3.0. */
    threshold: 3.1,
    hysteresis: 0.2,
    /** Threshold accuracy, 1.5 % at most: the budget takes the worst of it both ways. */
    accuracy: 0.015,
    supply: 300e-9,
    delayS: 6.2,
  },
  esp32: {
    /** Espressif, ESP32 Series Datasheet v3.5, Table 6 "Power Consumption by Power Modes": modem-sleep with the CPU at
     *  80 MHz (dual-core), 20–31 mA; the upper bound taken. ESP-IDF measured 31.12 mA on average with Wi-Fi
     *  connected in modem sleep, DTIM1, at 160 MHz (docs/en/api-guides/sleep-current/esp32_modem_sleep.inc): at 80 MHz
     *  it is lower, so 31 mA carries the beacons too. */
    modemSleep80MHz: 0.031,
    /** Same datasheet, Table 15 "RF Power-Consumption Specifications": transmit 802.11b, 1 Mbps at 19.5 dBm, 240 mA
     *  (the bridge's 10 dB output power draws less); receive 802.11b/g/n, 95–100 mA. */
    tx: 0.24,
    rx: 0.1,
  },
  cycle: {
    /** The meter pushes a frame every 10 s (KAM-HAN §5). */
    periodS: 10,
    /** One TCP segment of 491 bytes and its acknowledgement: a few ms of transmission, tens of ms listening. */
    txS: 0.005,
    rxS: 0.04,
  },
  reconnect: {
    /** Wi-Fi (re)association and DHCP: about 2.5 s, mostly listening (Table 15's 100 mA) with transmissions
     *  in between; 140 mA on average is taken. The first start after power-up costs the same. */
    seconds: 2.5,
    averageCurrent: 0.14,
  },
};

export type Inputs = typeof inputs;

export interface Burst {
  /** Supercapacitor voltage at the end of the burst. */
  endVoltage: number;
  /** Below this the supervisor switches the converter off. */
  needed: number;
  margin: number;
  /** Charge the supercapacitor gave, in coulombs. */
  charge: number;
}

export interface Budget {
  rows: [string, string][];
  espAverage: number;
  averageCurrent: number;
  limiterMax: number;
  limiterMin: number;
  capVoltageIdle: number;
  txBurst: Burst;
  reconnectBurst: Burst;
  firstStart: Burst & { startVoltage: number };
  recoveryS: number;
  chargeTimeS: { atLimiterMin: number; at75mA: number };
}

const mA = (a: number) => `${(a * 1000).toFixed(2)} mA`;
const V = (v: number) => `${v.toFixed(3)} V`;
const s = (t: number) => `${t.toFixed(0)} s`;

/** What the HAN supply delivers for an ESP32 load of `load` amperes, with the supercapacitor at `vcap`. */
function inputCurrent(i: Inputs, load: number, vcap: number): number {
  return (i.converter.vout * load) / (i.converter.efficiency * vcap) + i.converter.quiescent + i.supervisor.supply + i.limiter.biasCurrent;
}

/**
 * The supercapacitor at the end of a burst of `load` amperes for `seconds`, the limiter refilling it at its lowest
 * (hot) current. The converter's input current grows as the voltage falls: it is taken at the end voltage (a few
 * rounds of fixed-point iteration), which overstates what the burst draws.
 */
function burst(i: Inputs, startVoltage: number, load: number, seconds: number, limit: number): Burst {
  let end = startVoltage;
  let current = 0;
  for (let round = 0; round < 20; round++) {
    current = inputCurrent(i, load, end);
    // Below half a volt no converter runs: the clamp keeps a hopeless burst hopeless instead of oscillating.
    end = Math.max(0.5, startVoltage - current * i.supercap.esrOhm - (Math.max(0, current - limit) * seconds) / i.supercap.farad);
  }
  const needed = Math.max(i.supervisor.threshold * (1 + i.supervisor.accuracy), i.converter.vinMinFullLoad);
  return { endVoltage: end, needed, margin: end - needed, charge: Math.max(0, current - limit) * seconds };
}

export function budget(i: Inputs = inputs): Budget {
  const c = i.cycle;
  const e = i.esp32;
  const espAverage = e.modemSleep80MHz + (c.txS * (e.tx - e.modemSleep80MHz) + c.rxS * (e.rx - e.modemSleep80MHz)) / c.periodS;
  // Between frames: HAN minimum less the sense resistor's and Q1's drops at the average input current.
  let capVoltageIdle = i.han.voltageMin;
  for (let round = 0; round < 20; round++) capVoltageIdle = i.han.voltageMin - i.limiter.vceSat - inputCurrent(i, espAverage, capVoltageIdle) * i.limiter.senseOhm;
  const averageCurrent = inputCurrent(i, espAverage, capVoltageIdle);
  const limiterMax = i.limiter.vbeMax / i.limiter.senseOhm + i.limiter.biasCurrent;
  const limiterMin = i.limiter.vbeMin / i.limiter.senseOhm;
  const txBurst = burst(i, capVoltageIdle, e.tx, c.txS, limiterMin);
  const reconnectBurst = burst(i, capVoltageIdle, i.reconnect.averageCurrent, i.reconnect.seconds, limiterMin);
  // First start: the converter is off until the supercapacitor passes the supervisor's threshold plus hysteresis, and
  // the reset delay lets it charge further, up to what the HAN supply gives with no load.
  const release = (i.supervisor.threshold + i.supervisor.hysteresis) * (1 - i.supervisor.accuracy);
  const noLoad = i.han.voltageMin - i.limiter.vceSat;
  const startVoltage = Math.min(noLoad, release + (i.supervisor.delayS * limiterMin) / i.supercap.farad);
  const firstStart = { ...burst(i, startVoltage, i.reconnect.averageCurrent, i.reconnect.seconds, limiterMin), startVoltage };
  const recoveryS = reconnectBurst.charge / (limiterMin - averageCurrent);
  const chargeTimeS = {
    atLimiterMin: (i.supercap.farad * release) / limiterMin + i.supervisor.delayS,
    at75mA: (i.supercap.farad * release) / i.han.currentMax + i.supervisor.delayS,
  };
  const rows: [string, string][] = [
    ['ESP32 average over a 10 s frame cycle (80 MHz, modem sleep)', mA(espAverage)],
    ['  awake and associated, radio resting (datasheet Table 6)', mA(e.modemSleep80MHz)],
    ['  Wi-Fi transmit and acknowledgement of each frame', mA(espAverage - e.modemSleep80MHz)],
    ['average drawn from the HAN port (through the converter)', mA(averageCurrent)],
    ['HAN port limit', mA(i.han.currentMax)],
    ['current limiter, cold (Vbe 0.70 V) incl. bias', mA(limiterMax)],
    ['current limiter, hot (Vbe 0.55 V)', mA(limiterMin)],
    ['supercap voltage between frames, HAN at its minimum', V(capVoltageIdle)],
    ['end of a transmission (240 mA for 5 ms): supercap', V(txBurst.endVoltage)],
    ['  converter on while above (supervisor threshold, +1.5 %)', V(txBurst.needed)],
    ['  margin', V(txBurst.margin)],
    ['end of a Wi-Fi reconnection (140 mA for 2.5 s): supercap', V(reconnectBurst.endVoltage)],
    ['  converter on while above (supervisor threshold, +1.5 %)', V(reconnectBurst.needed)],
    ['  margin', V(reconnectBurst.margin)],
    ['first start: supercap when the converter is let on', V(startVoltage)],
    ['  after the ESP32 has started and connected', V(firstStart.endVoltage)],
    ['  margin', V(firstStart.margin)],
    ['recovery after a reconnection, at the hot current limit', s(recoveryS)],
    ['from plugging in to the first start, at the hot current limit', s(chargeTimeS.atLimiterMin)],
    ['from plugging in to the first start, at 75 mA', s(chargeTimeS.at75mA)],
  ];
  return { rows, espAverage, averageCurrent, limiterMax, limiterMin, capVoltageIdle, txBurst, reconnectBurst, firstStart, recoveryS, chargeTimeS };
}

export function table(b: Budget): string {
  const width = Math.max(...b.rows.map(([k]) => k.length));
  return b.rows.map(([k, v]) => `${k.padEnd(width)}  ${v.padStart(10)}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(table(budget()));
