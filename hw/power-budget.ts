/**
 * Power budget of the ESP32 bridge fed by the Kamstrup HAN port (hw/README.md, hw/netlist.ts), for what its firmware
 * (hw/esphome) really does: the CPU awake at 80 MHz all the time (no automatic light sleep, which would lose UART bytes),
 * the radio in modem sleep between Wi-Fi beacons, one frame of 491 bytes sent every 10 s. Inputs first, each with its
 * source; `npm run power-budget` prints the case table that hw/README.md shows. test/hw.test.ts checks every case
 * against a hand calculation written out in the test.
 *
 * The supply, in the order the current flows: Q3 (reverse-polarity P-MOSFET), the current limiter (R1 senses; above
 * Vbe/R1 Q2 pulls the gate of Q1, a P-MOSFET, towards its source; R2 holds the gate low otherwise), C1 (a 5 F
 * supercapacitor), U2 (a comparator with its own reference that switches U1 on at 3.6 V and off at 2.5 V) and U1 (a
 * TPS63802 buck-boost making 3.3 V for the ESP32).
 *
 * How a case is computed: C1's voltage is integrated in small steps. The ESP32 is a constant-power load behind the
 * converter (its input current grows as C1 falls); the limiter gives C1 what its resistances pass,
 * (VHAN − V) / (RQ3 + R1 + RQ1), and never more than its limit. C1's ESR sits between the two, so the
 * converter and U2 see C1's voltage less ESR × its current. A case's margin is the lowest voltage U2 sees (with a
 * transmission on top at the end) less the highest voltage at which U2 may switch U1 off.
 */
