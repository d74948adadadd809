import { encipher } from '../dlms/cipher.js';
import { dataNotification, dateTimeBytes, hdlcFrame } from './encode.js';
import { hostTimeZone, wallTime } from '../accounting/time-zone.js';
import { push1Body, type MeterValues } from './kamstrup.js';

export interface SimulatedMeterOptions {
  /** The zone the meter's clock stands in (a Kamstrup clock is local wall time without a zone); the host's by default. */
  readonly timeZone?: string;
  /** The first frame's invocation counter. */
  readonly frameCounter?: number;
}

/**
 * A Danish Kamstrup meter on a stage: a household load that drifts, registers that count up with it, and
 * a fresh AES-GCM frame (push 1, SC 0x30, frame counter +1) each time it is asked.
 */
export class SimulatedMeter {
  private frameCounter: number;
  private energyImportWh = 12_345_670;
  private energyExportWh = 1_234_560;
  private readonly systemTitle: Buffer;
  private t = 0;

  constructor(
    readonly meterNumber: number,
    private readonly keys: { encryption: Uint8Array; authentication: Uint8Array },
    private readonly options: SimulatedMeterOptions = {},
  ) {
    this.frameCounter = options.frameCounter ?? 1;
    this.systemTitle = Buffer.alloc(8);
    this.systemTitle.write('KAME', 'latin1');
    this.systemTitle.writeUInt32BE(meterNumber, 4);
  }

  /** The next frame, `seconds` after the last one; `override` replaces values of this frame only (a spike, a glitch). */
  frame(at: Date, seconds: number, override: MeterValues = {}): Buffer {
    this.t += seconds;
    const p = [900, 420, 610].map((base, i) => Math.round(base + 250 * Math.sin(this.t / 60 + i)));
    const solar = Math.max(0, Math.round(1500 * Math.sin(this.t / 300)));
    const load = p.reduce((a, b) => a + b, 0);
    const importW = Math.max(0, load - solar);
    const exportW = Math.max(0, solar - load);
    this.energyImportWh += (importW * seconds) / 3600;
    this.energyExportWh += (exportW * seconds) / 3600;
    const tenWh = (wh: number) => Math.floor(wh / 10) / 100; // the register counts in 10 Wh steps
    const values: MeterValues = {
      active_energy_import: tenWh(this.energyImportWh),
      active_energy_export: tenWh(this.energyExportWh),
      reactive_energy_import: 123.45,
      reactive_energy_export: 67.89,
      active_power_import: importW,
      active_power_export: exportW,
      reactive_power_import: 80,
      reactive_power_export: 0,
      voltage_l1: 231,
      voltage_l2: 229,
      voltage_l3: 232,
      current_l1: Math.round((p[0]! / 231) * 100) / 100,
      current_l2: Math.round((p[1]! / 229) * 100) / 100,
      current_l3: Math.round((p[2]! / 232) * 100) / 100,
      active_power_import_l1: p[0]!,
      active_power_import_l2: p[1]!,
      active_power_import_l3: p[2]!,
      power_factor: 0.97,
      power_factor_l1: 0.98,
      power_factor_l2: 0.96,
      power_factor_l3: 0.97,
      ...override,
    };
    // Kamstrup's clock is local wall time without a zone; the simulated meter stands in this host's zone.
    const clock = wallTime(at.getTime(), this.options.timeZone ?? hostTimeZone());
    const plain = dataNotification(push1Body(this.meterNumber, clock, values), dateTimeBytes(clock));
    const apdu = encipher(plain, { systemTitle: this.systemTitle, frameCounter: this.frameCounter++, securityControl: 0x30, keys: this.keys });
    return hdlcFrame(apdu);
  }
}
