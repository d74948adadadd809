import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Mosquitto is installed (Debian puts it in /usr/sbin, outside a user's PATH), or null. */
export function mosquittoBinary(): string | null {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}
