import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../base/log.js';

/**
 * Records the bytes exactly as the source delivered them (still encrypted, garbage and all) for a number of
 * minutes, in the hex format that `powermeter decode` reads, so that a user can attach it to a bug report. The
 * keys are not in it: the frames are as the meter sent them.
 */
export class CaptureRecorder {
  readonly file: string;
  private readonly until: number;
  private bytes = 0;
  private done = false;

  constructor(
    dir: string,
    minutes: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const start = new Date(this.now());
    this.file = join(dir, `capture-${start.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.hex`);
    this.until = this.now() + minutes * 60_000;
    try {
      mkdirSync(dir, { recursive: true });
      appendFileSync(this.file, `# PowerMeter capture, started ${start.toISOString()}, ${minutes} min: the bytes as received from the meter (no keys)\n`);
      logger.info({ file: this.file }, `recording the meter's raw frames for ${minutes} min`);
    } catch (error) {
      this.done = true;
      logger.error({ dir }, `cannot record a capture: ${(error as Error).message}`);
    }
  }

  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.now() >= this.until) {
      this.stop();
      return;
    }
    try {
      appendFileSync(this.file, captureLine(chunk, new Date(this.now())));
      this.bytes += chunk.length;
    } catch (error) {
      this.done = true;
      this.logger.error({ file: this.file }, `capture stopped: ${(error as Error).message}`);
    }
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    this.logger.info(
      { file: this.file, bytes: this.bytes },
      'capture finished: attach the file to a bug report (it holds the frames as the meter sent them, encrypted, and not your keys); set capture_minutes back to 0',
    );
  }
}

/** One line of a capture file: a comment with the time received, then the bytes in hex. */
export function captureLine(bytes: Uint8Array, at: Date): string {
  return `# ${at.toISOString()}\n${Buffer.from(bytes).toString('hex').toUpperCase()}\n`;
}