export const inputs = {
  han: {
    /** Kamstrup "OMNIPOWER HAN interface specification" 5512-2584 §3.2: pin 1, 4.15 V ±0.25 V, max 75 mA. */
    voltageMin: 3.9,
    voltageNominal: 4.15,
    voltageMax: 4.4,
    currentMax: 0.075,
  },
  protection: {
    /** Q3, Diodes Inc. DMG2305UX P-MOSFET in the VCC line (reverse polarity): under 0.1 Ω at VGS −2.5 V (datasheet
     *  DMG2305UX, RDS(on)); taken as 0.1 Ω. */
    q3OnOhm: 0.1,
  },
  limiter: {
    /** R1 10 Ω, ±1 %, TCR ≤ ±100 ppm/K (the BOM's requirement): the limit is Vbe(Q2) / R1. */
    r1: 10,
    r1Tolerance: 0.01,
    r1TcrPerK: 100e-6,
    /** The same limit with an ordinary 5 %, ±200 ppm/K thick-film resistor, to show why the BOM names 1 %. */
    r1LooseTolerance: 0.05,
    r1LooseTcrPerK: 200e-6,
    /** R2 100 kΩ ±1 % holds Q1's gate low; it draws current only while Q2 limits (Q2 passes it from the HAN supply
     *  around R1), at most VHAN / R2. */
    r2: 100e3,
    r2Tolerance: 0.01,
    /** Vbe of Q2 (BC807-25) at the tens of µA it carries: 0.72 V at −20 °C, 0.55 V at +50 °C (Nexperia BC807 series
     *  datasheet, VBE against IC at −55/25/150 °C; Vbe falls by about 2 mV/K). Q2's base current, a hundredth of
     *  that, is left out. */
    vbeSenseCold: 0.72,
    vbeSenseHot: 0.55,
    /** Q1 Infineon BSP171P, P-MOSFET in SOT-223: VGS(th) −1.0 to −2.0 V, RDS(on) ≤ 0.45 Ω at VGS −4.5 V (datasheet
     *  rev. 2.4). Its gate sees at least VHAN − Vbe(Q2) = 3.18 V; the budget takes 1 Ω when it is fully on. */
    q1OnOhm: 1,
    q1ThresholdMax: 2,
    /** Rth(j-a) 110 K/W on the minimal footprint (70 K/W with 6 cm² of copper), Tj ≤ 150 °C (same datasheet). */
    rthJa: 110,
    tjMax: 150,
  },
  supercap: {
    /** C1 KYOCERA AVX SCMT22C505PRBA0: 5 F (+100 %/−0 %), 5.0 V, two cells in series, 65 mΩ ESR, −40 to +65 °C
     *  (AVX SCM series datasheet). 5 F, as the peer design mikkel75/KamstrupHAN uses on the same port
     *  (BOM_PCB_Omnipower HAN MQTT v.1.2, commit 7ee7c6c). 2 F would carry an 8 s reconnection hot, not cold (the
     *  tests run it). */
    farad: 5,
    esrOhm: 0.065,
    /** At −20 °C the budget takes half the capacitance and four times the ESR: the limits EDLC datasheets allow in the
     *  cold (e.g. KEMET FC series, "characteristics in different temperature", −25 °C: capacitance ≥ 50 %, ESR ≤ 400 %).
     *  The bring-up plan measures C1 cold. */
    coldCapacitance: 0.5,
    coldEsr: 4,
  },
  converter: {
    /** Texas Instruments TPS63802, datasheet SLVSEU9D (January 2021), Features: input 1.3–5.5 V (start-up above
     *  1.8 V), 2 A output for VI ≥ 2.3 V at VO = 3.3 V, 11 µA quiescent current, true shutdown with load disconnect.
     *  Efficiency taken as 85 %, below its curves for tens to hundreds of mA. */
    vout: 3.3,
    efficiency: 0.85,
    quiescent: 11e-6,
    vinMinFullLoad: 2.3,
  },
  threshold: {
    /** U2 Texas Instruments TLV3012B: comparator with a 1.242 V reference, push-pull output, 1.65–5.5 V supply
     *  (datasheet SBOS300C; DBV pins 1 OUT, 2 V−, 3 IN+, 4 IN−, 5 REF, 6 V+). C1 → R7 → IN+ → R8 → GND, OUT → R9 → IN+,
     *  REF → IN−, OUT → U1's EN: U1 on when C1 rises past the upper threshold, off when it falls below the lower one. */
    vref: 1.242,
    rTop: 147e3,
    rBottom: 100e3,
    rHysteresis: 332e3,
    /** Both thresholds ±3 %: the reference's initial accuracy and drift, and three 1 % resistors. */
    tolerance: 0.03,
    /** What U2 and its dividers draw from C1: 2.8 µA for the comparator, about 15 µA through R7/R8 and 7 µA through
     *  R9 (30 µA taken). */
    supply: 30e-6,
  },
  esp32: {
    /** Espressif, ESP32 Series Datasheet v3.5, Table 6 "Power Consumption by Power Modes": modem-sleep at 80 MHz,
     *  20–31 mA, measured in a shielded box. A real network (more beacons, broadcasts) costs more: the budget runs
     *  31, 40 and 44 mA; measure yours (bring-up plan). */
    awake: [0.031, 0.04, 0.044],
    /** Table 15 "RF Power-Consumption Specifications": transmit 802.11b 1 Mbps at 19.5 dBm, 240 mA (the bridge's
     *  10 dB draws less); receive 95–100 mA. */
    tx: 0.24,
    rx: 0.1,
    /** Start-up with RF calibration: the ESP32-WROOM-32E datasheet asks a supply of at least 500 mA; the budget takes
     *  500 mA for 100 ms at every start. */
    bootPeak: 0.5,
    bootPeakS: 0.1,
  },
  cycle: {
    /** The meter pushes a frame every 10 s (KAM-HAN §5): one TCP segment and its acknowledgement, a few ms of
     *  transmission and tens of ms listening. */
    periodS: 10,
    txS: 0.005,
    rxS: 0.04,
  },
  connect: {
    /** Wi-Fi (re)association and DHCP, mostly listening (100 mA) with transmissions: 140 mA on average. Without
     *  fast_connect ESPHome first scans every channel (100–300 ms each); the cases run 2.5, 5 and 8 s. The first start
     *  runs the longest. */
    current: 0.14,
    seconds: [2.5, 5, 8],
  },
  apLost: {
    /** The access point gone: ESPHome keeps scanning and trying to associate, the radio listening most of the time
     *  with probe requests: counted as a reconnection that does not end. */
    current: 0.14,
    seconds: [60, 600],
  },
  ota: {
    /** An update over the air: receiving at full rate and writing flash, 140–170 mA (170 taken) for about 30 s
     *  (an ESPHome image is about 1 MB). */
    current: 0.17,
    seconds: 30,
  },
  temperature: { reference: 25, cold: -20, hot: 50 },
};

