import { readdir, readlink } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { SerialPortsAnswer, SerialPortView } from './contract.js';

/** Device names of serial ports, in the order the page lists them: USB adapters first, the board's own UARTs last. */
const devices: readonly { readonly kind: SerialPortView['kind']; readonly pattern: RegExp }[] = [
  { kind: 'usb', pattern: /^ttyUSB(\d+)$/ },
  { kind: 'acm', pattern: /^ttyACM(\d+)$/ },
  { kind: 'ama', pattern: /^ttyAMA(\d+)$/ },
  { kind: 'uart', pattern: /^ttyS(\d+)$/ },
];

const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The serial ports the container sees, as a user would type them into `serial_port`: udev's
 * `/dev/serial/by-id/…` links first (they name the adapter and stay the same after a reboot or a replug), each with
 * the device it points at, then the devices themselves. `dev` is where the container's /dev is read (a test gives a
 * directory of its own); the paths are always given as under /dev.
 */
export async function listSerialPorts(dev = '/dev'): Promise<SerialPortsAnswer> {
  const root = resolve(dev);
  const shown = (path: string): string => {
    const rel = relative(root, path);
    return rel.startsWith('..') ? path : `/dev/${rel.split(sep).join('/')}`;
  };
  const ports: SerialPortView[] = [];
  const byId = join(root, 'serial', 'by-id');
  try {
    for (const name of (await readdir(byId)).sort()) {
      const target = await readlink(join(byId, name)).catch(() => null);
      ports.push({ path: shown(join(byId, name)), device: target === null ? null : shown(resolve(byId, target)), kind: 'by-id' });
    }
  } catch (error) {
    if (!missing(error)) return { ports, error: `${byId}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    return { ports, error: `${root}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  for (const { kind, pattern } of devices) {
    const found = names.flatMap((name) => {
      const m = pattern.exec(name);
      return m ? [{ name, n: Number(m[1]) }] : [];
    });
    for (const { name } of found.sort((a, b) => a.n - b.n)) ports.push({ path: `/dev/${name}`, device: null, kind });
  }
  return { ports, error: null };
}
