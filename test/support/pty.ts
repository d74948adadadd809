import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const socat = spawnSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' }).stdout.trim() || null;

/**
 * A real pseudo-terminal pair from socat: `meter` is the meter's end (the test writes frames into it),
 * `han` the end the service opens as its serial port, as it would a USB adapter.
 */
export class PtyPair {
  private child: ChildProcess | null = null;

  constructor(
    readonly meter: string,
    readonly han: string,
  ) {}

  async up(): Promise<void> {
    this.child = spawn(socat!, ['-d', `pty,raw,echo=0,link=${this.meter}`, `pty,raw,echo=0,link=${this.han}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(existsSync(this.meter) && existsSync(this.han)); i++) await new Promise((r) => setTimeout(r, 30));
    if (!existsSync(this.han)) throw new Error('socat did not create the pseudo-terminals');
  }

  /** Unplugs the "adapter": both ends vanish. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