export type Inputs = typeof inputs;

/** One set of outside conditions a case is computed under. */
export interface Condition {
  han: number;
  celsius: number;
  /** The ESP32's current while associated and idle (modem sleep), before the frames' transmissions. */
  awake: number;
}

/** One stretch of a load profile: the ESP32 draws `current` (at 3.3 V) for `seconds`. */
export interface Segment {
  current: number;
  seconds: number;
}

/** The condition-dependent parameters of the supply, worked out once per condition. */
export interface Supply {
  condition: Condition;
  /** C1's capacitance and ESR at the condition's temperature. */
  farad: number;
  esrOhm: number;
  /** Q3, R1 at its largest for this temperature, and Q1 fully on: what the current goes through below the limit. */
  seriesOhm: number;
  /** The most the limiter gives C1 at this temperature, Vbe(Q2) / R1 at R1's largest. */
  chargeLimit: number;
  /** U2's thresholds: U1 switched off below `off` (the highest the tolerance allows), on above `onLow`..`onHigh`. */
  off: number;
  onLow: number;
  onHigh: number;
}

export interface Run {
  /** The lowest voltage U2 saw. */
  lowest: number;
  /** C1's own voltage (behind its ESR) at the end. */
  endOpen: number;
  /** When U2 switched U1 off, in seconds from the start, or null when it never did. */
  cutAfterS: number | null;
}

export interface Case {
  event: string;
  condition: Condition;
  /** What the profile was, from which voltage it started. */
  profile: Segment[];
  start: number;
  /** The lowest voltage U2 sees, with a transmission on top at the end. */
  lowest: number;
  margin: number;
  cutAfterS: number | null;
}

export interface SteadyState {
  condition: Condition;
  espAverage: number;
  /** C1 between frames, or null when the limiter cannot carry the average (no steady state). */
  idle: number | null;
  hanCurrent: number | null;
  headroom: number;
}

export interface Cycle {
  /** Shortest run from a restart (U1 on at its lowest threshold, boot peak, then the load) until U1 is cut. */
  onS: number;
  /** Longest wait after a cut until U1 is let on again (C1 from the off threshold to the highest on threshold). */
  offS: number;
}

export interface Budget {
  thresholds: { on: number; off: number; tolerance: number };
  limiter: {
    coldMax: number;
    coldMaxLooseResistor: number;
    hotMin: number;
    coldMin: number;
    /** The least gate drive Q1 gets (|VGS| at the HAN minimum with Q2 limiting). */
    gateDrive: number;
    q1Watts: number;
    q1RiseK: number;
    q1JunctionHot: number;
    fullAtHanMin: number;
  };
  steady: SteadyState[];
  cases: Case[];
  apLost: { seconds: number; condition: Condition; cutAfterS: number | null; cycle: Cycle }[];
  ota: { condition: Condition; cutAfterS: number | null }[];
  shortestRunS: number;
  plugInS: { hot: number; cold: number };
  lines: string[];
}

