import { nodeFlags } from './flags.js';
import { versus } from './versus.js';

/** Re-exported for test/addon.test.ts, which holds the s6 run script's flags equal to the benchmark's. */
export { nodeFlags };

/**
 * The size of the service's state message for the Danish meter's frame, measured by `npm run bench -- service`
 * (which passes the live size to the floor): `-- floor` alone makes the floor's state this large.
 */
export const SERVICE_STATE_BYTES = 1514;

/**
 * `npm run bench -- service`: the service as users run it (`powermeter run`, its own process, the add-on's Node flags)
 * between a TCP bridge (or a serial port) and a local Mosquitto, against the floor in alternating rounds of the same
 * run (versus.ts), with the ratios the goals of issue #30 are set in.
 */
export async function benchService(serviceFlags?: readonly string[]): Promise<void> {
  await versus({ kinds: ['service', 'floor'], stateBytes: SERVICE_STATE_BYTES, serviceFlags });
}

/** `npm run bench -- floor`: the floor's figures alone. */
export async function benchFloor(): Promise<void> {
  await versus({ kinds: ['floor'], stateBytes: SERVICE_STATE_BYTES });
}