const espAverage = (i: Inputs, awake: number): number =>
  awake + (i.cycle.txS * (i.esp32.tx - awake) + i.cycle.rxS * (i.esp32.rx - awake)) / i.cycle.periodS;

export function thresholds(i: Inputs = inputs): { on: number; off: number } {
  const t = i.threshold;
  const parallel = (a: number, b: number) => (a * b) / (a + b);
  // Output low: R9 in parallel with R8 below IN+; output high (at C1's voltage): R9 in parallel with R7 above it.
  return {
    on: t.vref * (1 + t.rTop / parallel(t.rBottom, t.rHysteresis)),
    off: t.vref * (1 + parallel(t.rTop, t.rHysteresis) / t.rBottom),
  };
}

const r1Spread = (i: Inputs, celsius: number, tolerance: number, tcr: number) =>
  tolerance + tcr * Math.abs(celsius - i.temperature.reference);

export function supply(i: Inputs, condition: Condition): Supply {
  const l = i.limiter;
  const cold = condition.celsius <= 0;
  const vbe = cold ? l.vbeSenseCold : l.vbeSenseHot;
  const r1Max = l.r1 * (1 + r1Spread(i, condition.celsius, l.r1Tolerance, l.r1TcrPerK));
  const t = thresholds(i);
  return {
    condition,
    farad: i.supercap.farad * (cold ? i.supercap.coldCapacitance : 1),
    esrOhm: i.supercap.esrOhm * (cold ? i.supercap.coldEsr : 1),
    seriesOhm: i.protection.q3OnOhm + r1Max + l.q1OnOhm,
    chargeLimit: vbe / r1Max,
    off: t.off * (1 + i.threshold.tolerance),
    onLow: t.on * (1 - i.threshold.tolerance),
    onHigh: t.on * (1 + i.threshold.tolerance),
  };
}

/** What the limiter gives C1 with C1 at `v`: what its resistances pass, at most its limit. */
export function charging(s: Supply, v: number): number {
  return Math.min(s.chargeLimit, Math.max(0, (s.condition.han - v) / s.seriesOhm));
}

/** What the converter (and U2) draw from C1 at `v` with the ESP32 drawing `esp` amperes; nothing but U2 when off. */
function drawn(i: Inputs, esp: number, v: number): number {
  const converter = esp > 0 ? (i.converter.vout * esp) / (i.converter.efficiency * Math.max(v, 0.5)) + i.converter.quiescent : 0;
  return converter + i.threshold.supply;
}

/**
 * Integrates C1 through a load profile from `start` (C1's own voltage). U1 is cut the first time the voltage it sees
 * falls below `s.off`; from then on the profile's load is gone and the run reports when.
 */
export function run(i: Inputs, s: Supply, start: number, profile: Segment[], tail?: number): Run {
  let open = start;
  let lowest = Infinity;
  let elapsed = 0;
  let cutAfterS: number | null = null;
  const terminal = (esp: number) => {
    // C1's current flows through its ESR: solve the voltage the converter sees (it draws more as it falls).
    let v = open;
    for (let round = 0; round < 6; round++) v = open - s.esrOhm * (drawn(i, esp, v) - charging(s, v));
    return v;
  };
  for (const segment of profile) {
    const dt = Math.min(0.005, segment.seconds / 400);
    const steps = Math.round(segment.seconds / dt);
    for (let step = 0; step < steps && cutAfterS === null; step++) {
      const v = terminal(segment.current);
      lowest = Math.min(lowest, v);
      if (v < s.off) {
        cutAfterS = elapsed;
        break;
      }
      open += ((charging(s, v) - drawn(i, segment.current, v)) * dt) / s.farad;
      elapsed += dt;
    }
    if (cutAfterS !== null) break;
  }
  if (cutAfterS === null) {
    const v = terminal(profile.at(-1)?.current ?? 0);
    lowest = Math.min(lowest, v);
    // A transmission at the very end: the ESR dip that U2 sees on top of the drained C1.
    if (tail !== undefined) {
      const peak = open - s.esrOhm * (drawn(i, tail, v) - charging(s, v));
      lowest = Math.min(lowest, peak);
      if (peak < s.off) cutAfterS = elapsed;
    }
  }
  return { lowest, endOpen: open, cutAfterS };
}

/**
 * C1 between frames: the highest voltage at which the limiter gives what the converter draws, or null when there is
 * none above the off threshold. Below that crossing C1 charges, above it C1 discharges: it is where C1 settles. A
 * millivolt scan from the HAN voltage down finds it, bisection refines it.
 */
export function idleVoltage(i: Inputs, s: Supply, esp: number): number | null {
  const gap = (v: number) => charging(s, v) - drawn(i, esp, v);
  let high = s.condition.han;
  let low = high - 0.001;
  while (gap(low) <= 0) {
    high = low;
    low -= 0.001;
    if (low < s.off) return null;
  }
  for (let round = 0; round < 60; round++) {
    const mid = (low + high) / 2;
    if (gap(mid) > 0) low = mid;
    else high = mid;
  }
  return low;
}

/** Seconds for C1 to charge from `from` to `to` with U1 off (only U2 draws), Q1 saturating near the top. */
export function chargeTime(i: Inputs, s: Supply, from: number, to: number): number {
  let v = from;
  let t = 0;
  const dt = 0.05;
  while (v < to) {
    const current = charging(s, v) - i.threshold.supply;
    if (current <= 0) return Infinity;
    v += (current * dt) / s.farad;
    t += dt;
  }
  return t;
}

export function conditions(i: Inputs = inputs): Condition[] {
  const list: Condition[] = [];
  for (const han of [i.han.voltageMin, i.han.voltageNominal])
    for (const celsius of [i.temperature.cold, i.temperature.hot]) for (const awake of i.esp32.awake) list.push({ han, celsius, awake });
  return list;
}

/** The profiles of the cases the table shows, in its order. */
export function events(i: Inputs = inputs): { event: string; fromThreshold: boolean; profile: Segment[] }[] {
  const e = i.esp32;
  return [
    { event: `transmission (${ma(e.tx)} for ${(i.cycle.txS * 1000).toFixed(0)} ms)`, fromThreshold: false, profile: [{ current: e.tx, seconds: i.cycle.txS }] },
    {
      event: `first start (${ma(e.bootPeak)} for ${(e.bootPeakS * 1000).toFixed(0)} ms, connect ${Math.max(...i.connect.seconds)} s)`,
      fromThreshold: true,
      profile: [
        { current: e.bootPeak, seconds: e.bootPeakS },
        { current: i.connect.current, seconds: Math.max(...i.connect.seconds) },
      ],
    },
    ...i.connect.seconds.map((seconds) => ({
      event: `reconnection ${seconds} s at ${ma(i.connect.current)}`,
      fromThreshold: false,
      profile: [{ current: i.connect.current, seconds }],
    })),
  ];
}

const ma = (a: number) => `${(a * 1000).toFixed(0)} mA`;
const mA2 = (a: number) => `${(a * 1000).toFixed(2)} mA`;
const V = (v: number) => `${v.toFixed(3)} V`;
const s0 = (t: number) => `${t.toFixed(0)} s`;
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const celsius = (c: number) => `${c > 0 ? '+' : c < 0 ? '−' : ''}${Math.abs(c)} °C`;
const where = (c: Condition) => `HAN ${c.han.toFixed(2)} V, ${celsius(c.celsius)}, awake ${ma(c.awake)}`;

/** A restart into a load that never ends: how long U1 runs, and how long C1 then takes to let it on again. */
function restartCycle(i: Inputs, s: Supply, current: number): Cycle {
  const on = run(i, s, s.onLow, [
    { current: i.esp32.bootPeak, seconds: i.esp32.bootPeakS },
    { current, seconds: 3600 },
  ]);
  return { onS: on.cutAfterS ?? Infinity, offS: chargeTime(i, s, s.off, s.onHigh) };
}

export function budget(i: Inputs = inputs): Budget {
  const l = i.limiter;
  const t = thresholds(i);
  const coldR1Min = (tolerance: number, tcr: number) => l.r1 * (1 - r1Spread(i, i.temperature.cold, tolerance, tcr));
  // The meter's limit: the coldest Vbe over the smallest R1, plus R2's current, which Q2 passes around R1 from the HAN
  // supply while it limits (at most VHAN / R2).
  const biasMax = i.han.voltageMax / (l.r2 * (1 - l.r2Tolerance));
  const coldMax = l.vbeSenseCold / coldR1Min(l.r1Tolerance, l.r1TcrPerK) + biasMax;
  const coldMaxLooseResistor = l.vbeSenseCold / coldR1Min(l.r1LooseTolerance, l.r1LooseTcrPerK) + biasMax;
  const hotSupply = supply(i, { han: i.han.voltageMin, celsius: i.temperature.hot, awake: i.esp32.awake[0] ?? 0 });
  const coldSupply = supply(i, { han: i.han.voltageMin, celsius: i.temperature.cold, awake: i.esp32.awake[0] ?? 0 });
  // Q1's gate is held at 0 V by R2; its source is at most Vbe(Q2) below the HAN supply (Q2 clamps R1's drop there).
  const gateDrive = i.han.voltageMin - i.protection.q3OnOhm * i.han.currentMax - l.vbeSenseCold;
  // Q1 charging an empty C1 from the highest HAN voltage at the cold limit: everything but R1's drop falls across Q1.
  const q1Watts = (i.han.voltageMax - coldMax * (l.r1 + i.protection.q3OnOhm)) * coldMax;
  const q1RiseK = q1Watts * l.rthJa;
  const fullAtHanMin = i.han.voltageMin - hotSupply.seriesOhm * i.threshold.supply;

  const steady: SteadyState[] = [];
  const cases: Case[] = [];
  for (const condition of conditions(i)) {
    const s = supply(i, condition);
    const average = espAverage(i, condition.awake);
    const idle = idleVoltage(i, s, average);
    const hanCurrent = idle === null ? null : drawn(i, average, idle);
    steady.push({ condition, espAverage: average, idle, hanCurrent, headroom: s.chargeLimit - drawn(i, average, idle ?? s.off) });
    for (const e of events(i)) {
      const start = e.fromThreshold ? s.onLow : idle;
      if (start === null) {
        cases.push({ event: e.event, condition, profile: e.profile, start: s.off, lowest: s.off, margin: -Infinity, cutAfterS: 0 });
        continue;
      }
      const r = run(i, s, start, e.profile, i.esp32.tx);
      cases.push({ event: e.event, condition, profile: e.profile, start, lowest: r.lowest, margin: r.lowest - s.off, cutAfterS: r.cutAfterS });
    }
  }

  const apLost: Budget['apLost'] = [];
  const ota: Budget['ota'] = [];
  let shortestRunS = Infinity;
  for (const condition of conditions(i)) {
    const s = supply(i, condition);
    const idle = idleVoltage(i, s, espAverage(i, condition.awake)) ?? s.off;
    const cycle = restartCycle(i, s, i.apLost.current);
    shortestRunS = Math.min(shortestRunS, cycle.onS);
    for (const seconds of i.apLost.seconds)
      apLost.push({ seconds, condition, cutAfterS: run(i, s, idle, [{ current: i.apLost.current, seconds }]).cutAfterS, cycle });
    ota.push({ condition, cutAfterS: run(i, s, idle, [{ current: i.ota.current, seconds: i.ota.seconds }]).cutAfterS });
  }
  const plugInS = { hot: chargeTime(i, hotSupply, 0, hotSupply.onHigh), cold: chargeTime(i, coldSupply, 0, coldSupply.onHigh) };

  const b: Budget = {
    thresholds: { on: t.on, off: t.off, tolerance: i.threshold.tolerance },
    limiter: {
      coldMax,
      coldMaxLooseResistor,
      hotMin: hotSupply.chargeLimit,
      coldMin: coldSupply.chargeLimit,
      gateDrive,
      q1Watts,
      q1RiseK,
      q1JunctionHot: i.temperature.hot + q1RiseK,
      fullAtHanMin,
    },
    steady,
    cases,
    apLost,
    ota,
    shortestRunS,
    plugInS,
    lines: [],
  };
  b.lines = render(i, b);
  return b;
}

const range = (values: number[], format: (v: number) => string) => {
  const finite = values.filter(Number.isFinite);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return format(low) === format(high) ? format(low) : `${format(low)}–${format(high)}`;
};

function render(i: Inputs, b: Budget): string[] {
  const out: string[] = [];
  const row = (label: string, value: string) => out.push(`${label.padEnd(68)} ${value}`);
  const l = b.limiter;
  const tol = `±${(b.thresholds.tolerance * 100).toFixed(0)} %`;
  const hanWorst = i.han.voltageMin.toFixed(2);
  out.push('Supply');
  row(`HAN port limit (KAM-HAN §3.2)`, mA2(i.han.currentMax));
  row(`current limiter at its highest: −20 °C, R1 1 %, HAN ${i.han.voltageMax.toFixed(2)} V`, mA2(l.coldMax));
  if (l.coldMaxLooseResistor >= i.han.currentMax)
    out.push(`  with a 5 % R1: ${mA2(l.coldMaxLooseResistor)}: cannot: above the meter's 75 mA, the meter cuts the supply; R1 must be 1 %`);
  row(`current limiter into C1 at its lowest: +50 °C`, mA2(l.hotMin));
  row(`current limiter into C1 at −20 °C`, mA2(l.coldMin));
  row(`Q1 gate drive at HAN ${hanWorst} V (|VGS|; BSP171P threshold at most ${i.limiter.q1ThresholdMax.toFixed(1)} V)`, V(l.gateDrive));
  row(`Q1 charging an empty C1 at HAN ${i.han.voltageMax.toFixed(2)} V, −20 °C`, `${l.q1Watts.toFixed(3)} W`);
  row(`  junction at +50 °C (SOT-223, ${i.limiter.rthJa} K/W)`, `${l.q1JunctionHot.toFixed(0)} °C`);
  row(`U1 on above (U2 rising threshold, ${tol})`, `${V(b.thresholds.on)} (${V(b.thresholds.on * (1 - b.thresholds.tolerance))}–${V(b.thresholds.on * (1 + b.thresholds.tolerance))})`);
  row(`U1 off below (U2 falling threshold, ${tol})`, `${V(b.thresholds.off)} (${V(b.thresholds.off * (1 - b.thresholds.tolerance))}–${V(b.thresholds.off * (1 + b.thresholds.tolerance))})`);
  row(`C1 full, converter off, HAN ${hanWorst} V (above the highest on threshold)`, V(l.fullAtHanMin));
  row(`from plugging in to the first start: +50 °C / −20 °C`, `${s0(b.plugInS.hot)} / ${s0(b.plugInS.cold)}`);
  out.push('');
  out.push('Between frames (10 s cycle, one frame sent)');
  out.push(`${'HAN, temperature'.padEnd(20)} ${'awake'.padStart(7)} ${'ESP32'.padStart(9)} ${'from HAN'.padStart(9)} ${'C1'.padStart(8)} ${'headroom'.padStart(9)}`);
  for (const st of b.steady) {
    const c = st.condition;
    out.push(
      `${`${c.han.toFixed(2)} V, ${celsius(c.celsius)}`.padEnd(20)} ${ma(c.awake).padStart(7)} ${mA2(st.espAverage).padStart(9)} ${(st.hanCurrent === null ? '-' : mA2(st.hanCurrent)).padStart(9)} ${(st.idle === null ? '-' : V(st.idle)).padStart(8)} ${mA2(st.headroom).padStart(9)}`,
    );
    if (st.idle === null) out.push(`  ${where(c)}: cannot: the limiter gives less than the converter draws; C1 runs down to the off threshold and the bridge restarts in a cycle`);
  }
  out.push('');
  out.push(`Margins: lowest voltage U1 sees, less the highest off threshold (${V(b.thresholds.off * (1 + b.thresholds.tolerance))}), in volts`);
  const awake = i.esp32.awake;
  const seen = new Set<string>();
  const cannot: string[] = [];
  for (const c of b.cases) {
    if (seen.has(c.event)) continue;
    seen.add(c.event);
    out.push(c.event);
    out.push(`  ${'HAN, temperature'.padEnd(18)} ${awake.map((a) => `awake ${ma(a)}`.padStart(13)).join(' ')}`);
    for (const han of [i.han.voltageMin, i.han.voltageNominal])
      for (const t of [i.temperature.cold, i.temperature.hot]) {
        const cells = awake.map((a) => {
          const k = b.cases.find((x) => x.event === c.event && x.condition.han === han && x.condition.celsius === t && x.condition.awake === a);
          if (k === undefined) return '?';
          if (k.margin <= 0) {
            cannot.push(`${k.event}, ${where(k.condition)}: cannot: U1 is cut ${k.cutAfterS === null ? 'at the end' : `after ${k.cutAfterS.toFixed(1)} s`}; the ESP32 restarts when C1 is back at the on threshold`);
            return 'cannot';
          }
          return signed(k.margin);
        });
        out.push(`  ${`${han.toFixed(2)} V, ${celsius(t)}`.padEnd(18)} ${cells.map((x) => x.padStart(13)).join(' ')}`);
      }
  }
  out.push(...cannot);
  out.push('');
  out.push('Cases the supply cannot carry');
  for (const seconds of i.apLost.seconds) {
    const list = b.apLost.filter((a) => a.seconds === seconds);
    const cut = list.map((a) => a.cutAfterS).filter((x): x is number => x !== null);
    const label = seconds >= 120 ? `${seconds / 60} minutes` : `${seconds / 60} minute`;
    if (cut.length === list.length)
      out.push(
        `access point lost for ${label}: cannot: U1 is cut after ${range(cut, s0)}; then the bridge restarts every ${range(
          list.map((a) => a.cycle.onS + a.cycle.offS),
          s0,
        )} (${range(list.map((a) => a.cycle.offS), s0)} charging, at least ${range(list.map((a) => a.cycle.onS), s0)} trying) until the access point is back, and reconnects at the next try`,
      );
    else out.push(`access point lost for ${label}: carried in ${list.length - cut.length} of ${list.length} conditions`);
  }
  const otaCut = b.ota.filter((o) => o.cutAfterS !== null);
  if (otaCut.length > 0) {
    const carried = b.ota.filter((o) => o.cutAfterS === null).map((o) => where(o.condition));
    out.push(
      `update over the air (${ma(i.ota.current)}, ${i.ota.seconds} s): cannot in ${otaCut.length} of ${b.ota.length} conditions: U1 is cut after ${range(
        otaCut.map((o) => o.cutAfterS ?? 0),
        s0,
      )}; the update fails and the bridge restarts on its old firmware (the new image goes to the other OTA partition, switched to only when complete): updates need USB power`,
    );
    if (carried.length > 0) out.push(`  (C1 holds one only at ${carried.join('; ')})`);
  }
  out.push('');
  row('shortest run after a restart, the access point gone (safe mode must not count it)', s0(b.shortestRunS));
  return out;
}

export function table(b: Budget): string {
  return b.lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(table(budget()));
